import Geo
import Testing

@testable import FanOut
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Helpers shared by the dispatcher tests.
enum Fixture {
    static let point = RDPoint(x: 155_000, y: 463_000)

    /// `n` recipients in outside-in order: ids 1...n, distances from `n` metres down to 1.
    static func recipients(_ n: Int, from first: Int64 = 1, channels: [Channel] = []) -> [Recipient] {
        (0..<n).map { i in Recipient(id: first + Int64(i), distanceMeters: Double(n - i), channels: channels) }
    }

    static func request(
        _ channels: [Channel], urgency: Urgency = .high, type: String = "burglary", confirmed: Bool = false
    ) -> ActionRequest {
        ActionRequest(
            incidentPoint: point, incidentType: type, urgency: urgency, message: "Look out for a red van",
            photoURL: "https://example.org/van.jpg", channels: channels, confirmed: confirmed)
    }
}

@Suite struct DispatcherTimingTests {
    @Test func thousandSMSAtHundredPerSecondEndAtTenSeconds() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(1000))
        try await d.runUntilIdle()
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 1000])
        #expect(s.lastAlertCompletedAt == .seconds(10))
        #expect(d.clock.now == .seconds(10))
        // Batches of 10 every 0.1 s: the 101st message is handed over at t = 1 s.
        #expect(sms.records[100].time == .seconds(1))
    }

    @Test func aRateWhoseBatchEndsBetweenTwoNanosecondsStillFinishes() async throws {
        // 1 SMS per batch at 3/s: batch k is sent at k/3 s, a time between two whole nanoseconds
        // (the event queue's resolution). Before the fix the channel-ready event was re-armed at the
        // same nanosecond forever.
        let sms = RecordingProvider()
        let config = DispatchConfig(sms: .init(perSecond: 3, batchSize: 1))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(10))
        try await d.runUntilIdle()
        #expect(try d.status(id).alerts == [.delivered: 10])
        // The 10th message is handed over after 9 batches: 9/3 s = 3 s, within a nanosecond per
        // batch (each ready event is due at its whole nanosecond).
        let last = try #require(sms.records.last?.time)
        #expect(abs((last - .seconds(3)).nanoseconds) <= 9)
    }

    @Test func twelveHundredCallsOfAMinuteOnSixHundredLinesEndAtTwoMinutes() async throws {
        let voice = RecordingProvider(callDuration: .seconds(60))
        let d = Dispatcher(providers: [.voice: voice], clock: VirtualClock())
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(1200))
        try await d.runUntilIdle()
        #expect(try d.status(id).lastAlertCompletedAt == .seconds(120))
        let times = voice.records.map(\.time)
        #expect(times.filter { $0 == .zero }.count == 600)
        #expect(times.filter { $0 == .seconds(60) }.count == 600)
    }

    @Test func eachChannelContactsInSelectionOrderAndRingsCompleteOutsideIn() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(
            providers: [.sms: sms], clock: VirtualClock(), options: DispatchOptions(ringWidthMeters: 100))
        let people = Fixture.recipients(1000)  // 1000 m down to 1 m
        let id = try d.start(Fixture.request([.sms]), recipients: people)
        try await d.runUntilIdle()
        #expect(sms.records.map(\.message.key.person) == people.map(\.id))
        let rings = try d.ringReport(id)
        #expect(rings.count == 11)  // [0,100) ... [1000,1100): 1000 m exactly is the 11th ring
        #expect(rings.first?.innerMeters == 1000)
        // Each ring is reached no later than the next one inward.
        for (outer, inner) in zip(rings, rings.dropFirst()) {
            #expect(outer.lastCompletedAt <= inner.firstCompletedAt)
        }
        // Ring [900, 1000) holds 900...999 m: recipients 2...101, done after 101 messages = 11 batches.
        #expect(rings[1].completed == 100)
        #expect(rings[1].lastCompletedAt == .milliseconds(1100))
    }

    @Test func aCriticalActionGetsEightTimesTheShareOfALowOneButBothProgress() async throws {
        let sms = RecordingProvider()
        let config = DispatchConfig(sms: .init(perSecond: 100, batchSize: 1))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: VirtualClock())
        let low = try d.start(Fixture.request([.sms], urgency: .low), recipients: Fixture.recipients(900, from: 1))
        let critical = try d.start(
            Fixture.request([.sms], urgency: .critical), recipients: Fixture.recipients(900, from: 10_001))
        try d.advance(to: .seconds(9))  // 900 messages sent
        let lowSent = sms.records.filter { $0.message.key.action == low }.count
        let criticalSent = sms.records.filter { $0.message.key.action == critical }.count
        #expect(lowSent + criticalSent == 901)  // the 901st was handed over at t = 9 s
        #expect(lowSent == 100 || lowSent == 101)  // 1 in 9 (weights 1 and 8)
        #expect(lowSent > 0)
    }
}

@Suite struct DispatcherLifecycleTests {
    @Test func voiceLinesAreSharedByUrgencyWithoutStarvation() async throws {
        let voice = RecordingProvider(callDuration: .seconds(60))
        let config = DispatchConfig(voice: .init(lines: 9, typicalCallSeconds: 60))
        let d = Dispatcher(config: config, providers: [.voice: voice], clock: VirtualClock())
        let low = try d.start(Fixture.request([.voice], urgency: .low), recipients: Fixture.recipients(30, from: 1))
        let critical = try d.start(
            Fixture.request([.voice], urgency: .critical), recipients: Fixture.recipients(30, from: 101))
        // At t = 0 the low action holds all 9 lines (it started first); at t = 60 the 9 freed lines
        // go 8 : 1 to the critical action.
        try d.advance(to: .seconds(60))
        let second = voice.records.filter { $0.time == .seconds(60) }.map(\.message.key.action)
        #expect(second.filter { $0 == critical }.count == 8)
        #expect(second.filter { $0 == low }.count == 1)
        try await d.runUntilIdle()
        #expect(try d.status(low).alerts == [.delivered: 30])
        #expect(try d.status(critical).alerts == [.delivered: 30])
    }

    @Test func nonUrgentActionsDefaultToEmailAndUrgentOnesToSMSVoiceAndApp() {
        #expect(Fixture.request([.sms]).channels == [.sms])
        let mail = ActionRequest(incidentPoint: Fixture.point, incidentType: "prevention", urgency: .low, message: "m")
        #expect(mail.channels == [.email])
        let urgent = ActionRequest(
            incidentPoint: Fixture.point, incidentType: "robbery", urgency: .critical, message: "m")
        #expect(urgent.channels == [.sms, .voice, .app])
    }

    @Test func theEndMessageGoesToExactlyThoseReached() async throws {
        // Odd ids answer; even ids are busy, no answer or failed.
        let voice = RecordingProvider { m in
            let p = m.key.person
            let result: DeliveryResult = p % 2 == 1 ? .delivered : [.busy, .noAnswer, .failed][Int(p / 2) % 3]
            return ProviderOutcome(result, after: .seconds(30))
        }
        let config = DispatchConfig(voice: .init(lines: 10, typicalCallSeconds: 30))
        let d = Dispatcher(config: config, providers: [.voice: voice], clock: VirtualClock())
        let id = try d.start(Fixture.request([.voice]), recipients: Fixture.recipients(100))
        try d.advance(to: .seconds(90))  // 3 rounds done, 10 calls in progress, 60 queued
        let queuedEnd = try await d.end(id, result: "Suspect arrested")
        #expect(queuedEnd == 15)
        try await d.runUntilIdle()
        let alerted = voice.records.filter { $0.message.key.kind == .alert }.map(\.message.key.person)
        #expect(alerted == Array(1...40))  // the 10 in progress at the end complete
        let ended = voice.records.filter { $0.message.key.kind == .end }
        #expect(Set(ended.map(\.message.key.person)) == Set(alerted.filter { $0 % 2 == 1 }))
        #expect(ended.allSatisfy { $0.message.text == "Suspect arrested" && $0.message.photoURL == nil })
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 20, .failed: 20, .cancelled: 60])
        // Even ids 2...40: p / 2 = 1...20, modulo 3 → busy 6, no answer 7, failed 7.
        #expect(s.outcomes == [.delivered: 20, .busy: 6, .noAnswer: 7, .failed: 7])
        #expect(s.endMessages[.delivered] == 20)
        #expect(s.isIdle)
    }

    @Test func enlargeAddsOnlyNewPersonsInTheNewOrder() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(50))
        let larger = (1...80).reversed().map { Recipient(id: Int64($0), distanceMeters: Double(200 - $0)) }
        #expect(try d.enlarge(id, with: larger) == 30)
        try await d.runUntilIdle()
        let persons = sms.records.map(\.message.key.person)
        #expect(persons == Array(1...50) + Array((51...80).reversed()))
        #expect(try d.status(id).included == 80)
    }

    @Test func aPersonListedTwiceIsAlertedOnce() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let twice = Fixture.recipients(5) + [Recipient(id: 3, distanceMeters: 1)]
        let id = try d.start(Fixture.request([.sms]), recipients: twice)
        try await d.runUntilIdle()
        #expect(sms.records.count == 5)
        #expect(sms.duplicates.isEmpty)
        #expect(try d.status(id).included == 5)
    }

    @Test func stopCancelsEverythingQueuedAtOnce() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(1000))
        try d.advance(to: .seconds(2))  // 21 batches handed over (t = 0, 0.1, ..., 2.0)
        #expect(try await d.stop(id) == 790)
        try await d.runUntilIdle()
        #expect(sms.records.count == 210)
        #expect(try d.status(id).alerts == [.delivered: 210, .cancelled: 790])
    }

    @Test func recipientsUseTheirFirstPreferredChannelThatTheActionAllows() async throws {
        let voice = RecordingProvider(callDuration: .seconds(1))
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.voice: voice, .sms: sms], clock: VirtualClock())
        let people = [
            Recipient(id: 1, distanceMeters: 3, channels: [.email, .voice]),
            Recipient(id: 2, distanceMeters: 2, channels: [.sms, .voice]),
            Recipient(id: 3, distanceMeters: 1),
        ]
        _ = try d.start(Fixture.request([.voice, .sms]), recipients: people)
        try await d.runUntilIdle()
        #expect(voice.records.map(\.message.key.person) == [1, 3])
        #expect(sms.records.map(\.message.key.person) == [2])
    }

    @Test func badTransitionsAreRefusedWithClearErrors() throws {
        let d = Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3))
        try d.stop(id)
        #expect(throws: DispatchError.self) { try d.stop(id) }
        #expect(throws: DispatchError.self) { try d.enlarge(id, with: Fixture.recipients(1, from: 9)) }
        try d.end(id, result: "Found safe")
        for attempt in [{ try d.end(id, result: "again") }, { _ = try d.enlarge(id, with: []) }, { try d.stop(id) }]
            as [() throws -> Void]
        {
            #expect {
                try attempt()
            } throws: { error in
                (error as? DispatchError)?.code == .invalidTransition
                    && "\(error)".contains("action \(id): it is ended")
            }
        }
        #expect(throws: DispatchError.self) { try d.status(ActionID(rawValue: 99)) }
    }

    @Test func invalidRequestsAreRefused() {
        let d = Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock())
        var empty = Fixture.request([.sms])
        empty.message = "  "
        #expect(throws: DispatchError.self) { try d.start(empty, recipients: []) }
        #expect {
            try d.start(Fixture.request([.voice]), recipients: [])
        } throws: { "\($0)".contains("no provider is configured for channel 'voice'") }
    }

    @Test(arguments: [-1, .infinity, .nan] as [Double])
    func aBadDistanceIsRefusedAndNothingIsStarted(distance: Double) throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let people = Fixture.recipients(3) + [Recipient(id: 9, distanceMeters: distance)]
        #expect {
            try d.start(Fixture.request([.sms]), recipients: people)
        } throws: { ($0 as? DispatchError)?.code == .invalidRequest && "\($0)".contains("participant 9 has distance") }
        #expect(d.actionIDs.isEmpty)
        #expect(sms.records.isEmpty)
    }

    @Test func aLargeActionNeedsConfirmation() throws {
        let config = DispatchConfig(confirmationThresholds: ["burglary": 100, "*": 1000])
        let d = Dispatcher(config: config, providers: [.sms: RecordingProvider()], clock: VirtualClock())
        #expect {
            try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(101))
        } throws: { ($0 as? DispatchError)?.code == .confirmationRequired && "\($0)".contains("101 recipients") }
        _ = try d.start(Fixture.request([.sms], confirmed: true), recipients: Fixture.recipients(101))
        _ = try d.start(Fixture.request([.sms], type: "missing-child"), recipients: Fixture.recipients(101))
    }
}
