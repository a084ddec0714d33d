import Foundation
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Every number of the dispatcher's configuration has a range: its bounds are accepted, a value
/// just outside is refused naming the file, the key path, the value and the bound; and the planner
/// never traps, on an accepted configuration or on one nobody validated.
@Suite struct DispatchConfigRangeTests {
    /// Each key at its minimum and maximum (as a JSON member), and a value just outside each bound.
    static let bounds: [(template: String, key: String, min: Double, max: Double, below: Double, above: Double)] = [
        (#"{"voice": {"lines": V}}"#, "voice.lines", 1, 100_000, 0, 100_001),
        (#"{"voice": {"typicalCallSeconds": V}}"#, "voice.typicalCallSeconds", 1, 3600, 0.5, 3600.5),
        (#"{"sms": {"perSecond": V}}"#, "sms.perSecond", 0.01, 1_000_000, 1e-9, 1e7),
        (#"{"email": {"perSecond": V}}"#, "email.perSecond", 0.01, 1_000_000, 0.009, 1_000_001),
        (#"{"app": {"batchSize": V}}"#, "app.batchSize", 1, 100_000, 0, 100_001),
        (
            #"{"confirmationThresholds": {"burglary": V}}"#, "confirmationThresholds.burglary", 1,
            100_000_000, 0, 100_000_001
        ),
        (#"{"retry": {"attemptsPerChannel": V}}"#, "retry.attemptsPerChannel", 1, 10, 0, 11),
        (#"{"retry": {"backoffSeconds": V}}"#, "retry.backoffSeconds", 0, 86_400, -1, 86_401),
        (#"{"retry": {"backoffFactor": V}}"#, "retry.backoffFactor", 1, 10, 0.99, 10.5),
        (#"{"backPressure": {"decreaseFactor": V}}"#, "backPressure.decreaseFactor", 0.01, 0.99, 0, 1),
        (#"{"backPressure": {"increaseFraction": V}}"#, "backPressure.increaseFraction", 0.001, 1, 0, 1.5),
        (#"{"backPressure": {"pauseSeconds": V}}"#, "backPressure.pauseSeconds", 0, 3600, -0.5, 3601),
        (#"{"backPressure": {"minimumFraction": V}}"#, "backPressure.minimumFraction", 0.001, 1, 0.0005, 2),
    ]

    /// The template with `V` replaced by `value` (whole numbers without a fraction: some keys are integers).
    static func json(_ template: String, _ value: Double) -> String {
        template.replacingOccurrences(
            of: "V", with: value.rounded() == value && abs(value) < 1e15 ? "\(Int64(value))" : "\(value)")
    }

    static func refusal(_ json: String) -> String? {
        do {
            _ = try DispatchConfig.parse(Data(json.utf8), source: "dispatch.json")
            return nil
        } catch {
            return (error as? DispatchError)?.code == .invalidConfig ? "\(error)" : "not a DispatchError: \(error)"
        }
    }

    @Test func eachBoundIsAcceptedAndAValueJustOutsideIsRefusedNamingFileKeyValueAndBound() {
        for b in Self.bounds {
            #expect(Self.refusal(Self.json(b.template, b.min)) == nil, "\(b.key) = \(b.min)")
            #expect(Self.refusal(Self.json(b.template, b.max)) == nil, "\(b.key) = \(b.max)")
            let below = Self.refusal(Self.json(b.template, b.below)) ?? "accepted"
            #expect(
                below.hasPrefix("dispatch.json: \(b.key): ") && below.contains("is below the minimum"),
                "\(b.key) = \(b.below): \(below)")
            let above = Self.refusal(Self.json(b.template, b.above)) ?? "accepted"
            #expect(
                above.hasPrefix("dispatch.json: \(b.key): ") && above.contains("is above the maximum"),
                "\(b.key) = \(b.above): \(above)")
        }
    }

    @Test func theHostileTestersValuesAreRefusedWithTheExactMessage() {
        #expect(
            Self.refusal(#"{"sms": {"perSecond": 1e-9}}"#)
                == "dispatch.json: sms.perSecond: 1e-09 is below the minimum 0.01")
        #expect(
            Self.refusal(#"{"voice": {"typicalCallSeconds": 1e308}}"#)
                == "dispatch.json: voice.typicalCallSeconds: 1e+308 is above the maximum 3600")
    }

    @Test func aRetryWaitOfMoreThanADayIsRefusedThoughEachNumberIsInRange() {
        // 60 s × 10^8 before the tenth attempt.
        let r = Self.refusal(#"{"retry": {"attemptsPerChannel": 10, "backoffSeconds": 60, "backoffFactor": 10}}"#)
        #expect(r?.contains("retry: the last retry would wait 6000000000 s") == true, "\(r ?? "accepted")")
        // 337.5 s × 2^8 = 86,400 s: exactly a day is allowed.
        #expect(Self.refusal(#"{"retry": {"attemptsPerChannel": 10, "backoffSeconds": 337.5}}"#) == nil)
    }

    @Test func thePlannerStaysWithinItsBoundAtTheSlowestAcceptedLimits() throws {
        let slow = try DispatchConfig.parse(
            Data(#"{"voice": {"lines": 1, "typicalCallSeconds": 3600}, "sms": {"perSecond": 0.01}}"#.utf8))
        let e = Planner.estimate(recipients: [.voice: 1_600_000, .sms: 10, .email: Int.max], config: slow)
        // 10 SMS at 0.01/s: 1,000 s, computed by hand.
        #expect(e.perChannel[.sms] == .seconds(1000))
        // 1.6M calls of an hour on one line, and Int.max e-mails: beyond 100 days, given as the bound.
        #expect(e.perChannel[.voice] == Planner.longestEstimate)
        #expect(e.perChannel[.email] == Planner.longestEstimate)
        #expect(e.exceedsLongest && e.lastRecipientAt == .seconds(8_640_000))
        let fast = Planner.estimate(recipients: [.sms: 1000], config: DispatchConfig())
        #expect(!fast.exceedsLongest && fast.lastRecipientAt == .seconds(10))
    }

    @Test func thePlannerDoesNotTrapOnAConfigurationNobodyValidated() {
        var c = DispatchConfig()
        c.voice = .init(lines: 0, typicalCallSeconds: 1e308)
        c.sms = .init(perSecond: 0, batchSize: 0)
        c.email = .init(perSecond: -5, batchSize: 1)
        c.app = .init(perSecond: .nan, batchSize: 1)
        let e = Planner.estimate(recipients: [.voice: Int.max, .sms: 5, .email: 5, .app: 5], config: c)
        for channel in Channel.allCases { #expect(e.perChannel[channel] == Planner.longestEstimate, "\(channel)") }
    }

    @Test func durationsFromSecondsSaturateInsteadOfTrapping() {
        #expect(Duration.seconds(fractional: 1e308) == .seconds(1_000_000_000))
        #expect(Duration.seconds(fractional: -.infinity) == .seconds(-1_000_000_000))
        #expect(Duration.seconds(fractional: .nan) == .zero)
        #expect(Duration.seconds(fractional: 1.5) == .milliseconds(1500))
        // A retry wait of an unvalidated policy: 60 × 10^300 s.
        let retry = DispatchConfig.Retry(attemptsPerChannel: 302, backoffSeconds: 60, backoffFactor: 10)
        #expect(retry.backoff(after: 301) == .seconds(1_000_000_000))
    }

    @Test func aConfigurationFileOverOneMebibyteIsRefusedWithoutReadingItAll() throws {
        let dir = try Fixtures.temporaryDirectory("config-size")
        let big = dir.appendingPathComponent("dispatch.json")
        let padding = String(repeating: " ", count: DispatchConfig.maxFileBytes)
        try ("{}" + padding).write(to: big, atomically: true, encoding: .utf8)
        #expect {
            try DispatchConfig.load(from: big)
        } throws: { error in
            "\(error)" == "\(big.path): larger than 1,048,576 bytes; the dispatcher configuration is a small JSON file"
        }
        // Exactly the limit is read and parsed.
        try ("{}" + padding.dropLast(2)).write(to: big, atomically: true, encoding: .utf8)
        #expect(try DispatchConfig.load(from: big) == DispatchConfig())
        // An endless "file" is refused after limit + 1 bytes instead of filling the memory.
        if FileManager.default.fileExists(atPath: "/dev/zero") {
            #expect(throws: DispatchError.self) { try DispatchConfig.load(from: URL(fileURLWithPath: "/dev/zero")) }
        }
    }
}
