import FanOut
import Foundation
import Logging
import Participants
import ProviderAdapters
import Synchronization

// MARK: - Participants' answers (a sighting, an acknowledgement, a stop)

extension ActionDesk {
    /// Records an answer of a participant (heard by an adapter, or given through the service's
    /// reply link): stored in the ledger; a stop cancels the person's queued messages in the
    /// action at once (``Dispatcher/record(_:)``).
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidRequest` (the person had no message
    ///   in the action), `.ledger`.
    @discardableResult
    public func record(_ answer: ParticipantAnswer) throws -> AnswerReceipt {
        try dispatcher.record(answer)
    }

    /// The sink the channel adapters get: each answer is recorded through `dispatcher`; one that
    /// cannot be (an unknown action, a person not alerted) is logged without the person's data.
    package static func answerSink(for dispatcher: Dispatcher, logger: Logger) -> AnswerSink {
        { [weak dispatcher] answer in
            guard let dispatcher else { return }
            do {
                try dispatcher.record(answer)
            } catch {
                logger.warning(
                    "an answer could not be recorded",
                    metadata: [
                        "action": "\(answer.action)", "channel": "\(answer.channel.rawValue)",
                        "kind": "\(answer.kind.rawValue)", "error": "\(error)",
                    ])
            }
        }
    }
}

/// Turns SMS replies (Kannel's MO messages) into answers: the sender's number finds the person
/// in the registry, the reply's action number (or else their latest action by SMS) the action,
/// and the first word the kind (``ReplyText``).
///
/// Replies from unknown numbers, or from persons not alerted by SMS in a recent action, are
/// counted and dropped. Numbers and texts are never logged.
final class SMSReplyRouter: Sendable {
    private let registry: Registry
    private let ledger: Ledger
    private let logger: Logger
    /// Where routed answers go (the desk's ``AnswerForwarder``).
    private let answers: AnswerSink
    private let counts = Mutex((routed: 0, unmatched: 0))

    init(registry: Registry, ledger: Ledger, answers: @escaping AnswerSink, logger: Logger) {
        self.registry = registry
        self.ledger = ledger
        self.answers = answers
        self.logger = logger
    }

    var statistics: (routed: Int, unmatched: Int) { counts.withLock { $0 } }

    /// Routes one reply (on the adapter's listener thread).
    func route(_ reply: KannelSMSProvider.Reply) {
        let meaning = ReplyText(reply.text)
        do {
            let persons = try registry.persons(withPhone: reply.from)
            guard let (action, person) = try ledger.replyTarget(persons: persons, named: meaning.action, channel: .sms)
            else {
                counts.withLock { $0.unmatched += 1 }
                logger.info(
                    "an SMS reply matched no person alerted by SMS in a recent action",
                    metadata: ["registered": "\(!persons.isEmpty)"])
                return
            }
            counts.withLock { $0.routed += 1 }
            answers(
                ParticipantAnswer(
                    action: action, person: person, kind: meaning.kind, channel: .sms,
                    text: meaning.kind == .acknowledgement ? String(reply.text.prefix(1000)) : nil))
        } catch {
            counts.withLock { $0.unmatched += 1 }
            logger.warning("an SMS reply could not be routed", metadata: ["error": "\(error)"])
        }
    }
}

/// Hands answers to the dispatcher once it exists (an adapter is made before its dispatcher).
final class AnswerForwarder: Sendable {
    private let target = Mutex<AnswerSink?>(nil)

    /// Where answers go from now on.
    func deliver(to sink: @escaping AnswerSink) { target.withLock { $0 = sink } }

    /// The sink to give an adapter: answers before ``deliver(to:)`` are dropped (none can come
    /// before the dispatcher hands anything over).
    var sink: AnswerSink { { [self] answer in target.withLock { $0 }?(answer) } }
}
