import Foundation
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

/// A **test double** for an asynchronous provider (an SMSC or SIP platform): it only collects the
/// hand-overs; the test reports outcomes later, from other tasks, as a network adapter would.
final class CollectingProvider: DeferredMessageProvider {
    private let state = Mutex<[(OutboundMessage, DeliveryReporter)]>([])

    func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter) {
        state.withLock { $0.append((message, reporter)) }
    }

    /// Takes the hand-overs collected so far.
    func take() -> [(OutboundMessage, DeliveryReporter)] {
        state.withLock { s in
            defer { s.removeAll() }
            return s
        }
    }
}

@Suite struct DeferredProviderTests {
    @Test func callsHoldTheirLinesUntilTheReportArrivesFromAnotherThread() async throws {
        let voice = CollectingProvider()
        let config = DispatchConfig(voice: .init(lines: 3, typicalCallSeconds: 60))
        let clock = VirtualClock()
        let d = Dispatcher(config: config, providers: [:], deferredProviders: [.voice: voice], clock: clock)
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(5))
        let first = voice.take()
        #expect(first.map(\.0.key.person) == [1, 2, 3])  // three lines, held
        #expect(try d.status(id).alerts == [.sent: 3, .queued: 2])
        clock.advance(to: .seconds(40))
        // Reports from concurrent tasks: 1 answered, 2 busy, 3 answered; one report twice.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (message, reporter) in first {
                group.addTask { try reporter.report(message, result: message.key.person == 2 ? .busy : .delivered) }
            }
            group.addTask { try first[0].1.report(first[0].0, result: .failed) }
            try await group.waitForAll()
        }
        let second = voice.take()
        #expect(second.map(\.0.key.person) == [4, 5])
        for (message, reporter) in second { try reporter.report(message, result: .delivered) }
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 4, .failed: 1])
        #expect(s.outcomes == [.delivered: 4, .busy: 1])  // the second report for person 1 was ignored
        #expect(s.lastAlertCompletedAt == .seconds(40) && s.isIdle)
    }

    @Test func aThrottledReportPutsTheMessageBackAndSlowsDown() async throws {
        let sms = CollectingProvider()
        let clock = VirtualClock()
        let metrics = TestMetrics()
        let d = Dispatcher(providers: [:], deferredProviders: [.sms: sms], clock: clock, metrics: metrics)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(10))
        let batch = sms.take()
        #expect(batch.count == 10)
        try batch[0].1.report(batch[0].0, result: .throttled)
        for (message, reporter) in batch.dropFirst() { try reporter.report(message, result: .delivered) }
        // Halved to 50 by the rejection; each of the 9 accepted reports adds a tenth of a batch's
        // step (10% of 100/s ÷ 10): 59.
        #expect(d.providerRates == [.sms: 59])
        #expect(try d.status(id).alerts == [.delivered: 9, .queued: 1])
        try await d.runUntilIdle()  // the pause (1 s) passes; person 1 goes again with the same key
        let again = sms.take()
        #expect(again.map(\.0.idempotencyKey) == ["1/1/alert/1"])
        // Handed over at 1 s, after the pause. The channel is busy until 1 + 1/59 s (a batch of one
        // at 59/s), but with nothing queued the run does not wait for that: it is idle at 1 s.
        #expect(clock.now == .seconds(1))
        try again[0].1.report(again[0].0, result: .delivered)
        #expect(try d.status(id).alerts == [.delivered: 10])
        // Sent counts what the provider accepted: 10, not the rejected hand-over.
        #expect(try metrics.expectCounter("fanout_messages_sent_total", [("channel", "sms")]).totalValue == 10)
        #expect(try metrics.expectCounter("fanout_throttled_total", [("channel", "sms")]).totalValue == 1)
    }

    @Test func anAlertRejectedAfterAStopIsCancelledNotOfferedAgain() async throws {
        let sms = CollectingProvider()
        let d = Dispatcher(providers: [:], deferredProviders: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(2))
        let batch = sms.take()
        try await d.stop(id)
        try batch[0].1.report(batch[0].0, result: .throttled)
        try batch[1].1.report(batch[1].0, result: .delivered)
        try await d.runUntilIdle()
        #expect(sms.take().isEmpty)
        let s = try d.status(id)
        #expect(s.alerts == [.cancelled: 1, .delivered: 1] && s.isIdle)
    }

    @Test func heldHandOversLetWhatIsInFlightCompleteAndSendNothingNewUntilReleased() async throws {
        let sms = CollectingProvider()
        let clock = VirtualClock()
        let path = try Fixtures.temporaryDirectory("fanout-hold").appendingPathComponent("r.sqlite").path
        let d = try Dispatcher(
            providers: [:], deferredProviders: [.sms: sms], clock: clock, ledger: try Ledger.open(at: path))
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(25))
        let first = sms.take()
        #expect(first.count == 10 && d.awaitingReports == 10 && !d.handOversHeld)
        #expect(d.nextEventTime != nil)  // the channel's next batch

        d.holdHandOvers()
        clock.advance(to: .seconds(5))
        try await d.runUntilIdle()  // the channel is free again, but nothing is handed over
        #expect(sms.take().isEmpty && d.awaitingReports == 10 && d.nextEventTime == nil)
        for (message, reporter) in first {
            try reporter.report(message, result: message.key.person == 1 ? .failed : .delivered)
        }
        #expect(sms.take().isEmpty && d.awaitingReports == 0)
        try d.flush()
        #expect(try d.status(id).alerts == [.delivered: 9, .failed: 1, .queued: 15])

        // A dispatcher resumed held from the ledger hands nothing over either, until released.
        let resumed = try Dispatcher(
            providers: [:], deferredProviders: [.sms: sms], clock: clock, ledger: try Ledger.open(at: path),
            options: DispatchOptions(handOversHeld: true))
        #expect(sms.take().isEmpty && resumed.handOversHeld)
        try resumed.releaseHandOvers()
        #expect(!resumed.handOversHeld)
        #expect(sms.take().map(\.0.key.person) == Array(11...20))
        #expect(resumed.awaitingReports == 10)
    }
}
