import FanOut

/// The job table every channel adapter keeps (Kannel, SIP, SMTP, Web Push): a bounded queue
/// drained by its workers, the reporter to answer for each idempotency key in flight, and the
/// final results of the most recent keys handed over.
///
/// The dispatcher may hand a message over again (after a restart it resumes what it had not heard
/// back about): a repeat of a key still in flight takes the message over (its new reporter gets
/// the one result), a repeat of a key completed gets the remembered result again, and neither is
/// sent twice. Held inside the adapter's own lock; not thread-safe by itself.
package struct AdapterJobs<Job: Sendable>: Sendable {
    private var queue: [Job] = []
    private var head = 0
    /// The reporter to answer for each key queued or being sent.
    private var owners: [String: DeliveryReporter] = [:]
    private var completed: [String: DeliveryResult] = [:]
    private var completedOrder: [String] = []
    private var completedHead = 0

    /// An empty table.
    package init() {}

    /// What to do with a submitted message.
    package enum Admission: Sendable {
        /// Its key is queued or being sent: the new reporter will get the result. Nothing to do.
        case inFlight
        /// Its key completed with this result: report it again, send nothing.
        case completed(DeliveryResult)
        /// The queue is full: report it throttled.
        case full
        /// New: queue it (``append(_:)``); the reporter is recorded as the key's owner.
        case new
    }

    /// Decides what to do with `key` and records `reporter` as its owner when it is in flight or new.
    ///
    /// - Parameters:
    ///   - capacity: The most jobs queued.
    ///   - occupancy: What counts against the capacity (default: the jobs queued).
    package mutating func admit(
        _ key: String, reporter: DeliveryReporter, capacity: Int, occupancy: Int? = nil
    ) -> Admission {
        if owners[key] != nil {
            owners[key] = reporter
            return .inFlight
        }
        if let result = completed[key] { return .completed(result) }
        if (occupancy ?? queued) >= capacity { return .full }
        owners[key] = reporter
        return .new
    }

    /// Queues `job` (after ``admit(_:reporter:capacity:occupancy:)`` said ``Admission/new``, or a
    /// job an adapter reports in order with the others).
    package mutating func append(_ job: Job) { queue.append(job) }

    /// Jobs queued, not yet taken by a worker.
    package var queued: Int { queue.count - head }

    /// The next job, without taking it.
    package var next: Job? { head < queue.count ? queue[head] : nil }

    /// Takes the next job.
    package mutating func pop() -> Job? {
        guard head < queue.count else { return nil }
        let job = queue[head]
        head += 1
        if head > 1024, head * 2 > queue.count {
            queue.removeFirst(head)
            head = 0
        }
        return job
    }

    /// Records `key`'s result (a throttled one is not final: a repeat is sent) among the
    /// `remember` most recent, and returns the reporter to answer (`nil`: it had none in flight).
    package mutating func finish(_ key: String, _ result: DeliveryResult, remember capacity: Int) -> DeliveryReporter? {
        if result != .throttled {
            if completed.updateValue(result, forKey: key) == nil { completedOrder.append(key) }
            while completedOrder.count - completedHead > capacity {
                completed[completedOrder[completedHead]] = nil
                completedHead += 1
            }
            if completedHead > 1024, completedHead * 2 > completedOrder.count {
                completedOrder.removeFirst(completedHead)
                completedHead = 0
            }
        }
        return owners.removeValue(forKey: key)
    }
}
