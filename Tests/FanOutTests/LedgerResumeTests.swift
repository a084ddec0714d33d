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

@Suite struct LedgerResumeTests {
    static func ledger() throws -> Ledger {
        try Ledger.open(at: try Fixtures.temporaryDirectory("fanout-ledger").appendingPathComponent("r.sqlite").path)
    }

    @Test func everyMessageIsInTheLedgerWithItsState() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()
        let d = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(30))
        // The first SMS batch (10) went to the provider at once, listed in the ledger's hand-over
        // record before that (write-ahead); their `sent` states follow in the next ledger batch.
        #expect(sms.records.map(\.message.key.person) == Array(1...10))
        #expect(try ledger.handOvers.keys().map(\.person) == Array(1...10))
        #expect(try ledger.messages(of: id).allSatisfy { $0.state == .queued })
        try d.flush()
        let flushed = try ledger.messages(of: id)
        #expect(flushed.filter { $0.state == .sent }.map(\.key.person) == Array(1...10))
        #expect(flushed.filter { $0.state == .queued }.map(\.key.person) == Array(11...30))
        #expect(try ledger.handOvers.keys().isEmpty)  // emptied once the ledger holds the states
        try await d.runUntilIdle()
        try await d.end(id, result: "Arrested")
        try await d.runUntilIdle()
        let entries = try ledger.messages(of: id)
        #expect(entries.count == 60)
        #expect(entries.allSatisfy { $0.state == .delivered })
        #expect(entries.prefix(30).map(\.key.person) == Array(1...30))
        #expect(entries.prefix(30).map(\.distanceMeters) == (1...30).reversed().map(Double.init))
    }

    @Test func aCrashMidActionLosesNobodyAndRepeatsOnlyTheInFlightWindow() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()  // the provider side survives the crash
        let options = DispatchOptions(ledgerBatchSize: 64)
        let first = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger, options: options)
        let id = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(1000))
        try first.advance(to: .milliseconds(4_550))  // 46 batches handed over; the ledger batch is not written
        let handedOver = sms.records.count
        #expect(handedOver == 460)
        // kill -9: `first` is abandoned with its unwritten ledger changes.
        let second = try Dispatcher(
            providers: [.sms: sms], clock: VirtualClock(start: .milliseconds(4_550)), ledger: ledger, options: options)
        try await second.runUntilIdle()
        #expect(Set(sms.records.map(\.message.key.person)) == Set(1...1000))  // nobody lost
        #expect(sms.records.count == 1000)
        #expect(sms.duplicates.count <= options.ledgerBatchSize)  // repeats dropped by the key
        #expect(!sms.duplicates.isEmpty)  // this crash did catch messages in flight
        let states = Dictionary(grouping: try ledger.messages(of: id), by: \.state).mapValues(\.count)
        #expect(states[.queued] == nil)
        #expect(states == [.delivered: 1000])
        #expect(second.actionIDs == [id])
        // The ring report spans the crash: 1000 m ... 1 m in 500 m rings, each ring complete.
        let rings = try second.ringReport(id)
        #expect(rings.map(\.completed).reduce(0, +) == states[.delivered])
        #expect(rings.map(\.innerMeters) == [1000, 500, 0])
        // The repeats take their turn at 100/s too. The new process starts at 4.55 s, not knowing
        // the batch handed over at 4.5 s holds the channel until 4.6 s: 10 s + repeats / 100 - 0.05 s.
        #expect(rings.last?.lastCompletedAt == .milliseconds(9_950 + 10 * sms.duplicates.count))
        // A new action after the restart gets a fresh id.
        let next = try second.start(Fixture.request([.sms]), recipients: Fixture.recipients(1, from: 5000))
        #expect(next.rawValue == id.rawValue + 1)
    }

    @Test func anEndRightAfterACrashReachesEveryoneHandedOverAndNobodyElse() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()  // the provider side survives the crash
        let options = DispatchOptions(ledgerBatchSize: 64)
        let first = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger, options: options)
        let id = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(1000))
        try first.advance(to: .milliseconds(4_550))  // 46 batches handed over; outcomes not all written
        let handedOver = Set(sms.records.map(\.message.key.person))
        #expect(handedOver == Set(1...460))
        // kill -9, then at once `end` in a new process: the alerts with the provider at the crash
        // are in flight (written `sent` before each hand-over), so the end cancels only what never
        // went out, and the in-flight ones are resolved under their keys before the end message.
        let second = try Dispatcher(
            providers: [.sms: sms], clock: VirtualClock(start: .milliseconds(4_550)), ledger: ledger, options: options)
        try await second.end(id, result: "Arrested")
        try await second.runUntilIdle()
        let alerts = sms.records.filter { $0.message.key.kind == .alert }.map(\.message.key.person)
        let ends = sms.records.filter { $0.message.key.kind == .end }.map(\.message.key.person)
        #expect(Set(alerts) == handedOver)  // no alert went out for the first time after the end
        #expect(ends.sorted() == handedOver.sorted())  // exactly those reached, once each
        let states = Dictionary(grouping: try ledger.messages(of: id), by: \.state).mapValues(\.count)
        #expect(states == [.delivered: 460 + 460, .cancelled: 540])
    }

    @Test func anEndedActionResumesItsEndMessagesOnlyToThoseReached() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider { m in ProviderOutcome(m.key.person % 3 == 0 ? .failed : .delivered) }
        let options = DispatchOptions(ledgerBatchSize: 1)  // every change written at once: no repeats
        let first = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger, options: options)
        let id = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(300))
        try await first.runUntilIdle()
        #expect(try await first.end(id, result: "Found safe") == 200)
        try first.advance(to: first.clock.now + .milliseconds(500))  // 5 batches of end messages
        let second = try Dispatcher(
            providers: [.sms: sms], clock: VirtualClock(start: .seconds(4)), ledger: ledger, options: options)
        try await second.runUntilIdle()
        let ends = sms.records.filter { $0.message.key.kind == .end }.map(\.message.key.person)
        #expect(ends.sorted() == (1...300).filter { $0 % 3 != 0 }.map(Int64.init))
        // The batch handed over at the crash (t = 3.5 s) was `sent`, its delivery report lost with
        // the process: sent again under the same keys, dropped by the provider.
        #expect(sms.duplicates.count == 10)
        let s = try second.status(id)
        #expect(s.state == .ended)
        #expect(s.endMessages == [.delivered: 200])
        #expect(throws: DispatchError.self) { try second.end(id, result: "again") }
    }
}

extension LedgerResumeTests {
    @Test func anEndedActionWhoseLastMessagesWereInFlightAtACrashIsResumed() async throws {
        let ledger = try Self.ledger()
        let clock = VirtualClock()
        let before = CollectingProvider()
        let first = try Dispatcher(providers: [:], deferredProviders: [.sms: before], clock: clock, ledger: ledger)
        let ended = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(10))
        for (m, r) in before.take() { try r.report(m, result: .delivered) }
        #expect(try await first.end(ended, result: "Found safe") == 10)
        clock.advance(to: .seconds(1))
        try first.advance(to: clock.now)
        #expect(before.take().count == 10)  // every end message with the provider, none queued
        // A second action ended while its alerts were with the provider: they complete later.
        let inFlight = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(5, from: 100))
        clock.advance(to: .seconds(2))
        try first.advance(to: clock.now)
        #expect(before.take().count == 5)
        try await first.end(inFlight, result: "Arrested")
        try first.flush()
        // kill -9: no report comes back. Both actions are `ended`, with nothing queued.

        let after = CollectingProvider()
        let second = try Dispatcher(
            providers: [:], deferredProviders: [.sms: after], clock: clock, ledger: ledger)
        #expect(second.actionIDs == [ended, inFlight])
        // Everything handed over within the next 3 s.
        func handedOver() throws -> [(OutboundMessage, DeliveryReporter)] {
            var all = after.take()
            for _ in 0..<3 {
                clock.advance(by: .seconds(1))
                try second.advance(to: clock.now)
                all += after.take()
            }
            return all
        }
        let again = try handedOver()
        #expect(
            Set(again.map(\.0.idempotencyKey))
                == Set((1...10).map { "1/\($0)/end/1" } + (100...104).map { "2/\($0)/alert/1" }))
        for (m, r) in again { try r.report(m, result: .delivered) }
        // The alerts now delivered are reached: they get the end message.
        let ends = try handedOver()
        #expect(Set(ends.map(\.0.idempotencyKey)) == Set((100...104).map { "2/\($0)/end/1" }))
        for (m, r) in ends { try r.report(m, result: .delivered) }
        try second.flush()
        #expect(try ledger.messages(of: ended).allSatisfy { $0.state == .delivered })
        #expect(try ledger.messages(of: inFlight).allSatisfy { $0.state == .delivered })
        #expect(
            try Dispatcher(providers: [:], deferredProviders: [.sms: after], clock: clock, ledger: ledger)
                .actionIDs.isEmpty)
    }
}

extension LedgerResumeTests {
    @Test func theProvidersRecordedForAnActionAreReadBackWhileItIsUnfinished() async throws {
        let ledger = try Self.ledger()
        let d = try Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        let a = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3))
        let b = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3, from: 10))
        try d.flush()
        try ledger.recordProviders("sms=kannel", for: a)
        #expect(try ledger.unfinishedProviders().map(\.action) == [a, b])
        #expect(try ledger.unfinishedProviders().map(\.providers) == ["sms=kannel", nil])
        #expect(throws: DispatchError.self) { try ledger.recordProviders("sms=kannel", for: ActionID(rawValue: 99)) }
        try await d.runUntilIdle()
        try await d.end(a, result: "Found")
        try await d.end(b, result: "Found")
        try await d.runUntilIdle()
        #expect(try ledger.unfinishedProviders().isEmpty)  // both ended, every end message delivered
    }
}

@Suite struct ResumeWithoutAProviderTests {
    @Test func messagesForAChannelWithoutAProviderFailAndTheCountsStayConsistent() async throws {
        let ledger = try LedgerResumeTests.ledger()
        let first = try Dispatcher(
            providers: [.voice: RecordingProvider(), .sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        let people = Fixture.recipients(4, channels: [.voice]) + Fixture.recipients(4, from: 10, channels: [.sms])
        let id = try first.start(Fixture.request([.voice, .sms]), recipients: people)
        // Restarted with SMS only: the queued calls fail at once.
        let sms = RecordingProvider()
        let second = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        try await second.runUntilIdle()
        let s = try second.status(id)
        #expect(s.alerts == [.delivered: 4, .failed: 4])
        #expect(s.isIdle)
        #expect(sms.records.count == 4)
    }
}
