import FanOut
import Foundation
import Logging
import Participants

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
