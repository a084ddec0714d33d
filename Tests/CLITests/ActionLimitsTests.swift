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

/// Limits a user can reach through `fanout action`, run as a real process: configuration values
/// that crashed the planner, the confirmation threshold on enlargements, and text lengths per channel.
@Suite(.serialized) struct ActionLimitsTests {
    static let shared: Result<ActionFixture, any Error> = Result { try ActionFixture(count: 3000, label: "limits") }

    /// A process that trapped shows a signal's status and a backtrace instead of a message.
    /// `status`: 3 for a configuration file that cannot be used, 2 for the confirmation threshold.
    static func expectCleanRefusal(_ r: CommandResult, _ message: String, _ comment: String, status: Int32 = 2) {
        #expect(r.status == status, "\(comment): status \(r.status)")
        #expect(!r.stderr.contains("Usage:"), "\(comment): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(comment): \(r.stderr)")
        for crash in ["Fatal error", "backtrace", "Crash", "Illegal instruction", "Trace/breakpoint"] {
            #expect(!r.stderr.contains(crash), "\(comment): \(r.stderr)")
        }
    }

    func start(_ fx: ActionFixture, radius: Int, _ more: [String]) async throws -> CommandResult {
        try await fx.action(
            [
                "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "\(radius)",
                "--incident-type", "burglary", "--message", "Red van",
            ] + more)
    }

    @Test(arguments: [
        (#"{"sms": {"perSecond": 1e-9}}"#, "sms.perSecond: 1e-09 is below the minimum 0.01"),
        (#"{"voice": {"typicalCallSeconds": 1e308}}"#, "voice.typicalCallSeconds: 1e+308 is above the maximum 3600"),
        (#"{"voice": {"lines": 9223372036854775807}}"#, "voice.lines: 9223372036854775807 is above the maximum 100000"),
        (
            #"{"retry": {"attemptsPerChannel": 10, "backoffFactor": 10}}"#,
            "retry: the last retry would wait 6000000000 s (backoffSeconds × backoffFactor^(attemptsPerChannel − 2)), "
                + "more than a day (86400 s)"
        ),
    ])
    func configurationsThatCrashedThePlannerAreRefusedNamingFileAndKey(json: String, message: String) async throws {
        let fx = try Self.shared.get()
        let path = try fx.write("crash-\(abs(json.hashValue)).json", json)
        let before = try Ledger.open(at: fx.db).summaries().count
        let r = try await start(fx, radius: 300, ["--config", path])
        Self.expectCleanRefusal(r, "\(path): \(message)", json, status: 3)
        #expect(try Ledger.open(at: fx.db).summaries().count == before)
    }

    @Test func theSlowestAcceptedLimitsGiveAnEstimateBeyondTheBoundInsteadOfATrap() async throws {
        let fx = try Self.shared.get()
        // One line, hour-long calls: 3,000 rounds of an hour is 125 days, past the 100-day bound.
        // A threshold of 1 stops the action after the plan is printed: nothing is queued.
        let path = try fx.write(
            "slowest.json", #"{"voice": {"lines": 1, "typicalCallSeconds": 3600}, "confirmationThresholds": {"*": 1}}"#)
        let n = try fx.oracle(fx.centre, radius: 3000).count
        #expect(n > 2400, "grid: \(n)")
        let r = try await start(fx, radius: 3000, ["--config", path, "--channels", "voice"])
        Self.expectCleanRefusal(r, "more than the 1 usual for a 'burglary' action", "slowest")
        #expect(r.stdout.contains("plan: \(thousands(n)) participants"), "\(r.stdout)")
        #expect(r.stdout.contains("last recipient after more than 100 days"), "\(r.stdout)")
        // 0.01 SMS per second, at the bound: n participants take 100 n seconds, shown exactly.
        let slow = try fx.write("slow-sms.json", #"{"sms": {"perSecond": 0.01}, "confirmationThresholds": {"*": 1}}"#)
        let small = try fx.oracle(fx.centre, radius: 120).count
        #expect(small > 1)  // refused by the threshold of 1: nothing is queued
        let s = try await start(fx, radius: 120, ["--config", slow, "--channels", "sms"])
        Self.expectCleanRefusal(s, "more than the 1 usual", "slow SMS")
        #expect(s.stdout.contains("last recipient at T+\(ActionTextOracle.time(Double(small) * 100))"), "\(s.stdout)")
    }

    @Test func anEnlargementPastTheThresholdNeedsConfirmAndOddAreasDrawWarnings() async throws {
        let fx = try Self.shared.get()
        let config = try fx.write("enlarge.json", #"{"confirmationThresholds": {"burglary": 50, "*": 100000}}"#)
        let inner = try fx.oracle(fx.centre, radius: 150)
        let outer = try fx.oracle(fx.centre, radius: 400)
        #expect(inner.count > 10 && inner.count <= 50 && outer.count > 50, "\(inner.count), \(outer.count)")
        let common = ["--config", config, "--simulation", "ideal"]
        let started = try await start(fx, radius: 150, common)
        #expect(started.status == 0, "\(started.stderr)")
        let id = try #require(try Ledger.open(at: fx.db).summaries().last?.id)
        let centre = ["enlarge", "\(id)", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)"]

        let refused = try await fx.action(centre + ["--radius", "400"] + common)
        Self.expectCleanRefusal(
            refused,
            "enlarging action \(id) would give it \(thousands(outer.count)) persons, more than the 50 usual for a "
                + "'burglary' action; check the area and repeat with --confirm to enlarge", "unconfirmed")
        #expect(
            refused.stdout.contains(
                "enlargement of action \(id): \(thousands(outer.count)) persons in the new area, "
                    + "\(thousands(outer.count - inner.count)) not yet included"), "\(refused.stdout)")
        #expect(try Ledger.open(at: fx.db).summary(of: id).included == inner.count)  // nobody added

        let confirmed = try await fx.action(centre + ["--radius", "400", "--confirm"] + common)
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        #expect(confirmed.stdout.contains("\(thousands(outer.count - inner.count)) participants added"))
        #expect(try Ledger.open(at: fx.db).summary(of: id).included == outer.count)

        // A smaller area adds nobody: no confirmation needed, but a warning.
        let smaller = try await fx.action(centre + ["--radius", "100"] + common)
        #expect(smaller.status == 1, "\(smaller.stderr)")  // done, with a warning
        let few = try fx.oracle(fx.centre, radius: 100).count
        #expect(
            smaller.stderr.contains(
                "warning: the new area lists \(thousands(few)) persons, fewer than the \(thousands(outer.count))"),
            "\(smaller.stderr)")
        // An area elsewhere on the grid shares nobody with the action.
        let corner = LonLat(lon: ActionFixture.origin.lon + 0.0008 * 3, lat: ActionFixture.origin.lat + 0.0005 * 3)
        let far = try await fx.action(
            ["enlarge", "\(id)", "--lon", "\(corner.lon)", "--lat", "\(corner.lat)", "--radius", "200", "--confirm"]
                + common)
        #expect(far.status == 1, "\(far.stderr)")
        #expect(
            far.stderr.contains(
                "warning: none of the \(thousands(outer.count)) persons already included is inside the new area"),
            "\(far.stderr)")
        let stop = try await fx.action(["stop", "\(id)"] + common)
        #expect(stop.status == 0, "\(stop.stderr)")
    }

    @Test func textsTooLongForTheirChannelsAreRefusedNamingOptionChannelAndLength() async throws {
        let fx = try Self.shared.get()
        let before = try Ledger.open(at: fx.db).summaries().count
        // 919 GSM characters need 7 SMS: refused before anything is selected or queued (exit 64).
        let sms = try await start(
            fx, radius: 100, ["--message", String(repeating: "a", count: 919), "--channels", "sms"])
        #expect(sms.status == 64, "\(sms.stderr)")
        #expect(sms.stderr.contains("--message: too long for sms: 919 GSM 7-bit characters take 7 SMS; at most 6"))
        // The default channels of an urgent action include voice: 1,001 characters are too long to speak.
        let voice = try await start(fx, radius: 100, ["--message", String(repeating: "b", count: 1001)])
        #expect(
            voice.stderr.contains("--message: too long for voice: 1001 characters; at most 1000"), "\(voice.stderr)")
        // By e-mail the same text fits, and the action starts.
        let email = try await start(
            fx, radius: 100, ["--message", String(repeating: "b", count: 1001), "--channels", "email"])
        #expect(email.status == 0, "\(email.stderr)")
        let photo = try await start(fx, radius: 100, ["--photo-url", "file:///etc/passwd", "--channels", "email"])
        #expect(
            photo.stderr.contains("--photo-url: 'file:///etc/passwd' is not an http or https URL"), "\(photo.stderr)")
        #expect(try Ledger.open(at: fx.db).summaries().count == before + 1)  // only the e-mail action started

        // The end's result is checked on the action's channels by the dispatcher (nothing ended).
        let id = try #require(try Ledger.open(at: fx.db).summaries().last?.id)
        let long = try await fx.action(["end", "\(id)", "--result", String(repeating: "c", count: 10_001)])
        #expect(long.status == 2, "\(long.stderr)")  // the dispatcher refuses the request
        #expect(long.stderr.contains("result: too long for email: 10001 characters; at most 10000"), "\(long.stderr)")
        #expect(try Ledger.open(at: fx.db).state(of: id) == .running)
        let ended = try await fx.action(["end", "\(id)", "--result", "Found.", "--run"])
        #expect(ended.status == 0, "\(ended.stderr)")
    }
}
