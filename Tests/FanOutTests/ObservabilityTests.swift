import Logging
import MetricsTestKit
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct MetricsTests {
    @Test func countersGaugesAndTimersHaveExactValues() async throws {
        // Voice: even persons busy on their first attempt (retried after 30 s), odd ones answer.
        let voice = RecordingProvider { m in
            m.key.person % 2 == 0 && m.attempt == 1
                ? ProviderOutcome(.busy, after: .seconds(5)) : ProviderOutcome(.delivered, after: .seconds(20))
        }
        let sms = RecordingProvider { m in ProviderOutcome(m.key.person == 13 ? .failed : .delivered) }
        let metrics = TestMetrics()
        let config = DispatchConfig(
            voice: .init(lines: 10, typicalCallSeconds: 20), retry: .init(attemptsPerChannel: 2, backoffSeconds: 30))
        let d = Dispatcher(
            config: config, providers: [.voice: voice, .sms: sms], clock: VirtualClock(), metrics: metrics)
        let people = Fixture.recipients(10, channels: [.voice]) + Fixture.recipients(5, from: 11, channels: [.sms])
        let id = try d.start(Fixture.request([.voice, .sms]), recipients: people)
        // At 0: 10 calls placed, 5 SMS queued then handed over in one batch.
        #expect(try metrics.expectGauge("fanout_queue_depth", [("channel", "voice")]).lastValue == 0)
        try await d.runUntilIdle()
        func counter(_ label: String, _ channel: Channel) throws -> Int64 {
            try metrics.expectCounter(label, [("channel", channel.rawValue)]).totalValue
        }
        #expect(try counter("fanout_messages_sent_total", .voice) == 15)  // 10 + 5 retries
        #expect(try counter("fanout_messages_delivered_total", .voice) == 10)
        #expect(try counter("fanout_messages_failed_total", .voice) == 5)
        #expect(try counter("fanout_retries_total", .voice) == 5)
        // Person 13's text fails twice (the retry applies to SMS too).
        #expect(try counter("fanout_messages_sent_total", .sms) == 6)
        #expect(try counter("fanout_messages_failed_total", .sms) == 2)
        #expect(try counter("fanout_messages_delivered_total", .sms) == 4)
        #expect(try counter("fanout_retries_total", .sms) == 1)
        // Time to reach: odd persons at 20 s, even ones at 5 + 30 + 20 = 55 s; SMS at 0.05 s.
        let voiceTimer = try metrics.expectTimer("fanout_time_to_reach_seconds", [("channel", "voice")])
        #expect(
            voiceTimer.values.sorted() == Array(repeating: 20_000_000_000, count: 5)
                + Array(repeating: 55_000_000_000, count: 5))
        let smsTimer = try metrics.expectTimer("fanout_time_to_reach_seconds", [("channel", "sms")])
        #expect(smsTimer.values == Array(repeating: 50_000_000, count: 4))
        #expect(try d.status(id).retries == 6)
    }
}

@Suite struct LoggingTests {
    @Test func lifecycleAndThrottlingAreLoggedWithoutPersonalData() async throws {
        let handler = CapturingLogHandler()
        let logger = Logger(label: "test") { _ in handler }
        let sms = BackPressureTests.smsc()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock(), logger: logger)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(300))
        try d.enlarge(id, with: Fixture.recipients(5, from: 1000))
        try await d.runUntilIdle()
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        let messages = handler.entries.map(\.message)
        #expect(messages.first == "action started")
        #expect(messages.contains("action enlarged") && messages.contains("action ended"))
        let throttle = try #require(handler.entries.first { $0.message == "provider throttled: slowing down" })
        #expect(throttle.level == .warning)
        #expect(throttle.metadata["channel"] == "sms" && throttle.metadata["rate"] == "50.0")
        #expect(handler.entries.first?.metadata["included"] == "300")
        // Only ids, counts and channels: no message text and nothing that looks like contact data.
        for e in handler.entries {
            for value in e.metadata.values {
                #expect(!value.contains("@") && !value.contains("Look out") && !value.contains("+31"))
            }
        }
    }
}
