import FanOut
/// How the relay's answers become ``DeliveryResult``s (the table in ``SMTPMailProvider``).
enum SMTPOutcome {
    /// The result of a refusal `reply` at `stage`.
    ///
    /// - 421 (the server closes the channel) at any stage, 451 and 452 (local error, too many
    ///   recipients or messages, insufficient storage) at any stage, and any 4xx to MAIL FROM:
    ///   ``DeliveryResult/throttled``: the relay is overloaded, not the recipient refused.
    /// - Any other 4xx to RCPT TO, DATA or the end of data (450 mailbox busy, greylisting):
    ///   ``DeliveryResult/failed``; the dispatcher retries it as a new attempt.
    /// - 5xx: ``DeliveryResult/failed`` (a permanent bounce).
    static func result(of reply: SMTPReply, at stage: SMTPStage) -> DeliveryResult {
        switch reply.code {
        case 421, 451, 452: return .throttled
        case 400..<500: return stage == .mail ? .throttled : .failed
        default: return .failed
        }
    }

    /// The result of a transaction.
    static func result(of transaction: SMTPTransactionResult) -> DeliveryResult {
        switch transaction {
        case .accepted: .delivered
        case .refused(let reply, let stage): result(of: reply, at: stage)
        // The relay may have taken a mail whose end of data it did not answer: not sent again.
        case .lost(_, let dataSent): dataSent ? .failed : .throttled
        }
    }
}
