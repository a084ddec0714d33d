import Foundation
import Participants
import Testing

@testable import FanOut
import Geo
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Quiet hours checked again after inclusion: before a retry, before a fallback and before the end
/// message, on virtual time with Dutch local times computed by hand (CET = UTC+1 in January).
@Suite struct QuietHoursLaterTests {
    static func quiet(_ text: String) throws -> QuietHours { try QuietHours(parsing: text) }

    /// Calls that are never answered (30 s each); retries after 60 s (factor 1).
    static func unanswered() -> RecordingProvider {
        RecordingProvider { _ in ProviderOutcome(.noAnswer, after: .seconds(30)) }
    }

    static func config(fallback: Bool) -> DispatchConfig {
        DispatchConfig(retry: .init(attemptsPerChannel: 3, backoffSeconds: 60, backoffFactor: 1, fallback: fallback))
    }

    /// Dispatcher time zero at 22:58:00 local time (21:58 UTC, 15 January 2026).
    static let at2258 = DispatchOptions(wallClockAtZero: Date(timeIntervalSince1970: 1_768_514_280))

    @Test func theHandComputedInstantIsTwoMinutesToEleven() throws {
        let c = DispatchCore.amsterdam.dateComponents([.hour, .minute], from: try #require(Self.at2258.wallClockAtZero))
        #expect(c.hour == 22 && c.minute == 58)
    }

    @Test func aRetryThatWouldFallInQuietHoursGoesToTheNextChannelAtOnce() async throws {
        let voice = Self.unanswered()
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(
            config: Self.config(fallback: true), providers: [.voice: voice, .sms: sms], clock: VirtualClock(),
            ledger: ledger, options: Self.at2258)
        let person = Recipient(
            id: 1, distanceMeters: 10, channels: [.voice, .sms], quietHours: try Self.quiet("voice 23:00-07:00"))
        let id = try d.start(Fixture.request([.voice, .sms]), recipients: [person])
        try await d.runUntilIdle()
        // Voice at 0 s (22:58:00), no answer at 30 s; again at 90 s (22:59:30), no answer at 120 s;
        // the third call would be at 180 s = 23:01, quiet for voice: SMS at once, at 120 s.
        #expect(voice.records.map(\.time) == [.zero, .seconds(90)])
        #expect(sms.records.map(\.time) == [.seconds(120)])
        #expect(sms.records.map(\.message.attempt) == [3])
        let why = try d.explain(action: id, person: 1)
        #expect(why.events.map(\.event) == [.included, .retry, .fallback])
        #expect(why.description.contains("fallback, attempt 3 on sms (not voice at 23:01: quiet hours)"), "\(why)")
    }

    @Test func withoutFallbackARetryInQuietHoursIsGivenUpAndSaysWhy() async throws {
        let voice = Self.unanswered()
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(
            config: Self.config(fallback: false), providers: [.voice: voice], clock: VirtualClock(), ledger: ledger,
            options: Self.at2258)
        let person = Recipient(id: 1, distanceMeters: 10, quietHours: try Self.quiet("voice 23:00-07:00"))
        let id = try d.start(Fixture.request([.voice]), recipients: [person])
        try await d.runUntilIdle()
        #expect(voice.records.map(\.time) == [.zero, .seconds(90)])
        #expect(try d.status(id).alerts == [.failed: 1])
        let why = try d.explain(action: id, person: 1)
        #expect(why.events.map(\.event) == [.included, .retry, .gaveUp])
        #expect(
            why.description.contains(
                "attempt 2 on voice: noAnswer; gave up: the next attempt (voice at 23:01 local time) falls in the "
                    + "person's quiet hours (voice 23:00-07:00)"), "\(why)")
    }

    @Test func anExceptedIncidentTypeKeepsRetryingThroughTheQuietHours() async throws {
        let voice = Self.unanswered()
        let d = Dispatcher(
            config: Self.config(fallback: false), providers: [.voice: voice], clock: VirtualClock(),
            options: Self.at2258)
        let person = Recipient(
            id: 1, distanceMeters: 10, quietHours: try Self.quiet("voice 23:00-07:00 except missing-child"))
        _ = try d.start(Fixture.request([.voice], type: "missing-child"), recipients: [person])
        try await d.runUntilIdle()
        #expect(voice.records.map(\.time) == [.zero, .seconds(90), .seconds(180)])
    }

    /// Person 1 quiet for SMS from 23:00 to 07:00; person 2 never quiet. Dispatcher time zero at
    /// 22:50 local (21:50 UTC, 15 January 2026); the action ends at 1,200 s = 23:10.
    static let at2250 = DispatchOptions(wallClockAtZero: Date(timeIntervalSince1970: 1_768_513_800))

    static func twoPersons() throws -> [Recipient] {
        [
            Recipient(id: 1, distanceMeters: 20, channels: [.sms], quietHours: try quiet("sms 23:00-07:00")),
            Recipient(id: 2, distanceMeters: 10, channels: [.sms]),
        ]
    }

    @Test func anEndMessageInQuietHoursWaitsUntilTheyEnd() async throws {
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let clock = VirtualClock()
        let d = try Dispatcher(providers: [.sms: sms], clock: clock, ledger: ledger, options: Self.at2250)
        let id = try d.start(Fixture.request([.sms]), recipients: try Self.twoPersons())
        try await d.runUntilIdle()
        clock.advance(to: .seconds(1200))
        try await d.end(id, result: "Found safe")
        try await d.runUntilIdle()
        let ends = sms.records.filter { $0.message.key.kind == .end }
        // Person 2 at once; person 1 at 07:00 local on 16 January = 06:00 UTC, which is
        // 8 h 10 min = 29,400 s after time zero.
        #expect(ends.map(\.message.key.person) == [2, 1])
        #expect(ends.map(\.time) == [.seconds(1200), .seconds(29_400)])
        let why = try d.explain(action: id, person: 1)
        #expect(why.events.map(\.event) == [.included, .deferred])
        #expect(
            why.description.contains(
                "T+1200 s: deferred: the end message waits for the end of the person's quiet hours (sms 23:00-07:00) "
                    + "on sms: sent at 07:00 local time, after 28200 s"), "\(why)")
        #expect(try d.status(id).endMessages == [.delivered: 2])
    }

    @Test func aDeferredEndMessageSurvivesARestartAndIsNotSentEarly() async throws {
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let clock = VirtualClock()
        let first = try Dispatcher(providers: [.sms: sms], clock: clock, ledger: ledger, options: Self.at2250)
        let id = try first.start(Fixture.request([.sms]), recipients: try Self.twoPersons())
        try await first.runUntilIdle()
        clock.advance(to: .seconds(1200))
        try await first.end(id, result: "Found safe")
        try first.advance(to: .seconds(1300))  // person 2's end message; person 1's waits
        try first.flush()
        #expect(sms.records.filter { $0.message.key.kind == .end }.map(\.message.key.person) == [2])
        // A restart at 01:00 local (3 h 10 min after time zero, 11,400 s).
        let second = try Dispatcher(
            providers: [.sms: sms], clock: VirtualClock(start: .seconds(11_400)), ledger: ledger,
            options: Self.at2250)
        try await second.runUntilIdle()
        let ends = sms.records.filter { $0.message.key.kind == .end }
        #expect(ends.map(\.message.key.person) == [2, 1])
        #expect(ends.last?.time == .seconds(29_400))
        #expect(sms.duplicates.isEmpty)
    }

    @Test func overTheSpringClockChangeTheEndMessageWaitsAnHourLess() async throws {
        // Time zero at 23:00 CET on Saturday 28 March 2026 (22:00 UTC); at 02:00 CET on 29 March the
        // clocks go to 03:00 CEST. 07:00 CEST is 05:00 UTC: 7 h = 25,200 s after time zero.
        let options = DispatchOptions(wallClockAtZero: Date(timeIntervalSince1970: 1_774_735_200))
        let sms = RecordingProvider()
        let clock = VirtualClock()
        let d = Dispatcher(providers: [.sms: sms], clock: clock, options: options)
        let person = Recipient(id: 1, distanceMeters: 20, channels: [.sms], quietHours: try Self.quiet("sms 23:30-07:00"))
        let id = try d.start(Fixture.request([.sms]), recipients: [person])
        try await d.runUntilIdle()
        clock.advance(to: .seconds(2400))  // 23:40 CET
        try await d.end(id, result: "Arrested")
        try await d.runUntilIdle()
        #expect(sms.records.filter { $0.message.key.kind == .end }.map(\.time) == [.seconds(25_200)])
    }

    @Test func quietEndsIsTheFirstMinuteOutOfTheQuietHours() throws {
        let epoch = try #require(Self.at2258.wallClockAtZero)
        let q = try Self.quiet("sms 23:00-07:00; voice 00:00-00:00")
        func ends(_ channel: Channel, _ t: Duration) -> Duration? {
            DispatchCore.quietEnds(q, channel, incidentType: "x", after: t, epoch: epoch)
        }
        // Not quiet: now. At 22:58:00 + 150 s = 23:00:30, 07:00 is 8 h after 23:00 (120 s).
        #expect(ends(.sms, .seconds(10)) == .seconds(10))
        #expect(ends(.sms, .seconds(150)) == .seconds(120 + 8 * 3600))
        #expect(ends(.sms, .milliseconds(120_001)) == .seconds(120 + 8 * 3600))
        #expect(ends(.email, .seconds(150)) == .seconds(150))
        #expect(ends(.voice, .seconds(150)) == nil)  // all day
    }
}
