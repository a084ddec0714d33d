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

/// `fanout action` run as a real process against a registry built by `fanout import`; every
/// figure is checked against the brute-force selection, the planner's arithmetic done by hand,
/// and the ledger read directly.
@Suite(.serialized) struct ActionCommandTests {
    static let shared: Result<ActionFixture, any Error> = Result { try ActionFixture(count: 3000, label: "action") }

    /// Expected planner time by hand: SMS n / 100 per second; voice ⌈n / 600⌉ rounds of 60 s.
    static func expectedLastSeconds(_ ids: [Int64]) -> Double {
        let voice = ids.filter { ($0 - 1) % 3 == 0 }.count
        let sms = ids.count - voice
        return max(Double(sms) / 100, Double((voice + 599) / 600) * 60)
    }

    @Test func actionRunsFromStartThroughEnlargementToItsEndMessageOnVirtualTime() async throws {
        let fx = try Self.shared.get()
        let inner = try fx.oracle(fx.centre, radius: 500)
        let outer = try fx.oracle(fx.centre, radius: 900)
        #expect(inner.count > 100 && outer.count > inner.count + 100, "grid too sparse: \(inner.count), \(outer.count)")
        let ledger = try Ledger.open(at: fx.db)
        let id = try #require(try Self.nextActionID(fx))
        let centre = ["--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)"]
        let common = ["--simulation", "ideal"]

        let start = try await fx.action(
            ["start"] + centre + [
                "--radius", "500", "--incident-type", "missing-child", "--message", "Boy (8), red coat",
                "--channels", "sms,voice", "--run",
            ] + common)
        #expect(start.status == 0, "\(start.stderr)")
        let expected = Self.expectedLastSeconds(inner)
        #expect(start.stdout.contains("plan: \(thousands(inner.count)) participants"), "\(start.stdout)")
        #expect(start.stdout.contains("last recipient at T+\(ActionTextOracle.time(expected))"), "\(start.stdout)")
        #expect(start.stdout.contains("action \(id) started: \(thousands(inner.count)) participants queued"))
        var alerts = try ledger.messages(of: id).filter { $0.key.kind == .alert }
        #expect(alerts.map(\.key.person) == inner)  // everyone inside, outside-in
        #expect(alerts.allSatisfy { $0.state == .delivered })
        // Ideal providers: the simulated finish is the planner's estimate (ms in the ledger).
        let lastMs = alerts.map { $0.updatedAt }.max() ?? .zero
        #expect(abs(lastMs.seconds - expected) < 0.002, "last alert at \(lastMs), planned \(expected) s")

        let enlarge = try await fx.action(["enlarge", "\(id)"] + centre + ["--radius", "900", "--run"] + common)
        #expect(enlarge.status == 0, "\(enlarge.stderr)")
        #expect(
            enlarge.stdout.contains("\(thousands(outer.count - inner.count)) participants added"), "\(enlarge.stdout)")
        alerts = try ledger.messages(of: id).filter { $0.key.kind == .alert }
        // The first area's people first, then the rest of the larger area in its own outside-in order.
        #expect(alerts.map(\.key.person) == inner + outer.filter { !Set(inner).contains($0) })

        let end = try await fx.action(["end", "\(id)", "--result", "Found safe. Thank you.", "--run"] + common)
        #expect(end.status == 0, "\(end.stderr)")
        let messages = try ledger.messages(of: id)
        let reached = Set(messages.filter { $0.key.kind == .alert && $0.state == .delivered }.map(\.key.person))
        let ended = messages.filter { $0.key.kind == .end }
        #expect(reached == Set(outer))
        #expect(Set(ended.map(\.key.person)) == reached && ended.count == reached.count)
        #expect(ended.allSatisfy { $0.state == .delivered })

        let status = try await fx.action(["status", "\(id)"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("action \(id): ended, missing-child"), "\(status.stdout)")
        #expect(status.stdout.contains("\(thousands(outer.count)) included, \(thousands(outer.count)) reached"))
        #expect(status.stdout.contains("end messages: delivered \(thousands(outer.count))"))
        #expect(status.stdout.contains("| 500–1000 |"), "ring report: \(status.stdout)")

        let lastAdded = outer.last { !Set(inner).contains($0) } ?? 0  // the last alerted: closest of the enlargement
        let explain = try await fx.action(["explain", "\(id)", "\(lastAdded)"])
        #expect(explain.status == 0, "\(explain.stderr)")
        #expect(
            explain.stdout.contains("position \(thousands(outer.count)) of \(thousands(outer.count))"),
            "\(explain.stdout)")
        #expect(explain.stdout.contains("end message: delivered"))
        for r in [start, enlarge, end, status, explain] {
            #expect(!ActionFixture.leaksContactDetails(r.stdout + r.stderr))
        }
    }

    @Test func badTransitionsAndUnknownActionsAreRefusedWithClearErrors() async throws {
        let fx = try Self.shared.get()
        let id = try #require(try Self.nextActionID(fx))
        let started = try await fx.action(
            [
                "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "200", "--incident-type",
                "burglary", "--message", "Two men, white van", "--run", "--simulation", "ideal",
            ])
        #expect(started.status == 0, "\(started.stderr)")
        let stop = try await fx.action(["stop", "\(id)"])
        #expect(stop.status == 0, "\(stop.stderr)")
        let stopAgain = try await fx.action(["stop", "\(id)"])
        #expect(
            stopAgain.status == 2 && stopAgain.stderr.contains("cannot stop action \(id): it is stopped"),
            "\(stopAgain.stderr)")
        let end = try await fx.action(["end", "\(id)", "--result", "Arrested", "--run"])
        #expect(end.status == 0, "\(end.stderr)")
        // 2: a transition the action's state refuses, or an unknown action; 64: a usage error.
        let cases: [([String], String, Int32)] = [
            (
                ["enlarge", "\(id)", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "400"],
                "cannot enlarge action \(id): it is ended", 2
            ),
            (["end", "\(id)", "--result", "Again"], "cannot end action \(id): it is ended", 2),
            (["stop", "\(id)"], "cannot stop action \(id): it is ended", 2),
            (["end", "999", "--result", "x"], "no action 999", 2),
            (["status", "999"], "no action 999", 2),
            (["explain", "999", "1"], "no action 999", 2),
            (["end", "\(id)", "--result", "  "], "--result must not be empty", 64),
            (["stop", "0"], "invalid for '<action>'", 64),
        ]
        for (args, message, status) in cases {
            let r = try await fx.action(args)
            #expect(r.status == status, "\(args): \(r.status)")
            #expect(r.stderr.contains("Usage:") == (status == 64), "\(args): \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }

    @Test func theInterlockRefusesALargeActionWithoutConfirmAndSendsNothing() async throws {
        let fx = try Self.shared.get()
        let config = try fx.write("small.json", #"{"confirmationThresholds": {"burglary": 50, "*": 100000}}"#)
        let before = try Ledger.open(at: fx.db).summaries().count
        let area = ["--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "400"]
        let n = try fx.oracle(fx.centre, radius: 400).count
        #expect(n > 50)
        let refused = try await fx.action(
            ["start"] + area + ["--incident-type", "burglary", "--message", "m", "--config", config])
        #expect(refused.status == 2)  // a policy refusal, not a usage error
        #expect(!refused.stderr.contains("Usage:"), "\(refused.stderr)")
        #expect(refused.stdout.contains("plan: \(thousands(n)) participants"), "\(refused.stdout)")
        #expect(refused.stderr.contains("more than the 50 usual for a 'burglary' action"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--confirm"))
        #expect(try Ledger.open(at: fx.db).summaries().count == before)  // nothing started, nothing sent
        let confirmed = try await fx.action(
            ["start"] + area + ["--incident-type", "burglary", "--message", "m", "--config", config, "--confirm"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(try Ledger.open(at: fx.db).summaries().count == before + 1)
        let done = try await fx.action(["run"])  // finish it so later tests start from an idle ledger
        #expect(done.status == 0, "\(done.stderr)")
    }

    @Test(arguments: [
        (#"{"voice": {"lines": 0, "typicalCallSeconds": 60}}"#, "voice.lines: 0 is below the minimum 1"),
        (#"{"sms": {"perSecond": -1, "batchSize": 10}}"#, "sms.perSecond: -1 is below the minimum 0.01"),
        (#"{"voice": "#, "not valid JSON: line 1: the text ends early"),
    ])
    func badConfigIsRefusedNamingTheFileAndKey(json: String, message: String) async throws {
        let fx = try Self.shared.get()
        let path = try fx.write("bad-\(abs(json.hashValue)).json", json)
        let r = try await fx.action(
            [
                "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "100", "--incident-type",
                "burglary", "--message", "m", "--config", path,
            ])
        #expect(r.status == 3)  // a configuration file that cannot be used
        #expect(r.stderr.contains(path) && r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func badArgumentsAreRefused() async throws {
        let fx = try Self.shared.get()
        let cases: [([String], String)] = [
            (
                ["start", "--lon", "5.1", "--lat", "52.1", "--radius=-5", "--incident-type", "x", "--message", "m"],
                "--radius must be greater than 0"
            ),
            (
                ["start", "--lon", "5.1", "--radius", "5", "--incident-type", "x", "--message", "m"],
                "--lon and --lat go together"
            ),
            (
                [
                    "start", "--lon", "5.1", "--lat", "52.1", "--radius", "5", "--incident-type", "x", "--message", "m",
                    "--simulation", "perfect",
                ], "unknown simulation 'perfect'"
            ),
            (
                [
                    "start", "--lon", "5.1", "--lat", "52.1", "--radius", "5", "--incident-type", "x", "--message", "m",
                    "--channels", "sms,pigeon",
                ], "--channels"
            ),
            (["run", "--speed", "3"], "--speed applies to --clock real only"),
            (
                ["start", "--lon", "5.1", "--lat", "52.1", "--radius", "5", "--incident-type", "x", "--message", " "],
                "--message must not be empty"
            ),
        ]
        for (args, message) in cases {
            let r = try await fx.action(args)
            #expect(r.status == 64, "\(args): \(r.status)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
        let missing = try await CommandRunner.run([
            "action", "run", "--db", fx.dir.appendingPathComponent("none.sqlite").path,
        ])
        #expect(missing.status == 3 && missing.stderr.contains("no such registry"), "\(missing.stderr)")
    }

    @Test func actionRunsOnTheRealClock() async throws {
        let fx = try Self.shared.get()
        let ids = try fx.oracle(fx.centre, radius: 300)
        let id = try #require(try Self.nextActionID(fx))
        let speed = 20.0
        let wall = ContinuousClock.now
        let start = try await fx.action(
            [
                "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "300", "--incident-type",
                "missing-child", "--message", "m", "--channels", "sms", "--clock", "real", "--speed", "\(speed)",
                "--run",
                "--simulation", "ideal",
            ])
        #expect(start.status == 0, "\(start.stderr)")
        let end = try await fx.action(
            [
                "end", "\(id)", "--result", "found", "--clock", "real", "--speed", "\(speed)", "--run", "--simulation",
                "ideal",
            ])
        #expect(end.status == 0, "\(end.stderr)")
        let elapsed = (ContinuousClock.now - wall).seconds
        // Alerts then end messages, each ids.count / 100 s of dispatcher time at `speed`: the real
        // clock was waited on (a virtual clock would not wait at all).
        #expect(elapsed >= 2 * Double(ids.count) / 100 / speed * 0.9, "took \(elapsed) s")
        let messages = try Ledger.open(at: fx.db).messages(of: id)
        #expect(messages.filter { $0.key.kind == .alert && $0.state == .delivered }.count == ids.count)
        #expect(messages.filter { $0.key.kind == .end && $0.state == .delivered }.count == ids.count)
    }

    /// The id the next action will get (actions are numbered from 1 in the ledger).
    static func nextActionID(_ fx: ActionFixture) throws -> ActionID? {
        let all = try Ledger.open(at: fx.db).summaries()
        return ActionID(rawValue: (all.last?.id.rawValue ?? 0) + 1)
    }
}

/// The CLI's time format, written independently of it: `42.5 s` below a minute, else `m:ss`.
enum ActionTextOracle {
    static func time(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        let s = Int(seconds.rounded())
        return s >= 3600
            ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
