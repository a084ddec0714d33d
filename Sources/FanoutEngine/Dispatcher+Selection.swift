import FanOut
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection

extension Dispatcher {
    /// Starts an action on a selection: its participants outside-in, each with their person,
    /// channels, opt-out, quiet hours, language and contact data from `recipients` (the registry).
    ///
    /// The incident point is the selection's (the selection request's `incident`, else the
    /// circle's centre or the polygon's centroid, given in WGS84 and recorded in RD New), and the
    /// audit's area version 1 is the selection's area (``SelectionResult/areaRecord``).
    ///
    /// ```swift
    /// let selection = try engine.select(SelectionRequest(area: .circle(center: dam, radiusMeters: 2_000)))
    /// let id = try await dispatcher.start(request, selection: selection, recipients: .registry(registry))
    /// ```
    /// - Returns: The new action's id.
    /// - Throws: ``DispatchError`` (see ``Dispatcher/start(_:participants:incident:recipients:area:)``)
    ///   or ``RegistryError``.
    public func start(_ request: ActionRequest, selection: SelectionResult, recipients: RecipientSource) throws
        -> ActionID
    {
        try start(
            request, participants: selection.participants, incident: selection.incident, recipients: recipients,
            area: selection.areaRecord)
    }

    /// Enlarges a running action with a new selection (only persons not yet included are added);
    /// the new area version in the audit is the selection's area.
    ///
    /// - Returns: How many persons were added.
    /// - Throws: ``DispatchError`` (see ``Dispatcher/enlarge(_:participants:recipients:area:confirmed:)``)
    ///   or ``RegistryError``.
    @discardableResult
    public func enlarge(
        _ id: ActionID, selection: SelectionResult, recipients: RecipientSource, confirmed: Bool = false
    ) throws -> Int {
        try enlarge(
            id, participants: selection.participants, recipients: recipients, area: selection.areaRecord,
            confirmed: confirmed)
    }

    // MARK: - From tasks, off the cooperative pool

    /// Starts an action on a selection, writing its one ledger transaction on the dispatcher's
    /// commands thread (`fanout.commands`) while the calling task waits: the synchronous
    /// ``start(_:selection:recipients:)``'s command, which Swift picks outside `async` code.
    ///
    /// - Returns: The new action's id.
    /// - Throws: As ``start(_:selection:recipients:)``.
    public func start(_ request: ActionRequest, selection: SelectionResult, recipients: RecipientSource) async throws
        -> ActionID
    {
        try await onCommandThread { try self.start(request, selection: selection, recipients: recipients) }
    }

    /// Enlarges a running action with a new selection, writing on the dispatcher's commands thread
    /// while the calling task waits (see ``start(_:selection:recipients:)-async``).
    ///
    /// - Returns: How many persons were added.
    /// - Throws: As ``enlarge(_:selection:recipients:confirmed:)``.
    @discardableResult
    public func enlarge(
        _ id: ActionID, selection: SelectionResult, recipients: RecipientSource, confirmed: Bool = false
    ) async throws -> Int {
        try await onCommandThread {
            try self.enlarge(id, selection: selection, recipients: recipients, confirmed: confirmed)
        }
    }
}
