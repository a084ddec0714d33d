import FanOut

extension Dispatcher {
    /// Starts an action on a selection: its participants in outside-in order, each on their
    /// preferred channel from `registry` when one is given.
    ///
    /// The request's incident point is taken from the selection. With a registry, each participant
    /// gets their person, channels, quiet hours and language from it.
    /// - Parameter area: The area text and registry generation for the audit (area version 1).
    /// - Returns: The new action's id.
    /// - Throws: ``FanOutError`` (see ``Dispatcher/start(_:recipients:area:)``) or ``RegistryError``.
    public func start(
        _ request: ActionRequest, selection: SelectionResult, registry: Registry? = nil, area: AreaRecord? = nil
    ) throws -> ActionID {
        var request = request
        request.incidentPoint = selection.incident
        return try start(
            request, recipients: try Recipient.recipients(for: selection.participants, registry: registry), area: area)
    }

    /// Enlarges a running action with a new selection (only persons not yet included are added).
    ///
    /// - Parameter area: The enlarged area's text and registry generation for the audit.
    /// - Returns: How many persons were added.
    /// - Throws: ``FanOutError`` (see ``Dispatcher/enlarge(_:with:area:confirmed:)``) or ``RegistryError``.
    @discardableResult
    public func enlarge(
        _ id: ActionID, selection: SelectionResult, registry: Registry? = nil, area: AreaRecord? = nil,
        confirmed: Bool = false
    ) throws -> Int {
        try enlarge(
            id, with: try Recipient.recipients(for: selection.participants, registry: registry), area: area,
            confirmed: confirmed)
    }
}
