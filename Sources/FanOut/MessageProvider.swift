import Geo
import Participants
/// One message handed to a provider.
public struct OutboundMessage: Sendable, Hashable {
    /// The idempotency key: a provider that honours it drops a repeat (after a restart).
    public var key: MessageKey
    /// The channel it goes out on.
    public var channel: Channel
    /// The text (alert or end message).
    public var text: String
    /// A photo of the missing person or the vehicle, for channels that can show one.
    public var photoURL: String?
    /// The attempt (1 for the first; retries and fallbacks count on over all channels).
    public var attempt: Int
    /// The language of ``text`` (`nil` for the action's default text).
    public var language: String?

    /// Creates a message.
    public init(
        key: MessageKey, channel: Channel, text: String, photoURL: String? = nil, attempt: Int = 1,
        language: String? = nil
    ) {
        self.key = key
        self.channel = channel
        self.text = text
        self.photoURL = photoURL
        self.attempt = attempt
        self.language = language
    }

    /// The idempotency key to pass to the provider: `"<action>/<person>/<kind>/<attempt>"`.
    ///
    /// The same attempt sent again after a restart has the same key (a provider that honours
    /// keys drops it); a retry is a new attempt with a new key.
    public var idempotencyKey: String { "\(key)/\(attempt)" }
}

/// What a provider reports for one message.
public enum DeliveryResult: String, Sendable, Hashable, Codable, CaseIterable {
    /// Delivered (SMS/e-mail/app) or answered (voice).
    case delivered
    /// Voice: the line was busy.
    case busy
    /// Voice: nobody answered before the ring timeout.
    case noAnswer
    /// The provider could not deliver it.
    case failed
    /// The provider rejected the hand-over as overloaded (HTTP 429, an SMSC throttling error):
    /// not an attempt. The message goes back to the head of its queue and the dispatcher slows
    /// down for that provider (see ``DispatchConfig/BackPressure``).
    case throttled

    /// Whether the participant was reached.
    public var reached: Bool { self == .delivered }
}

/// A provider's answer for one message: the result and how long it took.
public struct ProviderOutcome: Sendable, Hashable {
    /// Delivered, busy, no answer or failed.
    public var result: DeliveryResult
    /// How long the message takes.
    ///
    /// Voice: how long the call occupies its line (ringing plus talking). Other channels: the delay
    /// between sending and the delivery report.
    public var duration: Duration

    /// Creates an outcome.
    public init(_ result: DeliveryResult, after duration: Duration = .zero) {
        self.result = result
        self.duration = duration
    }
}

/// A provider adapter at the edge: an SMSC, a voice platform, a mail relay or a push service.
///
/// The dispatcher calls ``send(_:at:)`` when capacity allows and uses the outcome's duration to
/// schedule the line release (voice) and the delivery report. Adapters must pass
/// ``OutboundMessage/key`` on to the provider as its idempotency key.
///
/// - Important: `send` is called with the dispatcher's lock held; it must return quickly. An
///   adapter to a real network service is a ``DeferredMessageProvider`` instead.
public protocol MessageProvider: Sendable {
    /// Sends one message at `time` (dispatcher clock) and returns its outcome.
    func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome
}

/// A provider adapter whose outcomes arrive later: an SMSC over SMPP or HTTP, a SIP platform.
///
/// The dispatcher calls ``submit(_:at:reporter:)`` with its lock held: the adapter only takes
/// the message over (puts it on its own queue or starts a request) and returns at once. When the
/// provider answers, the adapter calls ``DeliveryReporter/report(_:result:)`` from any thread;
/// the dispatcher then completes the message (a voice line is held until then), retries it, or
/// on ``DeliveryResult/throttled`` puts it back at the head of the queue and slows down.
///
/// Adapters must pass ``OutboundMessage/idempotencyKey`` on to the provider.
public protocol DeferredMessageProvider: Sendable {
    /// Takes `message` over at `time` (dispatcher clock); the outcome is reported later through
    /// `reporter`. Must not block and must not call back into the dispatcher before returning.
    func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter)
}
