import Geo
import Participants
import Selection

extension Dispatcher {
    // MARK: - Starting and enlarging on participants

    /// Starts an action alerting `participants` in the given (outside-in) order, each with their
    /// person, channels, opt-out, quiet hours, language and contact data from `recipients`.
    ///
    /// `FanoutEngine` adds `start(_:selection:recipients:)`, which takes the participants, the
    /// incident point and the area record from a selection: use that one when you select with an
    /// `Engine`. This one is for participants selected otherwise (benchmarks, simulations).
    ///
    /// A person listed twice, at one or several addresses, is alerted once, at the first of them.
    /// Each person gets the first channel of their plan (their preferences the action allows,
    /// without channels in quiet hours now); a person with no channel left, or opted out of the
    /// incident type, is skipped with the reason in the audit. The action, its area version 1 and
    /// all its queued messages are in the ledger when this returns.
    ///
    /// - Parameters:
    ///   - request: What to send; its ``ActionRequest/incidentPoint`` is set to `incident`.
    ///   - participants: Who to alert, outside-in.
    ///   - incident: The incident point (RD New) the distances were measured from.
    ///   - recipients: ``RecipientSource/registry(_:)`` in production.
    ///   - area: The area record for the audit (`SelectionResult.areaRecord`), if any.
    /// - Returns: The new action's id.
    /// - Throws: ``DispatchError`` `.invalidRequest` (empty message, no channel, a channel without a
    ///   provider, a text too long for one of the channels, a bad photo URL, a participant's
    ///   registry data that does not parse), `.confirmationRequired` (more persons than the incident
    ///   type's threshold and `request.confirmed` not set), `.ledger`; ``RegistryError``.
    public func start(
        _ request: ActionRequest, participants: [SelectedParticipant], incident: RDPoint,
        recipients: RecipientSource, area: AreaRecord? = nil
    ) throws -> ActionID {
        var request = request
        request.incidentPoint = incident
        return try start(request, recipients: try recipients.recipients(for: participants), area: area)
    }

    /// Enlarges a running action with `participants` (the new area's, outside-in): only persons
    /// not yet included are added, after those still queued, each with their data from `recipients`.
    ///
    /// Each enlargement is a new area version in the audit. The confirmation threshold applies as
    /// at the start, to the action's persons after the enlargement.
    ///
    /// - Parameters:
    ///   - recipients: ``RecipientSource/registry(_:)`` in production.
    ///   - area: The new area's record for the audit (`SelectionResult.areaRecord`), if any.
    ///   - confirmed: Confirms an enlargement that leaves the action larger than its threshold.
    /// - Returns: How many persons were added.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (stopped or ended),
    ///   `.confirmationRequired` (nothing is added then), `.invalidRequest`, `.ledger`; ``RegistryError``.
    @discardableResult
    public func enlarge(
        _ id: ActionID, participants: [SelectedParticipant], recipients: RecipientSource, area: AreaRecord? = nil,
        confirmed: Bool = false
    ) throws -> Int {
        try enlarge(id, with: try recipients.recipients(for: participants), area: area, confirmed: confirmed)
    }
}
