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
    /// when ``interruption`` is requested. Commands other processes leave in the ledger's inbox
    /// are applied at the start, every ``inboxInterval`` and before the run ends idle.
    ///
    /// This is the dispatcher's one run loop (``Dispatcher/run()`` runs it too), on the
    /// dispatcher's own thread; this call blocks the calling thread until the run ends.
    ///
    /// At the end the log's held-back counts are written (``Dispatcher/logSummaries()``).
    ///
    /// - Parameter progress: Called about five times a second of wall time, and at the end, on
    ///   the dispatcher's thread while this call waits.
    /// - Returns: The number of event steps.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func runUntilIdle(progress: ((Progress) -> Void)? = nil) throws -> Int {
        try dispatcher.releaseHandOvers()
        defer { dispatcher.logSummaries() }
        return try dispatcher.runBlocking(plan(.idle, progress: progress))
    }

    /// Processes every event due up to dispatcher time `deadline`, then lets the clock reach it.
    ///
    /// - Returns: The number of event steps.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func run(until deadline: Duration, progress: ((Progress) -> Void)? = nil) throws -> Int {
        try dispatcher.releaseHandOvers()
        return try dispatcher.runBlocking(plan(.deadline(deadline), progress: progress))
    }

    /// Processes events as they come due until ``interruption`` is requested: the driver of a
    /// long-running service (`fanout serve`). Blocks the calling thread; the loop runs on the
    /// dispatcher's own thread, applies the inbox of other processes' commands and writes the
    /// ledger before every wait. Commands arrive meanwhile through the dispatcher from any task.
    ///
    /// - Returns: The number of event steps.
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func runUntilInterrupted() throws -> Int {
        try dispatcher.releaseHandOvers()
        defer { dispatcher.logSummaries() }
        return try dispatcher.runBlocking(plan(.cancelled, progress: nil))
    }

    /// How often a run looks for commands other processes left in the ledger's inbox (wall time).
    static let inboxInterval = Duration.milliseconds(100)

    /// The plan of a run: the inbox polled, interruptions honoured, on a real clock the ledger
    /// written before each wait and delivery reports waited for.
    private func plan(_ end: RunPlan.End, progress: ((Progress) -> Void)?) -> RunPlan {
        var plan = RunPlan(end: end)
        plan.waitsForReports = scaledClock != nil
        plan.writesBeforeWaiting = scaledClock != nil
        plan.poll = (Self.inboxInterval, { [self] in !(try applyInbox()).isEmpty })
        let interruption = self.interruption
        plan.stop = { interruption.requests > 0 }
        if let progress {
            plan.progress = { [self] steps in progress(currentProgress(steps: steps)) }
        }
        return plan
    }

    /// The current progress.
    public func currentProgress(steps: Int = 0) -> Progress {
        Progress(
            now: dispatcher.clock.now, actions: dispatcher.actionIDs.compactMap { try? dispatcher.status($0) },
            steps: steps)
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
        guard usesRealProviders else {
            try dispatcher.flush()
            return 0
        }
        dispatcher.holdHandOvers()
        let requestsBefore = interruption.requests
        let owed = dispatcher.awaitingReports
        if owed > 0 {
            let limit = (kannelConfiguration?.reportTimeout ?? .seconds(120)) + .seconds(2)
            waiting?(owed, limit)
            // The one run loop again: it wakes for each report (and an interruption).
            var plan = RunPlan(end: .reportsIn)
            plan.wallDeadline = ContinuousClock.now + limit
            let interruption = self.interruption
            plan.stop = { interruption.requests != requestsBefore }
            _ = try dispatcher.runBlocking(plan)
        }
        shutdownAdapters()
        try dispatcher.flush()
        return dispatcher.awaitingReports
    }
}
