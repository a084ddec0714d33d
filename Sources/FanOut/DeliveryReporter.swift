import Geo
import Participants
import Synchronization

/// The way back into the dispatcher for a ``DeferredMessageProvider``: call
/// ``report(_:result:)`` from any thread when the provider has answered.
///
/// It holds the dispatcher weakly: reports after the dispatcher is gone are dropped.
public final class DeliveryReporter: Sendable {
    private struct Target {
        weak var dispatcher: Dispatcher?
    }

    private let target = Mutex(Target())

    init() {}

    func attach(_ dispatcher: Dispatcher) {
        target.withLock { $0.dispatcher = dispatcher }
    }

    /// Reports the outcome of `message` (as it was submitted): delivered, busy, no answer, failed,
    /// or throttled (rejected as overloaded: it is put back and the dispatcher slows down).
    ///
    /// A report for a message that is not awaited (reported twice, or handed over before a
    /// restart) is ignored.
    /// - Throws: ``DispatchError`` `.ledger` when the ledger cannot be written.
    public func report(_ message: OutboundMessage, result: DeliveryResult) throws {
        guard let dispatcher = target.withLock({ $0.dispatcher }) else { return }
        try dispatcher.report(message, result: result)
    }
}
