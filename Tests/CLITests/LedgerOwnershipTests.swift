import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synchronization
import Synthetic
import TestSupport
import Testing

/// One writer per ledger (issue 11): a running `fanout action` holds the ledger; a second `run`
/// is refused, and `start`, `enlarge`, `stop` and `end` from other processes are handed to it and
/// applied at once, while `status` reads beside it.
@Suite struct LedgerOwnershipTests {
    /// Set when the runner has exited.
    final class Finished: Sendable {
        private let flag = Mutex(false)
        var done: Bool {
            get { flag.withLock { $0 } }
            set { flag.withLock { $0 = newValue } }
        }
    }

    /// A registry of `count` participants and a runner on the real clock that takes several
    /// seconds (SMS at 150/s), every hand-over appended to a provider record.
    struct Runner {
        let fx: ActionFixture
        let record: String
        let desk: [String]

        init(count: Int, label: String) throws {
            fx = try ActionFixture(count: count, label: label)
            record = fx.dir.appendingPathComponent("provider-record.tsv").path
            let config = try fx.write("dispatch.json", #"{"sms": {"perSecond": 150, "batchSize": 10}}"#)
            desk = ["--config", config, "--provider-record", record, "--clock", "real", "--channels", "sms"]
        }

        func start(radius: Int, exited: Finished) async throws -> CommandResult {
            defer { exited.done = true }
            return try await fx.action(
                [
                    "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "\(radius)",
                    "--incident-type", "missing-child", "--message", "Girl (6), yellow raincoat", "--confirm", "--run",
                ] + desk)
        }

        /// Waits until the runner holds the ledger and has handed over at least `n` messages (on a
        /// loaded machine its start-up can take long), or until it has exited.
        func waitForRunner(handOvers n: Int, exited: Finished) async throws -> Bool {
            try await eventually(seconds: 300) {
                if exited.done { return true }
                return try LedgerLock.isHeld(for: fx.db) && (try? ProviderRecord.read(path: record).entries.count) ?? 0 >= n
            } && !exited.done
        }

        var control: [String] { desk.filter { $0 != "--channels" && $0 != "sms" } }

        /// Starts the runner, runs `beside` once it has handed over `n` messages, and returns the
        /// runner's result; `nil` (an issue recorded) when the runner exited before that.
        func run(radius: Int, handOvers n: Int, beside: () async throws -> Void) async throws -> CommandResult? {
            let exited = Finished()
            async let runner = start(radius: radius, exited: exited)
            guard try await waitForRunner(handOvers: n, exited: exited) else {
                let first = try await runner
                Issue.record("the runner did not get going: exit \(first.status), \(first.stderr)")
                return nil
            }
            try await beside()
            return try await runner
        }
    }

    @Test func aSecondRunIsRefusedNamingTheProcessThatRunsTheLedger() async throws {
        let r = try Runner(count: 1500, label: "second-run")
        guard let first = try await r.run(radius: 30_000, handOvers: 20, beside: {
            let second = try await r.fx.action(["run"] + r.control)
            #expect(second.status == 2)  // another process holds the ledger and refuses a second run
            #expect(second.stderr.contains("runs in process"), "\(second.stderr)")
            #expect(second.stderr.contains("fanout action start"), "\(second.stderr)")
            // Read-only commands are neither blocked nor blocking.
            let status = try await r.fx.action(["status", "1"])
            #expect(status.status == 0, "\(status.stderr)")
            _ = try await r.fx.action(["stop", "1"] + r.control)
        }) else { return }
        #expect(first.status == 0, "\(first.stderr)")
        // Nobody had an alert twice: the second run handed nothing over. (A hand-over the provider
        // rejected as overloaded is offered again later: not a repeat.)
        let keys = try ProviderRecord.read(path: r.record).entries.filter { $0.result != .throttled }
            .map { "\($0.key)/\($0.attempt)" }
        #expect(Set(keys).count == keys.count)
    }

    @Test func anEndFromAnotherProcessIsAppliedAtOnceByTheRunner() async throws {
        let r = try Runner(count: 3000, label: "end-handed")
        guard let first = try await r.run(radius: 30_000, handOvers: 100, beside: {
            let end = try await r.fx.action(["end", "1", "--result", "Found safe. Thank you."] + r.control)
            #expect(end.status == 0, "\(end.stderr)")
            #expect(end.stderr.contains("handing it the end command"), "\(end.stderr)")
            #expect(end.stdout.contains("action 1 ended:"), "\(end.stdout)")
        }) else { return }
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("1 command from other processes applied"), "\(first.stdout)")
        // The provider's record: no alert handed over after the first end message (the runner
        // took the end at once), the end message to exactly those the alert reached, once each.
        let entries = try ProviderRecord.read(path: r.record).entries
        let firstEnd = try #require(entries.firstIndex { $0.key.kind == .end })
        #expect(!entries[firstEnd...].contains { $0.key.kind == .alert })
        let reached = Set(entries.filter { $0.key.kind == .alert && $0.result == .delivered }.map(\.key.person))
        let ended = entries.filter { $0.key.kind == .end && $0.key.person > 0 }
        #expect(Set(ended.map(\.key.person)) == reached)
        #expect(reached.count < 3000)  // ended mid-action: most alerts were cancelled
        let s = try Ledger.open(at: r.fx.db).summary(of: ActionID(rawValue: 1))
        #expect(s.state == .ended)
        #expect(s.alerts[.queued] == nil && s.alerts[.sent] == nil && s.endMessages[.queued] == nil)
    }

    @Test func anEnlargementFromAnotherProcessIsRunToTheEndByTheRunner() async throws {
        let r = try Runner(count: 1200, label: "enlarge-handed")
        guard let first = try await r.run(radius: 800, handOvers: 10, beside: {
            let enlarge = try await r.fx.action(
                ["enlarge", "1", "--lon", "\(r.fx.centre.lon)", "--lat", "\(r.fx.centre.lat)", "--radius", "30000"]
                    + r.control)
            #expect(enlarge.status == 0, "\(enlarge.stderr)")
            #expect(enlarge.stdout.contains("participants added"), "\(enlarge.stdout)")
        }) else { return }
        #expect(first.status == 0, "\(first.stderr)")
        // Everyone is alerted by the runner: nothing is left queued for a later process.
        let s = try Ledger.open(at: r.fx.db).summary(of: ActionID(rawValue: 1))
        #expect(s.included == 1200)
        #expect(s.alerts[.queued] == nil && s.alerts[.sent] == nil)
        let alerted = Set(try ProviderRecord.read(path: r.record).entries.map(\.key.person))
        #expect(alerted == Set(1...1200))
    }
}
