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
import Synthetic
import TestSupport
import Testing

/// `fanout action` as a real process with SMS through a real Kannel (bearerbox, smsbox and
/// Kannel's fake SMSC, see ``KannelPeer``), checked against what the fake SMSC received, the
/// engine's brute-force selection and the ledger read directly.
///
/// Skipped without Kannel on a developer machine; required in CI (`FANOUT_REQUIRE_KANNEL=1`).
@Suite(
    .serialized,
    .enabled(
        if: KannelPeer.shouldRun, "Kannel is not installed: apt-get install kannel kannel-extras (tools/test.sh does)"))
struct KannelActionCommandTests {
    static let alert = "Burgernet: vermist meisje (8), rode jas, blond. Gezien? Bel 112."
    static let result = "Burgernet: het meisje is gevonden. Dank voor het uitkijken!"


    @Test func anActionTextsEveryoneInsideOnceThroughKannelAndTheEndMessageGoesToExactlyThoseReached() async throws {
        let peer = try KannelPeer()
        defer { peer.stop() }
        try await peer.start()
        // 50 by default; FANOUT_KANNEL_CLI_COUNT, _RATE and FANOUT_KANNEL_WORKERS for the README's measurement.
        let env = ProcessInfo.processInfo.environment
        let count = env["FANOUT_KANNEL_CLI_COUNT"].flatMap { Int($0) }.map { max(9, $0) } ?? 50
        let rate = env["FANOUT_KANNEL_CLI_RATE"].flatMap { Double($0) } ?? 100
        let workers = env["FANOUT_KANNEL_WORKERS"].flatMap { Int($0) } ?? 8
        let fx = try await KannelActionFixture(
            count: count, peer: peer, label: "kannel-action", smsPerSecond: rate, workers: workers)
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        let radius = 0.35 * Double(fx.columns) * 55  // about 40% of the grid inside
        let inside = try fx.oracle(radius: radius)
        #expect(inside.contains(fx.phoneless) && inside.count < count && inside.count > count / 4, "\(inside.count)")
        let texted = inside.filter { $0 != fx.phoneless }
        let phones = Set(texted.map(KannelActionFixture.phone))
        let id = ActionID(rawValue: 1)
        let n = thousands

        // Without --run nothing goes to Kannel: the command only writes the ledger.
        let start = try await fx.action(
            ["start"] + fx.circle(radius: radius) + [
                "--incident-type", "missing-child", "--message", Self.alert, "--channels", "sms", "--confirm",
            ])
        #expect(start.status == 0, "\(start.stderr)")
        // The participant without a phone number is skipped (no channel with contact data).
        #expect(
            start.stdout.contains("action 1 started: \(n(texted.count)) participants queued, 1 skipped (no-channel 1)"),
            "\(start.stdout)")
        #expect(start.stdout.contains("(sms \(n(texted.count)); 1 to skip: opted out or no contact data)"), "\(start.stdout)")
        #expect(
            start.stdout.contains("\(n(texted.count)) messages queued, none handed to Kannel yet"), "\(start.stdout)")
        #expect(try peer.received().isEmpty)
        let ledger = try Ledger.open(at: fx.db)
        #expect(try ledger.messages(of: id).allSatisfy { $0.state == .queued })

        // The run: every SMS through Kannel, and it waits for every delivery report.
        let wall = ContinuousClock.now
        let run = try await fx.action(["run"])
        let runSeconds = (ContinuousClock.now - wall).seconds
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.contains(
                "kannel: \(n(texted.count)) accepted by smsbox, \(n(texted.count)) delivered, 0 failed"),
            "\(run.stdout)")
        #expect(try await eventually { try peer.received(text: Self.alert).count >= texted.count })
        let alerts = try peer.received(text: Self.alert)
        #expect(alerts.count == texted.count)  // exactly one each: nobody twice
        #expect(Set(alerts.map(\.receiver)) == phones)  // everyone inside with a number, nobody outside
        var entries = try ledger.messages(of: id)
        #expect(entries.map(\.key.person) == texted)  // outside-in, as the oracle orders them
        #expect(entries.filter { $0.state == .delivered }.count == texted.count)
        let why = try ledger.explain(action: id, person: fx.phoneless).description
        #expect(why.contains("skipped (no-channel)") && why.contains("no contact data for"), "\(why)")

        // The end message: exactly those reached, each once.
        let endStart = ContinuousClock.now
        let end = try await fx.action(["end", "1", "--result", Self.result, "--run"])
        let endSeconds = (ContinuousClock.now - endStart).seconds
        #expect(end.status == 0, "\(end.stderr)")
        #expect(end.stdout.contains("action 1 ended: \(n(texted.count)) end messages queued"), "\(end.stdout)")
        #expect(try await eventually { try peer.received(text: Self.result).count >= texted.count })
        let ends = try peer.received(text: Self.result)
        #expect(ends.count == texted.count)
        #expect(Set(ends.map(\.receiver)) == phones)
        #expect(try peer.received().count == 2 * texted.count)  // nothing else was sent
        entries = try ledger.messages(of: id).filter { $0.key.kind == .end }
        #expect(entries.count == texted.count && entries.allSatisfy { $0.state == .delivered })

        let status = try await CommandRunner.run(["action", "status", "1", "--db", fx.db], in: fx.dir)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("action 1: ended, missing-child"), "\(status.stdout)")
        #expect(status.stdout.contains("alerts: delivered \(n(texted.count))"), "\(status.stdout)")
        #expect(status.stdout.contains("end messages: delivered \(n(texted.count))"), "\(status.stdout)")
        for r in [start, run, end, status] { #expect(!KannelActionFixture.leaks(r.stdout + r.stderr)) }
        print(
            "Kannel CLI: \(count) participants, \(texted.count) texted through Kannel (sms.perSecond \(rate), "
                + "\(workers) workers): alerts by 'fanout action run' in \(runSeconds) s "
                + "(\(Double(texted.count) / runSeconds) SMS/s), end messages by 'fanout action end --run' in "
                + "\(endSeconds) s (\(Double(texted.count) / endSeconds) SMS/s), each until every delivery report")
    }

    @Test func aRunInterruptedByCtrlCDrainsKannelAndOneKilledLosesNobodyWhenResumed() async throws {
        let peer = try KannelPeer()
        defer { peer.stop() }
        try await peer.start()
        // 25 SMS/s: the alerts take about 12 s, time to interrupt them in the middle.
        let fx = try await KannelActionFixture(
            count: 200, peer: peer, label: "kannel-interrupt", smsPerSecond: 25, batchSize: 5)
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        let radius = Double(fx.columns) * 55  // the whole grid
        let inside = try fx.oracle(radius: radius)
        #expect(inside.count == fx.count)
        let phones = Set(inside.filter { $0 != fx.phoneless }.map(KannelActionFixture.phone))
        let ledger = try Ledger.open(at: fx.db)
        let id = ActionID(rawValue: 1)
        let batch = 16  // --ledger-batch: hand-overs whose state may be unwritten at a kill

        // Ctrl-C in the middle of the alerts: the run stops handing over, waits for the reports of
        // what Kannel has taken, writes the ledger and exits 130.
        let start = try await Self.spawn(
            fx,
            ["start"] + fx.circle(radius: radius) + [
                "--incident-type", "missing-child", "--message", Self.alert, "--channels", "sms", "--run",
                "--ledger-batch", "\(batch)",
            ], output: "start.out")
        #expect(try await eventually { try peer.received(text: Self.alert).count >= 60 })
        _ = kill(start.pid, SIGINT)  // 0, or -1 if it is gone: the exit status tells
        let status = try await Self.exitStatus(of: start)
        let startOutput = try String(contentsOf: fx.dir.appendingPathComponent("start.out"), encoding: .utf8)
        #expect(status == 130, "\(startOutput)")
        #expect(startOutput.contains("run: interrupted") && startOutput.contains("interrupted by signal 2"))
        var entries = try ledger.messages(of: id)
        let delivered = entries.filter { $0.state == .delivered }.count
        #expect(entries.filter { $0.state == .sent }.isEmpty)  // nothing left in flight
        #expect(delivered >= 60 && entries.filter { $0.state == .queued }.count > 50, "\(delivered) delivered")
        #expect(try peer.received(text: Self.alert).count == delivered)

        let resumed = try await fx.action(["run", "--ledger-batch", "\(batch)"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try await eventually { try peer.received(text: Self.alert).count >= phones.count })
        let alerts = try peer.received(text: Self.alert)
        #expect(alerts.count == phones.count && Set(alerts.map(\.receiver)) == phones)  // once each, nobody lost

        // kill -9 in the middle of the end messages: nobody is lost when resumed; a repeat is only
        // possible for what the ledger shows in flight (plus one unwritten batch).
        let end = try await Self.spawn(
            fx, ["end", "1", "--result", Self.result, "--run", "--ledger-batch", "\(batch)"], output: "end.out")
        #expect(try await eventually { try peer.received(text: Self.result).count >= 60 })
        _ = kill(end.pid, SIGKILL)
        _ = try await Self.exitStatus(of: end)
        entries = try ledger.messages(of: id).filter { $0.key.kind == .end }
        let inFlight = entries.filter { $0.state == .sent }.count
        let last = try await fx.action(["run", "--ledger-batch", "\(batch)"])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(try await eventually { Set(try peer.received(text: Self.result).map(\.receiver)) == phones })
        let ends = try peer.received(text: Self.result)
        let repeats = ends.count - Set(ends.map(\.receiver)).count
        #expect(repeats <= inFlight + batch, "\(repeats) repeats, \(inFlight) in flight at the kill")
        entries = try ledger.messages(of: id)
        #expect(entries.filter { $0.key.kind == .end }.count == phones.count)
        #expect(entries.allSatisfy { $0.state == .delivered || ($0.key.person == fx.phoneless && $0.state == .failed) })
        let endOutput = try String(contentsOf: fx.dir.appendingPathComponent("end.out"), encoding: .utf8)
        for text in [startOutput, endOutput, resumed.stdout + resumed.stderr, last.stdout + last.stderr] {
            #expect(!KannelActionFixture.leaks(text))
        }
        print(
            "Kannel CLI interrupted: Ctrl-C after \(delivered) alerts, 0 repeats; kill -9 with \(inFlight) end messages in flight, \(repeats) repeats"
        )
    }

    /// Starts `fanout action ARGS --db --config` as a child process (signals unblocked), output to a file.
    static func spawn(_ fx: KannelActionFixture, _ arguments: [String], output: String) async throws -> ChildProcess {
        let path = try CommandRunner.executable().path
        return try ChildProcess(path, ["action"] + arguments + fx.desk, output: fx.dir.appendingPathComponent(output))
    }

    /// Waits (polling, without blocking a thread) for `process` to exit; its exit code, or 128 + the
    /// signal that ended it.
    static func exitStatus(of process: ChildProcess, seconds: Double = 120) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let (exited, status) = process.poll()
            if exited { return status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f) }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw KannelPeerError("fanout did not exit within \(Int(seconds)) s")
    }
}
