import Foundation
import Participants

/// What recording an answer did.
public struct AnswerReceipt: Sendable, Hashable {
    /// Messages to the person in the action that a "stop" cancelled before they went out.
    public var cancelled: Int
    /// Whether the action was running in this dispatcher (else the answer went to the ledger only).
    public var live: Bool
}

extension Dispatcher {
    /// Records a participant's answer (a sighting, an acknowledgement, a stop) in the ledger.
    ///
    /// A stop is honoured at once on every channel: the person's queued and retry-waiting messages
    /// in the action are cancelled, no retry or fallback is made after a message now with a
    /// provider, and no end message follows. Answers to an action this dispatcher no longer holds
    /// (finished) are stored too, if the person had a message in it.
    ///
    /// - Parameter origin: Who recorded it, when the control room did (a participant who called
    ///   the free number): written to the command log in the answer's own transaction.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidRequest` (the person was not alerted
    ///   in the action), `.ledger`.
    @discardableResult
    public func record(_ answer: ParticipantAnswer, origin: CommandOrigin? = nil) throws -> AnswerReceipt {
        let now = clock.now
        let held = try command { c -> AnswerReceipt? in
            guard var run = c.takeRun(answer.action) else { return nil }
            defer { c.put(run) }
            guard run.people[answer.person] != nil else {
                throw DispatchError(
                    .invalidRequest, "person \(answer.person) was not alerted in action \(answer.action)")
            }
            try c.record(.answer(answer))
            if let origin { try c.record(.command(.answer, answer.action, origin, at: now)) }
            var cancelled = 0
            if answer.kind == .stop, run.stoppedByAnswer.insert(answer.person).inserted {
                cancelled = try c.cancelQueued(of: answer.person, in: &run, at: now)
            }
            try c.flush()
            logger.debug(
                "answer recorded",
                metadata: [
                    "action": "\(answer.action)", "kind": "\(answer.kind.rawValue)",
                    "channel": "\(answer.channel.rawValue)", "cancelled": "\(cancelled)",
                ])
            return AnswerReceipt(cancelled: cancelled, live: true)
        }
        if let held { return held }
        guard let ledger else { throw DispatchError(.unknownAction, "no action \(answer.action)") }
        try ledger.recordAnswerDirectly(answer, origin: origin, at: now)
        return AnswerReceipt(cancelled: 0, live: false)
    }
}

extension DispatchCore {
    /// Cancels every message of `person` in `run` that is queued or waits for a retry (not one
    /// in flight at a resume: that may have been delivered, and is resolved by sending it again).
    mutating func cancelQueued(of person: Int64, in run: inout ActionRun, at now: Duration) throws -> Int {
        var cancelled = 0
        func cancel(_ kind: MessageKind) throws {
            run.count(kind, from: .queued, to: .cancelled)
            try record(.state(MessageKey(action: run.id, person: person, kind: kind), .cancelled, at: now))
            cancelled += 1
        }
        if run.alertRetryWaiting.remove(person) != nil { try cancel(.alert) }
        if run.endRetryWaiting.remove(person) != nil { try cancel(.end) }
        guard !run.inFlightAtResume.contains(person) else { return cancelled }
        for channel in run.queues.keys {
            for m in run.queues[channel]?.remove(person: person) ?? [] { try cancel(m.kind) }
        }
        return cancelled
    }
}
