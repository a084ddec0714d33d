import FanOut
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import ProviderAdapters
import Participants

extension ActionDesk {
    // MARK: - Running

    /// Progress of a run, for a progress bar.
    public struct Progress: Sendable {
        /// Dispatcher time.
        public var now: Duration
        /// Status of every action the dispatcher holds.
        public var actions: [ActionStatus]
        /// Events processed so far in this run.
        public var steps: Int
    }

    /// Processes events until nothing is queued or in flight, waiting on the clock between them
    /// (not at all on virtual time); on a real clock the ledger is written before every wait, and
    /// always at the end.
    ///
    /// Held hand-overs are released first (with Kannel a desk opens held). On a real clock the run
    /// also waits for every delivery report a deferred provider (Kannel) owes, and it stops early
    /// when ``interruption`` is requested.
    ///
    /// At the end the log's held-back counts are written (``Dispatcher/logSummaries()``).
    ///
    /// - Parameter progress: Called about five times a second of wall time, and at the end.
    /// - Returns: The number of event steps.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func runUntilIdle(progress: ((Progress) -> Void)? = nil) throws -> Int {
        try dispatcher.releaseHandOvers()
        defer { dispatcher.logSummaries() }
        return try process(until: nil, progress: progress)
    }

    /// Processes every event due up to dispatcher time `deadline`, then lets the clock reach it.
    ///
    /// - Returns: The number of event steps.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func run(until deadline: Duration, progress: ((Progress) -> Void)? = nil) throws -> Int {
        try dispatcher.releaseHandOvers()
        let steps = try process(until: deadline, progress: progress)
        wait(until: deadline)
        try dispatcher.advance(to: deadline)
        return steps
    }

    /// How often a run on a real clock looks for delivery reports and interruptions while it waits.
    static let slice = Duration.milliseconds(20)

    /// How often a run looks for commands other processes left in the ledger's inbox (wall time).
    static let inboxInterval = Duration.milliseconds(100)

    private func process(until deadline: Duration?, progress: ((Progress) -> Void)?) throws -> Int {
        var steps = 0
        var lastReport = ContinuousClock.now
        var lastInbox = ContinuousClock.now
        try applyInbox()
        while interruption.requests == 0, let (next, isEvent) = try nextDueLookingAtTheInbox() {
            if ContinuousClock.now - lastInbox > Self.inboxInterval {
                lastInbox = ContinuousClock.now
                if !(try applyInbox()).isEmpty { continue }  // the commands may have changed what is due
            }
            if let deadline, next > deadline { break }
            if next > dispatcher.clock.now {
                // On a real clock nothing stays unwritten while waiting; virtual time does not wait,
                // and the dispatcher writes a batch whenever one is full.
                if scaledClock != nil { try dispatcher.flush() }
                guard try waitForEvent(at: next) else { continue }  // something came earlier: look again
            }
            try dispatcher.advance(to: max(next, dispatcher.clock.now))
            if isEvent { steps += 1 }
            if let progress, !isEvent || steps & 63 == 0, ContinuousClock.now - lastReport > .milliseconds(200) {
                lastReport = ContinuousClock.now
                progress(currentProgress(steps: steps))
            }
        }
        try dispatcher.flush()
        progress?(currentProgress(steps: steps))
        return steps
    }

    /// The next event's time (``nextDue()``); when idle, the inbox is looked at once more, so
    /// that a command handed over just now is applied and run rather than left to the next process.
    private func nextDueLookingAtTheInbox() throws -> (time: Duration, isEvent: Bool)? {
        if let due = nextDue() { return due }
        return try applyInbox().isEmpty ? nil : nextDue()
    }

    /// The next event's time; with nothing scheduled but delivery reports owed (real clock only),
    /// a look one ``slice`` ahead (`isEvent` false); `nil` when idle.
    private func nextDue() -> (time: Duration, isEvent: Bool)? {
        if let t = dispatcher.nextEventTime { return (t, true) }
        guard scaledClock != nil, dispatcher.awaitingReports > 0 else { return nil }
        return (dispatcher.clock.now + Self.slice, false)
    }

    /// The current progress.
    public func currentProgress(steps: Int = 0) -> Progress {
        Progress(
            now: dispatcher.clock.now, actions: dispatcher.actionIDs.compactMap { try? dispatcher.status($0) },
            steps: steps)
    }

    private func wait(until deadline: Duration) {
        if let virtualClock {
            virtualClock.advance(to: deadline)
        } else if let scaledClock {
            let wall = scaledClock.wallInstant(for: deadline) - ContinuousClock.now
            if wall > .zero { Thread.sleep(forTimeInterval: wall.seconds) }
        }
    }

    /// Waits until dispatcher time `next`; on a real clock in slices, returning `false` early when
    /// an event is due sooner (a delivery report's completion scheduled one) or on an interruption.
    private func waitForEvent(at next: Duration) throws -> Bool {
        if let virtualClock {
            virtualClock.advance(to: next)
            return true
        }
        guard let scaledClock else { return true }
        while true {
            let wall = scaledClock.wallInstant(for: next) - ContinuousClock.now
            if wall <= .zero { return true }
            if interruption.requests > 0 { return false }
            Thread.sleep(forTimeInterval: min(wall, Self.slice).seconds)
            if let t = dispatcher.nextEventTime, t < next { return false }
            if ContinuousClock.now - lastInboxDuringWait > Self.inboxInterval {
                lastInboxDuringWait = ContinuousClock.now
                if !(try applyInbox()).isEmpty { return false }
            }
        }
    }

    // MARK: - Closing

    /// Closes the desk: with Kannel, holds new hand-overs, waits for the delivery reports of every
    /// SMS Kannel has taken, and shuts the adapter down; always writes the ledger.
    ///
    /// Held messages stay queued in the ledger for the next process. The wait ends when every
    /// report is in, after the adapter's report timeout (plus 2 s; the adapter has failed the
    /// missing ones by then), or when ``interruption`` is requested during it; messages still
    /// awaiting a report then stay `sent` in the ledger and the next process sends them again
    /// under the same key (Kannel itself does not deduplicate: they can reach a phone twice).
    /// Closing twice does nothing more.
    ///
    /// - Parameter waiting: Called once before waiting, with the reports owed and the longest wait.
    /// - Returns: How many hand-overs were left without a report.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func close(waiting: ((_ reports: Int, _ atMost: Duration) -> Void)? = nil) throws -> Int {
        guard !closed else { return 0 }
        closed = true
        guard let kannel, let configuration = kannelConfiguration else {
            try dispatcher.flush()
            return 0
        }
        dispatcher.holdHandOvers()
        let requestsBefore = interruption.requests
        var owed = dispatcher.awaitingReports
        if owed > 0 {
            let limit = configuration.reportTimeout + .seconds(2)
            waiting?(owed, limit)
            let deadline = ContinuousClock.now + limit
            while owed > 0, ContinuousClock.now < deadline, interruption.requests == requestsBefore {
                try dispatcher.flush()
                Thread.sleep(forTimeInterval: Self.slice.seconds)
                owed = dispatcher.awaitingReports
            }
        }
        kannel.shutdown()
        try dispatcher.flush()
        return dispatcher.awaitingReports
    }
}
