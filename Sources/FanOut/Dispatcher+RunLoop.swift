import Dispatch
import Foundation
import Geo
import Participants
import Synchronization

/// How a run of the dispatcher's one loop (``Dispatcher/runLoop(_:)``) ends, and what it does
/// besides processing events: ``Dispatcher/run()``, ``Dispatcher/runUntilIdle()`` and the CLI's
/// action desk are all this loop with different plans.
package struct RunPlan {
    /// When the run ends.
    package enum End {
        /// When the task is cancelled (the production driver).
        case cancelled
        /// When nothing is queued or in flight (and, with ``RunPlan/waitsForReports``, no deferred
        /// report is owed).
        case idle
        /// When the next event is later than this dispatcher time, or nothing is due before it;
        /// the clock is then brought to it.
        case deadline(Duration)
        /// When no deferred provider owes a report (closing with hand-overs held).
        case reportsIn
    }

    /// When the run ends.
    package var end: End
    /// Whether a run that would end idle waits while a deferred provider (Kannel) owes reports:
    /// their outcomes have no event in the queue. Not on a virtual clock.
    package var waitsForReports = false
    /// Whether the ledger is written before each wait (a real clock: nothing stays unwritten
    /// while waiting); on a virtual clock the dispatcher writes a batch whenever one is full.
    package var writesBeforeWaiting = true
    /// Outside work to look for (the desk's inbox of commands from other processes): at the start,
    /// every `interval` of wall time, and before ending idle. `body` says whether it changed anything.
    package var poll: (interval: Duration, body: () throws -> Bool)?
    /// Asked at every turn: `true` ends the run (an interruption). Whoever makes it `true` calls
    /// ``Dispatcher/wake()`` so that a waiting loop looks at once.
    package var stop: () -> Bool = { false }
    /// A wall-clock limit for the run (closing: how long to wait for reports).
    package var wallDeadline: ContinuousClock.Instant?
    /// Called with the steps so far about five times a second of wall time, and at the end.
    package var progress: ((Int) -> Void)?

    /// A plan that ends as `end` says, and does nothing else.
    package init(end: End) { self.end = end }
}

extension Dispatcher {
    /// The dispatcher's one run loop: processes events as they come due on the clock, wakes at
    /// once when a command, a delivery report or an interruption bumps the dispatcher's signal,
    /// and at the plan's poll interval; ends as the plan says.
    ///
    /// On a virtual clock nothing waits: the clock jumps to each next event. Callers run it on the
    /// dispatcher's own thread (``onItsThread(_:)``), so that its ledger writes never block the
    /// cooperative pool.
    ///
    /// - Returns: The number of event steps (each processes every event due at its time).
    /// - Throws: ``DispatchError`` `.ledger`, what the plan's poll throws, or `CancellationError`.
    package func runLoop(_ plan: RunPlan) async throws -> Int {
        var steps = 0
        var lastPoll = ContinuousClock.now
        var lastProgress = ContinuousClock.now
        let virtual = clock.isVirtual
        if let poll = plan.poll { _ = try poll.body() }
        while true {
            // Taken before the checks below: a stop, command or report that comes after them bumps
            // the signal past `seen`, so the wait at the end of this pass returns at once.
            let seen = signal.generation
            try Task.checkCancellation()
            if plan.stop() { break }
            if let limit = plan.wallDeadline, ContinuousClock.now >= limit { break }
            if case .reportsIn = plan.end, awaitingReports == 0 { break }
            if let poll = plan.poll, ContinuousClock.now - lastPoll >= poll.interval {
                lastPoll = ContinuousClock.now
                if try poll.body() { continue }  // the commands may have changed what is due
            }
            var next = nextEventTime
            if case .deadline(let deadline) = plan.end, let n = next, n > deadline { next = nil }
            if let next, next <= clock.now || virtual {
                if next > clock.now {
                    if plan.writesBeforeWaiting { try flush() }
                    try await clock.sleep(until: next)
                }
                try advance(to: max(next, clock.now))
                steps += 1
                if let progress = plan.progress, steps & 63 == 0,
                    ContinuousClock.now - lastProgress > .milliseconds(200)
                {
                    lastProgress = ContinuousClock.now
                    progress(steps)
                }
                continue
            }
            var until = next
            if next == nil {
                let owed = plan.waitsForReports && !virtual && awaitingReports > 0
                switch plan.end {
                case .cancelled, .reportsIn:
                    break
                case .idle where !owed:
                    // A command handed over just now is applied and run rather than left.
                    if let poll = plan.poll {
                        lastPoll = ContinuousClock.now
                        if try poll.body() { continue }
                    }
                    try flush()
                    return ended(plan, steps)
                case .deadline(let deadline):
                    if !owed || clock.now >= deadline { return try await finish(plan, steps) }
                    until = deadline
                case .idle:
                    break
                }
            }
            if plan.writesBeforeWaiting { try flush() }
            var wallLimit = plan.wallDeadline
            if let poll = plan.poll { wallLimit = min(wallLimit ?? lastPoll + poll.interval, lastPoll + poll.interval) }
            await waitForWork(after: seen, until: until, orWall: wallLimit)
            if let progress = plan.progress, ContinuousClock.now - lastProgress > .milliseconds(200) {
                lastProgress = ContinuousClock.now
                progress(steps)
            }
        }
        try flush()
        return try await finish(plan, steps)
    }

    /// Ends a run after writing the ledger: a deadline run brings the clock to its deadline.
    private func finish(_ plan: RunPlan, _ steps: Int) async throws -> Int {
        try flush()
        if case .deadline(let deadline) = plan.end {
            try await clock.sleep(until: deadline)
            try advance(to: deadline)
        }
        return ended(plan, steps)
    }

    /// The end of every run: progress gets the last word.
    private func ended(_ plan: RunPlan, _ steps: Int) -> Int {
        plan.progress?(steps)
        return steps
    }

    /// Waits until dispatcher time `until` (if any), a bump of the signal after `seen`, or the wall
    /// instant `limit` (if any), whichever comes first, or the task is cancelled.
    private func waitForWork(after seen: UInt64, until: Duration?, orWall limit: ContinuousClock.Instant?) async {
        let clock = self.clock
        let signal = self.signal
        await withTaskGroup(of: Void.self) { group in
            if let until { group.addTask { try? await clock.sleep(until: until) } }
            if let limit { group.addTask { try? await ContinuousClock().sleep(until: limit, tolerance: nil) } }
            group.addTask { await signal.wait(after: seen) }
            await group.next()
            group.cancelAll()
        }
    }

    /// Runs `body` with the dispatcher's own thread as its task executor (a thread started for
    /// the call, ended after it): the loop's ledger writes (SQLite, blocking) and its processing
    /// then never occupy a thread of the cooperative pool.
    package func onItsThread<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        let thread = WorkerThreads(count: 1, name: Self.threadName)
        defer { thread.close(wait: false) }
        return try await withTaskExecutorPreference(thread) { try await body() }
    }

    /// The name of the thread a run of the loop runs on.
    package static let threadName = "fanout.dispatch"
}

extension Dispatcher {
    /// Runs the loop with `plan` on the dispatcher's own thread and blocks the calling thread until
    /// the run ends: the way in for synchronous callers (the CLI's action desk).
    ///
    /// The plan's closures (the desk's inbox, its progress bar) run on the dispatcher's thread
    /// while the caller waits, so they never run at the same time as the caller's own code.
    ///
    /// - Important: Call it from a thread of your own (the CLI's main thread), not from a task: it
    ///   blocks the thread it is called on until the run ends.
    /// - Returns: The number of event steps.
    /// - Throws: What ``runLoop(_:)`` throws.
    package func runBlocking(_ plan: RunPlan) throws -> Int {
        let thread = WorkerThreads(count: 1, name: Self.threadName)
        defer { thread.close(wait: false) }
        let handed = WhileTheCallerWaits(plan)
        let outcome = Mutex<Result<Int, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task(executorPreference: thread) {
            let result: Result<Int, any Error>
            do { result = .success(try await self.runLoop(handed.value)) } catch { result = .failure(error) }
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        guard let result = outcome.withLock({ $0 }) else { preconditionFailure("the run loop ended without a result") }
        return try result.get()
    }
}

/// A value handed to the run loop's task by a caller that is blocked until the task has ended
/// (``Dispatcher/runBlocking(_:)``).
///
/// `@unchecked Sendable`: the caller's thread does nothing while the task runs (it waits on a
/// semaphore the task signals last), so the value, its closures and what they capture are used
/// by one thread at a time, with the semaphore ordering the hand-over and the hand-back.
private struct WhileTheCallerWaits<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) { self.value = value }
}
