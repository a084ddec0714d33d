import Geo
import Participants
import Selection
import Synchronization

// MARK: - Commands from tasks, off the cooperative pool

extension Dispatcher {
    /// Starts an action alerting `participants`, writing its one ledger transaction on the
    /// dispatcher's commands thread (`fanout.commands`) while the calling task waits.
    ///
    /// The same command as the synchronous
    /// ``start(_:participants:incident:recipients:area:)``, which Swift picks outside `async`
    /// code: the same checks, the same one transaction, the same order with the other commands
    /// (they all take the dispatcher's lock). Only the thread differs: a task that awaits it
    /// leaves its cooperative-pool thread free during the SQLite write (about 1 s for a
    /// 200,000-person start).
    ///
    /// - Returns: The new action's id.
    /// - Throws: As ``start(_:participants:incident:recipients:area:)``.
    public func start(
        _ request: ActionRequest, participants: [SelectedParticipant], incident: RDPoint,
        recipients: RecipientSource, area: AreaRecord? = nil
    ) async throws -> ActionID {
        try await onCommandThread {
            try self.start(request, participants: participants, incident: incident, recipients: recipients, area: area)
        }
    }

    /// Enlarges a running action with `participants`, writing on the dispatcher's commands thread
    /// while the calling task waits (see ``start(_:participants:incident:recipients:area:)-async``).
    ///
    /// - Returns: How many persons were added.
    /// - Throws: As the synchronous ``enlarge(_:participants:recipients:area:confirmed:)``.
    @discardableResult
    public func enlarge(
        _ id: ActionID, participants: [SelectedParticipant], recipients: RecipientSource, area: AreaRecord? = nil,
        confirmed: Bool = false
    ) async throws -> Int {
        try await onCommandThread {
            try self.enlarge(id, participants: participants, recipients: recipients, area: area, confirmed: confirmed)
        }
    }

    /// Stops a running action, writing on the dispatcher's commands thread while the calling task
    /// waits (see ``start(_:participants:incident:recipients:area:)-async``).
    ///
    /// - Returns: How many alerts were cancelled.
    /// - Throws: As the synchronous ``stop(_:)``.
    @discardableResult
    public func stop(_ id: ActionID) async throws -> Int {
        try await onCommandThread { try self.stop(id) }
    }

    /// Ends an action with a result text, writing on the dispatcher's commands thread while the
    /// calling task waits (see ``start(_:participants:incident:recipients:area:)-async``).
    ///
    /// - Returns: How many end messages were queued now.
    /// - Throws: As the synchronous ``end(_:result:texts:)``.
    @discardableResult
    public func end(_ id: ActionID, result: String, texts: [String: String] = [:]) async throws -> Int {
        try await onCommandThread { try self.end(id, result: result, texts: texts) }
    }

    /// Runs the synchronous command `body` with the dispatcher's commands thread as the task's
    /// executor, so that its ledger write blocks that thread and not one of the cooperative pool.
    ///
    /// `body` is synchronous, so the command it calls is the synchronous overload.
    /// - Important: For the `async` overloads of commands in this package; it waits, it does not queue.
    package func onCommandThread<T: Sendable>(_ body: () throws -> T) async throws -> T {
        try await withTaskExecutorPreference(commands.threads) { try body() }
    }

    /// The name of the thread the `async` commands write on.
    package static let commandsThreadName = "fanout.commands"
}

/// The dispatcher's commands thread, started at the first `async` command and closed when the
/// dispatcher goes away.
///
/// A command's task holds the dispatcher (and so this) until the command returns: the thread is
/// never closed while a task prefers it.
final class CommandsThread: Sendable {
    private let started = Mutex<WorkerThreads?>(nil)

    init() {}

    /// The thread, started on first use.
    var threads: WorkerThreads {
        started.withLock { t in
            if let t { return t }
            let new = WorkerThreads(count: 1, name: Dispatcher.commandsThreadName)
            t = new
            return new
        }
    }

    deinit {
        started.withLock { $0?.close(wait: false) }
    }
}
