import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Retries with backoff and fallback to the next channel, on virtual time with hand-computed times.
@Suite struct RetryTests {
    @Test func aBusyCallIsRetriedAfterTheBackoffWithANewIdempotencyKey() async throws {
        // Person 1 is busy twice (10 s each), then answers (30 s).
        let voice = RecordingProvider { m in
            m.attempt < 3
                ? ProviderOutcome(.busy, after: .seconds(10)) : ProviderOutcome(.delivered, after: .seconds(30))
        }
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 3, backoffSeconds: 60, backoffFactor: 2))
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(config: config, providers: [.voice: voice], clock: VirtualClock(), ledger: ledger)
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(1))
        try await d.runUntilIdle()
        // Attempt 1 at 0 s, busy at 10 s; attempt 2 after 60 s at 70 s, busy at 80 s; attempt 3
        // after 60 × 2 = 120 s at 200 s, answered at 230 s.
        #expect(voice.records.map(\.time) == [.zero, .seconds(70), .seconds(200)])
        #expect(voice.records.map(\.message.idempotencyKey) == ["1/1/alert/1", "1/1/alert/2", "1/1/alert/3"])
        #expect(voice.duplicates.isEmpty)
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 1])
        #expect(s.outcomes == [.busy: 2, .delivered: 1])
        #expect(s.retries == 2 && s.fallbacks == 0)
        #expect(s.lastAlertCompletedAt == .seconds(230))
        let entry = try #require(try ledger.messages(of: id).first)
        #expect(
            entry.attempt == 3 && entry.channelAttempt == 3 && entry.state == .delivered && entry.due == .seconds(200))
    }

    @Test func usedUpAttemptsFallBackToThePersonsNextChannel() async throws {
        let voice = RecordingProvider { _ in ProviderOutcome(.noAnswer, after: .seconds(20)) }
        let sms = RecordingProvider()
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 2, backoffSeconds: 30, fallback: true))
        let d = Dispatcher(config: config, providers: [.voice: voice, .sms: sms], clock: VirtualClock())
        let people = [Recipient(id: 7, distanceMeters: 100, channels: [.voice, .sms])]
        let id = try d.start(Fixture.request([.voice, .sms]), recipients: people)
        try await d.runUntilIdle()
        // Voice at 0 s, no answer at 20 s; again at 50 s, no answer at 70 s; then SMS at once:
        // a batch of 1 at 100/s is sent at 70.01 s.
        #expect(voice.records.map(\.time) == [.zero, .seconds(50)])
        #expect(sms.records.map(\.time) == [.seconds(70)])
        #expect(sms.records.map(\.message.attempt) == [3])
        let s = try d.status(id)
        #expect(s.retries == 1 && s.fallbacks == 1 && s.reached == 1)
        #expect(s.lastAlertCompletedAt == .milliseconds(70_010))
        // The end message goes to the channel that reached the person.
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        #expect(sms.records.last?.message.key.kind == .end)
        #expect(voice.records.count == 2)
    }

    @Test func withoutFallbackAPersonWhoseAttemptsAreUsedUpIsNotReachedAndGetsNoEndMessage() async throws {
        // Odd persons answer; even persons never do.
        let voice = RecordingProvider { m in
            ProviderOutcome(m.key.person % 2 == 1 ? .delivered : .noAnswer, after: .seconds(30))
        }
        let config = DispatchConfig(
            voice: .init(lines: 4, typicalCallSeconds: 30), retry: .init(attemptsPerChannel: 2, backoffSeconds: 60))
        let d = Dispatcher(config: config, providers: [.voice: voice], clock: VirtualClock())
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(8))
        try await d.runUntilIdle()
        try await d.end(id, result: "Arrested")
        try await d.runUntilIdle()
        let alerts = voice.records.filter { $0.message.key.kind == .alert }
        #expect(alerts.count == 8 + 4)  // every even person twice
        let ends = voice.records.filter { $0.message.key.kind == .end }.map(\.message.key.person)
        #expect(Set(ends) == [1, 3, 5, 7])
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 4, .failed: 4] && s.retries == 4)
    }

    @Test func stopCancelsAlertsWaitingForTheirBackoff() async throws {
        let voice = RecordingProvider { _ in ProviderOutcome(.busy, after: .seconds(5)) }
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 3, backoffSeconds: 100))
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(config: config, providers: [.voice: voice], clock: VirtualClock(), ledger: ledger)
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(3))
        try d.advance(to: .seconds(10))  // all three busy at 5 s, waiting until 105 s
        #expect(try d.status(id).alerts == [.queued: 3])
        #expect(try await d.stop(id) == 3)
        try await d.runUntilIdle()
        #expect(voice.records.count == 3)
        #expect(try d.status(id).alerts == [.cancelled: 3])
        #expect(try ledger.messages(of: id).allSatisfy { $0.state == .cancelled })
    }

    @Test func aFailedEndMessageIsRetriedOnItsChannel() async throws {
        let sms = RecordingProvider { m in ProviderOutcome(m.key.kind == .end && m.attempt == 1 ? .failed : .delivered)
        }
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 2, backoffSeconds: 10))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(2))
        try await d.runUntilIdle()
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        let ends = sms.records.filter { $0.message.key.kind == .end }
        #expect(ends.map(\.message.attempt) == [1, 1, 2, 2])
        #expect(try d.status(id).endMessages == [.delivered: 2])
    }

    @Test func aRetryWaitingForItsBackoffSurvivesARestartWithItsAttemptAndAddress() async throws {
        let voice = RecordingProvider { _ in ProviderOutcome(.noAnswer, after: .seconds(20)) }
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 2, backoffSeconds: 30))
        let ledger = try LedgerResumeTests.ledger()
        let options = DispatchOptions(ledgerBatchSize: 1)
        let first = try Dispatcher(
            config: config, providers: [.voice: voice], clock: VirtualClock(), ledger: ledger, options: options)
        // Participant 100 is an address of person 7.
        let id = try first.start(
            Fixture.request([.voice]), recipients: [Recipient(id: 100, distanceMeters: 50, person: 7)])
        try first.advance(to: .seconds(25))  // no answer at 20 s; attempt 2 due at 50 s
        // Restart at 30 s: the retry is due at its stored time, as attempt 2.
        let second = try Dispatcher(
            config: config, providers: [.voice: voice], clock: VirtualClock(start: .seconds(30)), ledger: ledger,
            options: options)
        try await second.runUntilIdle()
        #expect(voice.records.map(\.time) == [.zero, .seconds(50)])
        #expect(voice.records.map(\.message.idempotencyKey) == ["\(id)/7/alert/1", "\(id)/7/alert/2"])
        #expect(voice.duplicates.isEmpty)
        let entry = try #require(try ledger.messages(of: id).first)
        #expect(entry.state == .failed && entry.attempt == 2 && entry.participant == 100 && entry.areaVersion == 1)
        let why = try second.explain(action: id, person: 100)
        #expect(why.events.map(\.event) == [.included, .retry, .gaveUp])
        #expect(why.events.allSatisfy { $0.participant == 100 && $0.person == 7 })
    }
}
