import Geo
import Participants
extension Dispatcher {
    // MARK: - Holding hand-overs

    /// Stops handing messages to providers; commands, reports and timers go on.
    ///
    /// Messages queued now or later stay queued (in the ledger too) until
    /// ``releaseHandOvers()``; messages already with a provider complete when it reports them
    /// (a retry is queued, not sent). Used to drain a real provider before a process exits:
    /// hold, wait until ``awaitingReports`` is 0, write the ledger, shut the adapter down. Nothing
    /// is then left in flight to be sent twice by the next process.
    public func holdHandOvers() {
        try? withCore { c in c.held = true }
    }

    /// Hands messages to providers again, at once for every channel with capacity.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func releaseHandOvers() throws {
        let now = clock.now
        try withCore { c in
            guard c.held else { return }
            c.held = false
            try c.pumpAll(at: now)
        }
        wake()
    }

    /// Whether hand-overs are held (``holdHandOvers()``, or ``DispatchOptions/handOversHeld``).
    public var handOversHeld: Bool { (try? withCore { $0.held }) ?? false }

    /// Messages handed to a ``DeferredMessageProvider`` whose outcome it has not reported yet.
    ///
    /// Such a message has no event in the dispatcher's queue (``nextEventTime`` does not count
    /// it): a driver that must not stop before every outcome is in waits for this to be 0 too.
    public var awaitingReports: Int { (try? withCore { $0.awaiting.count }) ?? 0 }
}
