import Foundation
import TestSupport
import Testing

@testable import FanOut
import Participants
@testable import FanoutTesting

/// Participants' answers: stored in the ledger, counted per person, and a "stop" honoured at
/// once: the person's queued messages cancelled, no end message, across a crash too.
@Suite struct AnswerTests {
    static func ledger() throws -> Ledger {
        try Ledger.open(at: try Fixtures.temporaryDirectory("fanout-answer").appendingPathComponent("a.sqlite").path)
    }

    static func answer(_ id: ActionID, _ person: Int64, _ kind: AnswerKind, _ channel: Channel = .sms)
        -> ParticipantAnswer
    {
        ParticipantAnswer(
            action: id, person: person, kind: kind, channel: channel,
            receivedAt: Date(timeIntervalSince1970: 1_800_000_000.123))
    }

    @Test func aStopCancelsThePersonsQueuedAlertAndTheirEndMessage() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()
        let d = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(30))
        // Persons 1...10 went in the first batch; 25 is still queued (outside-in: 30 m first is person 1).
        let receipt = try d.record(Self.answer(id, 25, .stop))
        #expect(receipt == AnswerReceipt(cancelled: 1, live: true))
        // Person 3 was texted already: a sighting, then a stop (the end message is not sent to them).
        try d.record(Self.answer(id, 3, .sighting, .sms))
        #expect(try d.record(Self.answer(id, 3, .stop)).cancelled == 0)
        try d.record(Self.answer(id, 3, .sighting, .voice))  // a second sighting counts the person once
        try d.record(Self.answer(id, 7, .acknowledgement, .app))
        try await d.runUntilIdle()
        #expect(!sms.records.map(\.message.key.person).contains(25))
        #expect(sms.records.count == 29)
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        let ends = sms.records.filter { $0.message.key.kind == .end }.map(\.message.key.person)
        #expect(Set(ends) == Set(1...30).subtracting([3, 25]))
        let states = try ledger.messages(of: id)
        #expect(states.first { $0.key.person == 25 && $0.key.kind == .alert }?.state == .cancelled)
        let summary = try ledger.summary(of: id)
        #expect(summary.answers == [.sighting: 1, .stop: 2, .acknowledgement: 1])
        let stored = try ledger.answers(to: id)
        #expect(stored.map(\.answer.person) == [25, 3, 3, 3, 7])
        #expect(stored.map(\.answer.channel) == [.sms, .sms, .sms, .voice, .app])
        #expect(stored[0].answer.receivedAt.timeIntervalSince1970 == 1_800_000_000.123)
        #expect(try ledger.answers(to: id, after: stored[2].id).map(\.answer.person) == [3, 7])
    }

    @Test func aStopSurvivesACrash() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()
        let first = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let id = try first.start(Fixture.request([.sms]), recipients: Fixture.recipients(20))
        try await first.runUntilIdle()
        try first.record(Self.answer(id, 4, .stop))
        // kill -9 after the stop was written; a new process ends the action.
        let second = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(start: .seconds(10)), ledger: ledger)
        try await second.end(id, result: "Arrested")
        try await second.runUntilIdle()
        let ends = Set(sms.records.filter { $0.message.key.kind == .end }.map(\.message.key.person))
        #expect(ends == Set(1...20).subtracting([4]))
    }

    @Test func answersAreRefusedForStrangersAndUnknownActionsAndKeptAfterTheEnd() async throws {
        let ledger = try Self.ledger()
        let sms = RecordingProvider()
        let d = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(5))
        #expect(throws: DispatchError.self) { try d.record(Self.answer(id, 99, .sighting)) }
        do {
            try d.record(Self.answer(ActionID(rawValue: 42), 1, .sighting))
            Issue.record("an answer to an unknown action was taken")
        } catch let e as DispatchError {
            #expect(e.code == .unknownAction)
        }
        try await d.runUntilIdle()
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        // Finished: a new dispatcher does not hold it; a late mail reply is still stored.
        let later = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(start: .seconds(60)), ledger: ledger)
        #expect(later.actionIDs.isEmpty)
        #expect(try later.record(Self.answer(id, 2, .sighting, .email)) == AnswerReceipt(cancelled: 0, live: false))
        #expect(throws: DispatchError.self) { try later.record(Self.answer(id, 99, .sighting, .email)) }
        #expect(try ledger.answerCounts(of: id) == [.sighting: 1])
        #expect(try ledger.answers(to: id).count == 1)
    }
}
