import Dispatch
import Foundation
import Geo
import Participants
import Synchronization

/// A few threads of their own taking jobs from one queue, first in, first out: for work that
/// blocks or burns CPU (GEOS and PROJ selections, SQLite writes) and so must not run on the
/// cooperative thread pool (as NIO's `NIOThreadPool` keeps blocking work off its event loops).
///
/// Closures go in with ``submit(_:)`` (and may be taken back with ``cancel(_:)`` while still
/// queued); it is also a `TaskExecutor`, so that a task run with
/// `withTaskExecutorPreference(threads)` runs its synchronous stretches on these threads.
///
/// ``close(wait:)`` refuses further closures; the threads finish the queue and exit.
///
/// - Important: Close it once no task prefers it any more: a task job arriving after the threads
///   have exited stops the process.
package final class WorkerThreads: Sendable {
    /// A queued closure's handle, for ``cancel(_:)``.
    package struct JobID: Hashable, Sendable {
        fileprivate let raw: UInt64
    }

    fileprivate struct Job {
        var id: UInt64
        var body: @Sendable (_ worker: Int) -> Void
    }

    fileprivate struct State {
        var queue: [Job] = []
        var head = 0
        var nextID: UInt64 = 1
        var closed = false
        var alive: Int
    }

    /// How many threads there are.
    package let count: Int
    /// The threads' name (with the thread's number appended when there are several; Linux keeps
    /// 15 bytes of a thread's name).
    package let name: String
    private let state: Mutex<State>
    /// Counts jobs queued (and, after closing, one wake-up per thread).
    private let jobs = DispatchSemaphore(value: 0)
    /// Signalled by each thread as it exits.
    private let exited = DispatchSemaphore(value: 0)

    /// Starts `count` threads named `name`.
    ///
    /// - Parameters:
    ///   - count: How many threads (at least 1).
    ///   - name: Their name, as debuggers and `Thread.current.name` show it.
    package init(count: Int, name: String) {
        precondition(count >= 1, "WorkerThreads needs at least one thread")
        self.count = count
        self.name = name
        state = Mutex(State(alive: count))
        for worker in 0..<count {
            let thread = Thread { [self] in
                Thread.current.threadDictionary[Self.marker] = ObjectIdentifier(self)
                Thread.current.threadDictionary[Self.nameKey] = name
                serve(worker)
            }
            thread.name = count == 1 ? name : "\(name) \(worker + 1)"
            thread.start()
        }
    }

    /// Queues `body`, to run on the first free thread with that thread's number (0..<``count``).
    ///
    /// - Returns: The job's handle, or `nil` when the threads are closed (nothing is queued).
    @discardableResult
    package func submit(_ body: @escaping @Sendable (_ worker: Int) -> Void) -> JobID? {
        let id = state.withLock { s -> UInt64? in
            guard !s.closed else { return nil }
            return s.enqueue(body)
        }
        guard let id else { return nil }
        jobs.signal()
        return JobID(raw: id)
    }

    /// Takes a queued job back.
    ///
    /// - Returns: Whether it was still queued (it will never run); `false` when it has started or
    ///   is done.
    package func cancel(_ job: JobID) -> Bool {
        // The semaphore keeps its count: a thread woken for the removed job finds the queue
        // without it and waits again.
        state.withLock { s in
            guard let i = s.queue[s.head...].firstIndex(where: { $0.id == job.raw }) else { return false }
            s.queue.remove(at: i)
            return true
        }
    }

    /// Jobs queued and not yet started.
    package var queued: Int { state.withLock { $0.queue.count - $0.head } }

    /// Refuses further closures; the threads run what is queued, then exit.
    ///
    /// - Parameter wait: Wait until every thread has exited (not from one of these threads).
    package func close(wait: Bool) {
        let first = state.withLock { s -> Bool in
            defer { s.closed = true }
            return !s.closed
        }
        if first {
            for _ in 0..<count { jobs.signal() }
        }
        if wait {
            for _ in 0..<count { exited.wait() }
            for _ in 0..<count { exited.signal() }  // a later close(wait: true) returns at once
        }
    }

    /// Whether the calling thread is one of these threads.
    package var isCurrent: Bool {
        Thread.current.threadDictionary[Self.marker] as? ObjectIdentifier == ObjectIdentifier(self)
    }

    /// The name of the ``WorkerThreads`` whose thread calls, if any.
    package static var currentName: String? { Thread.current.threadDictionary[nameKey] as? String }

    /// The key of the thread dictionary entry that marks these threads.
    private static let marker = "fanout.WorkerThreads"
    /// The key of the entry that holds their name.
    private static let nameKey = "fanout.WorkerThreads.name"

    /// One thread's loop: take the next job, run it; exit when closed and the queue is empty.
    private func serve(_ worker: Int) {
        while true {
            jobs.wait()
            let next = state.withLock { s -> Job?? in
                if let job = s.dequeue() { return .some(job) }
                if s.closed {
                    s.alive -= 1
                    return .none
                }
                return .some(nil)  // a cancelled job's wake-up
            }
            switch next {
            case .none:
                exited.signal()
                return
            case .some(nil):
                continue
            case .some(let job?):
                job.body(worker)
            }
        }
    }

    /// Queues a task's job even when closed (the task must go on), or stops the process when no
    /// thread is left to run it.
    private func enqueueTaskJob(_ body: @escaping @Sendable (_ worker: Int) -> Void) {
        state.withLock { s in
            precondition(s.alive > 0, "WorkerThreads '\(name)' got a task job after its threads exited")
            _ = s.enqueue(body)
        }
        jobs.signal()
    }
}

extension WorkerThreads.State {
    fileprivate mutating func enqueue(_ body: @escaping @Sendable (_ worker: Int) -> Void) -> UInt64 {
        let id = nextID
        nextID += 1
        queue.append(.init(id: id, body: body))
        return id
    }

    fileprivate mutating func dequeue() -> WorkerThreads.Job? {
        guard head < queue.count else { return nil }
        let job = queue[head]
        head += 1
        if head >= 64, head * 2 >= queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }
}

extension WorkerThreads: TaskExecutor {
    /// Runs a task's job on one of the threads.
    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        enqueueTaskJob { _ in job.runSynchronously(on: executor) }
    }
}
