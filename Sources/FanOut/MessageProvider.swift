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
}

/// What a provider reports for one message.
public enum DeliveryResult: String, Sendable, Hashable, Codable {
    /// Delivered (SMS/e-mail/app) or answered (voice).
    case delivered
    /// Voice: the line was busy.
    case busy
    /// Voice: nobody answered before the ring timeout.
    case noAnswer
    /// The provider could not deliver it.
    case failed

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
/// - Important: `send` is called with the dispatcher's lock held; it must return quickly (an
///   adapter to a real network service queues the request and reports its outcome later; that
///   asynchronous form is not written yet).
public protocol MessageProvider: Sendable {
    /// Sends one message at `time` (dispatcher clock) and returns its outcome.
    func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome
}
