import FanOut
import Geo
import Participants
import Synchronization

/// A **test double** for the provider edge: it records every message it receives, honours
/// idempotency keys (a repeated key, that is the same message and attempt, is counted in
/// ``duplicates``, not delivered again, and answered at once with the first outcome), and answers
/// with outcomes from a script. A hand-over the script rejects as ``DeliveryResult/throttled`` is
/// not accepted: it is counted in ``throttled`` and neither recorded nor remembered.
///
/// Used by the tests and for simulated providers on virtual time; it sends nothing anywhere.
public final class RecordingProvider: MessageProvider {
    /// One received message with the time it arrived.
    public struct Record: Sendable, Hashable {
        /// The message.
        public var message: OutboundMessage
        /// When it arrived (dispatcher clock).
        public var time: Duration
    }

    private struct Attempt: Hashable {
        var key: MessageKey
        var attempt: Int
    }

    private struct State {
        var records: [Record] = []
        var seen: [Attempt: ProviderOutcome] = [:]
        var duplicates: [MessageKey] = []
        var throttled: [Record] = []
    }

    private let state = Mutex(State())
    private let script: @Sendable (OutboundMessage) -> ProviderOutcome

    /// Creates a provider answering each message with `script(message)`.
    public init(script: @escaping @Sendable (OutboundMessage) -> ProviderOutcome) {
        self.script = script
    }

    /// Creates a provider where every message is delivered; a voice call occupies its line for
    /// `callDuration`, other channels report delivery after `deliveryDelay`.
    public convenience init(callDuration: Duration = .seconds(60), deliveryDelay: Duration = .zero) {
        self.init { message in
            ProviderOutcome(.delivered, after: message.channel == .voice ? callDuration : deliveryDelay)
        }
    }

    /// Records `message`; a repeated idempotency key is dropped (recorded as a duplicate and
    /// answered at once with the first outcome, without a second delivery) as a provider honouring
    /// keys would.
    public func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        let outcome = script(message)
        return state.withLock { s -> ProviderOutcome in
            let attempt = Attempt(key: message.key, attempt: message.attempt)
            if let first = s.seen[attempt] {
                s.duplicates.append(message.key)
                return ProviderOutcome(first.result)
            }
            if outcome.result == .throttled {
                s.throttled.append(Record(message: message, time: time))
                return outcome
            }
            s.seen[attempt] = outcome
            s.records.append(Record(message: message, time: time))
            return outcome
        }
    }

    /// Every first-time message in arrival order.
    public var records: [Record] { state.withLock { $0.records } }

    /// Keys received more than once for the same attempt (each repeat listed).
    public var duplicates: [MessageKey] { state.withLock { $0.duplicates } }

    /// Hand-overs rejected as overloaded, in arrival order.
    public var throttled: [Record] { state.withLock { $0.throttled } }
}
