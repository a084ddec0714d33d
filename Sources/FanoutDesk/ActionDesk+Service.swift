import FanOut
import FanoutEngine
import Participants

// MARK: - Commands of a service whose desk runs on a thread of its own

extension ActionDesk {
    /// Starts a planned action through `dispatcher` from any task, as ``start(_:)`` does: the
    /// ledger holds the action, its area and every queued alert when this returns. The write runs
    /// on the dispatcher's commands thread, not on the cooperative pool.
    ///
    /// - Parameters:
    ///   - providers: What the ledger records as the action's providers
    ///     (``DeskProviders/recorded``).
    ///   - origin: Who gave the command, recorded in the start's own transaction.
    /// - Throws: ``DispatchError`` as ``start(_:origin:)``.
    package static func start(
        _ plan: Plan, dispatcher: Dispatcher, ledger: Ledger, providers: String, origin: CommandOrigin?
    ) async throws -> ActionID {
        try await dispatcher.onCommandThread {
            let id = try dispatcher.start(plan.request, recipients: plan.recipients, area: plan.area, origin: origin)
            try dispatcher.flush()
            try ledger.recordProviders(providers, for: id)
            return id
        }
    }

    /// Enlarges the planned action through `dispatcher` from any task, as ``enlarge(_:)`` does.
    ///
    /// - Returns: How many were added.
    /// - Parameter origin: Who gave the command, recorded in the enlargement's own transaction.
    /// - Throws: ``DispatchError`` as ``enlarge(_:origin:)``.
    package static func enlarge(
        _ plan: EnlargementPlan, dispatcher: Dispatcher, origin: CommandOrigin?
    ) async throws -> Int {
        try await dispatcher.onCommandThread {
            let added = try dispatcher.enlarge(
                plan.action, with: plan.recipients, area: plan.area, confirmed: plan.confirmed, origin: origin)
            try dispatcher.flush()
            return added
        }
    }

    /// Stops or ends an action through `dispatcher` from any task and writes the ledger.
    ///
    /// - Returns: What `command` returns (alerts cancelled, end messages queued).
    /// - Throws: What `command` throws.
    package static func command(
        on dispatcher: Dispatcher, _ command: @escaping @Sendable (Dispatcher) throws -> Int
    ) async throws -> Int {
        try await dispatcher.onCommandThread {
            let n = try command(dispatcher)
            try dispatcher.flush()
            return n
        }
    }
}
