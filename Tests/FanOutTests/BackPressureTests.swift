import Logging
import MetricsTestKit
import Synchronization
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Back-pressure (AIMD) on a provider that rejects hand-overs as overloaded, on virtual time.
@Suite struct BackPressureTests {
    /// An SMSC that rejects the first hand-over of person 201 as throttled (HTTP 429).
    static func smsc() -> RecordingProvider {
        let rejected = Mutex(false)
        return RecordingProvider { m in
            let reject =
                m.key.person == 201
                && rejected.withLock { done in
                    defer { done = true }
                    return !done
                }
            return ProviderOutcome(reject ? .throttled : .delivered)
        }
    }

    @Test func theRateHalvesOnAThrottleAndRecoversInTenPercentSteps() async throws {
        let sms = Self.smsc()
        let metrics = TestMetrics()
        let config = DispatchConfig(backPressure: .init(decreaseFactor: 0.5, increaseFraction: 0.1, pauseSeconds: 0.5))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: VirtualClock(), metrics: metrics)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(1000))
        // 20 batches of 10 at 100/s go out from 0 to 1.9 s; at 2.0 s person 201 is rejected.
        try d.advance(to: .seconds(2))
        #expect(sms.records.count == 200)
        #expect(sms.throttled.map(\.message.key.person) == [201])
        #expect(d.providerRates == [.sms: 50])
        let paused = try d.status(id)
        #expect(paused.throttled == 1 && paused.providerRates[.sms] == 50)
        #expect(paused.alerts[.queued] == 800)  // 201 is back at the head of the queue
        try await d.runUntilIdle()
        // The channel rests 0.5 s, then batches of 10 go out at 50, 60, 70, 80 and 90 per second,
        // each accepted batch adding 10/s; the last 750 messages at 100/s.
        let steps: [Double] = [0.5, 10.0 / 50, 10.0 / 60, 10.0 / 70, 10.0 / 80, 10.0 / 90, 750.0 / 100]
        let expectedEnd = 2.0 + steps.reduce(0, +)  // 10.7456... s
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 1000])
        let end = try #require(s.lastAlertCompletedAt)
        #expect(abs(end.seconds - expectedEnd) < 1e-6)
        #expect(sms.records.map(\.message.key.person) == Array(1...1000))  // order kept
        #expect(sms.records[200].time == .milliseconds(2_500))  // 201 after the pause
        #expect(sms.records[210].time == .milliseconds(2_700))  // 211 after 10 at 50/s
        #expect(d.providerRates == [.sms: 100])
        // The rate gauge went down once and back up in steps.
        let gauge = try metrics.expectGauge("fanout_provider_rate", [("channel", "sms")])
        #expect(gauge.values == [100, 50, 60, 70, 80, 90, 100])
        #expect(try metrics.expectCounter("fanout_throttled_total", [("channel", "sms")]).totalValue == 1)
        #expect(try metrics.expectCounter("fanout_messages_sent_total", [("channel", "sms")]).totalValue == 1000)
    }

    @Test func aThrottledCallFreesItsLineHalvesTheLinesAndPausesVoice() async throws {
        // The voice platform rejects every call handed over before 1 s.
        let voice = RecordingProvider { m in ProviderOutcome(.delivered, after: .seconds(60)) }
        let gate = ThrottleBefore(.seconds(1), inner: voice)
        let config = DispatchConfig(
            voice: .init(lines: 8, typicalCallSeconds: 60), backPressure: .init(pauseSeconds: 2))
        let d = Dispatcher(config: config, providers: [.voice: gate], clock: VirtualClock())
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(20))
        // t = 0: the first call is rejected: 4 lines, voice rests until 2 s.
        #expect(d.providerRates == [.voice: 4])
        try d.advance(to: .seconds(2))
        // t = 2: four calls on the four lines (the limit holds for the round); each accepted call
        // adds a step of 10% of 8 lines for the next round: 4 + 4 × 0.8.
        #expect(voice.records.count == 4)
        #expect(voice.records.allSatisfy { $0.time == .seconds(2) })
        #expect(d.providerRates == [.voice: 7.2])
        try await d.runUntilIdle()
        #expect(try d.status(id).alerts == [.delivered: 20])
        #expect(try d.status(id).throttled == 1)
    }
}

/// A provider edge that rejects every hand-over before `until` as overloaded (a test double).
struct ThrottleBefore: MessageProvider {
    let until: Duration
    let inner: RecordingProvider
    init(_ until: Duration, inner: RecordingProvider) {
        self.until = until
        self.inner = inner
    }
    func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        time < until ? ProviderOutcome(.throttled) : inner.send(message, at: time)
    }
}

/// A provider that rejects everything for `giveUpSeconds` (Kannel unreachable) is given up on.
@Suite struct UnavailableProviderTests {
    @Test func aProviderRejectingEverythingIsGivenUpOnAndItsMessagesFallBack() async throws {
        let handler = CapturingLogHandler()
        let down = RecordingProvider { _ in ProviderOutcome(.throttled) }  // smsbox unreachable
        let voice = RecordingProvider()
        let config = DispatchConfig(
            retry: .init(attemptsPerChannel: 1, fallback: true),
            backPressure: .init(pauseSeconds: 1, giveUpSeconds: 30))
        let d = Dispatcher(
            config: config, providers: [.sms: down, .voice: voice], clock: VirtualClock(), logger: handler.logger())
        let id = try d.start(Fixture.request([.sms, .voice]), recipients: Fixture.recipients(50))
        try await d.runUntilIdle()  // returns: the dispatcher does not retry the dead provider for ever
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 50])
        // Everyone reached by voice, the fallback, once the SMS provider was given up on at 30 s:
        // the rejections before that were offered again (not attempts), each after a 1 s pause.
        #expect(Set(voice.records.map(\.message.key.person)) == Set(1...50))
        #expect(voice.records.allSatisfy { $0.time >= .seconds(30) })
        // Before: one rejection per 1 s pause (0, 1, ..., 29 s); from 30 s each person's hand-over
        // is rejected once more and failed at once.
        #expect(down.records.isEmpty)
        #expect(down.throttled.filter { $0.time < .seconds(30) }.map(\.time) == (0..<30).map { .seconds($0) })
        #expect(Set(down.throttled.filter { $0.time >= .seconds(30) }.map(\.message.key.person)) == Set(1...50))
        // One warning when the rejections start and one error when the provider is given up on,
        // not one line per rejection.
        let loud = handler.entries.filter { $0.level >= .warning }.map(\.message)
        #expect(loud == ["provider throttled: slowing down", "provider unavailable: its messages fail over to the next channel or are given up"])
    }

    @Test func withoutAFallbackTheMessagesFailAndTheActionFinishes() async throws {
        let down = RecordingProvider { _ in ProviderOutcome(.throttled) }
        let config = DispatchConfig(backPressure: .init(giveUpSeconds: 5))
        let d = Dispatcher(config: config, providers: [.sms: down], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(20))
        try await d.runUntilIdle()
        let s = try d.status(id)
        #expect(s.alerts == [.failed: 20])
        #expect(d.clock.now < .seconds(60))
    }
}
