import Foundation
import Participants

/// What a participant answered to an action, on any channel.
public enum AnswerKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// "I have seen the person / the vehicle" (DTMF 1, an SMS "1" or "ZIEN", the app's or the
    /// mail's sighting button).
    case sighting
    /// "I have read it" (an app or mail acknowledgement, an SMS reply that is not a command).
    case acknowledgement
    /// "Stop calling me for this action" (DTMF 2, an SMS "STOP", the app's or the mail's stop
    /// button): every queued message to the person in this action is cancelled at once.
    case stop
}

/// One answer of one person in one action, as a channel adapter or the service heard it.
///
/// - Important: ``text`` may hold what the participant wrote: personal data, never logged.
public struct ParticipantAnswer: Sendable, Hashable {
    /// The action answered.
    public var action: ActionID
    /// The person who answered.
    public var person: Int64
    /// Sighting, acknowledgement or stop.
    public var kind: AnswerKind
    /// The channel the answer came in on (voice for DTMF, sms for a reply, email for a reply link,
    /// app for a push reply).
    public var channel: Channel
    /// When it came in (wall clock).
    public var receivedAt: Date
    /// What the participant wrote (an SMS or app reply), if anything.
    public var text: String?

    /// Creates an answer.
    public init(
        action: ActionID, person: Int64, kind: AnswerKind, channel: Channel, receivedAt: Date = Date(),
        text: String? = nil
    ) {
        self.action = action
        self.person = person
        self.kind = kind
        self.channel = channel
        self.receivedAt = receivedAt
        self.text = text
    }
}

/// Where channel adapters hand the answers they hear (a DTMF digit, an SMS reply): the desk
/// stores them in the ledger and honours a stop at once.
///
/// Called from the adapter's own threads; must not block for long.
public typealias AnswerSink = @Sendable (ParticipantAnswer) -> Void
