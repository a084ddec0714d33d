import FanOut
import FanoutEngine
import FanoutTesting
import Geo
import ProviderAdapters
import Participants

/// Something about a new area an operator should look at before enlarging with it.
public enum AreaWarning: Sendable, Hashable {
    /// The new area lists fewer persons than the current area version did: it may be smaller than
    /// the current area (an enlargement only ever adds persons; nobody is taken out).
    case smaller(listed: Int, current: Int)
    /// None of the persons the action has included is inside the new area: it may lie elsewhere
    /// (a wrong centre or file).
    case disjoint(included: Int)
}

extension ActionDesk {
    /// What enlarging an action would do, before anything is queued.
    public struct EnlargementPlan: Sendable {
        /// The action.
        public internal(set) var action: ActionID
        /// The new area's persons, outside-in, with their registry channel preferences.
        public internal(set) var recipients: [Recipient]
        /// Persons included so far, listed by the new area, and to be added.
        public internal(set) var count: EnlargementCount
        /// The incident type's confirmation threshold (`nil`: none configured).
        public internal(set) var threshold: Int?
        /// Whether the enlargement was confirmed (passed on to the dispatcher).
        public internal(set) var confirmed: Bool
        /// Whether the action would exceed the threshold and the enlargement is not confirmed.
        public internal(set) var needsConfirmation: Bool
        /// What looks wrong about the new area (judged by the persons in it).
        public internal(set) var warnings: [AreaWarning]
        /// The new area's record for the audit (`nil` for a plan on recipients in tests).
        var area: AreaRecord?
    }

    /// Plans enlarging action `id` with `selection`, each new person with their data from
    /// `registry`, without changing anything: see ``planEnlargement(_:with:confirmed:)``.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (stopped or ended),
    ///   `.invalidRequest` (registry data that does not parse), `.ledger`; ``RegistryError``.
    public func planEnlargement(
        _ id: ActionID, selection: SelectionResult, registry: Registry, confirmed: Bool = false
    ) throws -> EnlargementPlan {
        var plan = try planEnlargement(
            id, with: try RecipientSource.registry(registry).recipients(for: selection.participants),
            confirmed: confirmed)
        plan.area = selection.areaRecord
        return plan
    }

    /// Plans enlarging action `id` with `selection` from the ledger alone (read, nothing written),
    /// each new person with their data from `registry`: for a process that hands the enlargement
    /// to the process holding the ledger (``DeskCommand/enlarge(_:_:confirmed:)``), which checks
    /// the threshold again when it applies it.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (not running),
    ///   `.invalidRequest`, `.ledger`; ``RegistryError``.
    public static func planEnlargement(
        _ id: ActionID, selection: SelectionResult, registry: Registry, confirmed: Bool = false, ledger: Ledger,
        config: DispatchConfig
    ) throws -> EnlargementPlan {
        var plan = try planEnlargement(
            id, with: try RecipientSource.registry(registry).recipients(for: selection.participants),
            confirmed: confirmed, ledger: ledger, config: config)
        plan.area = selection.areaRecord
        return plan
    }

    /// Plans enlarging action `id` with `recipients` (the new area's persons) without changing
    /// anything: the counts, the confirmation threshold on the action's total after the
    /// enlargement, and warnings when the new area lists fewer persons than the current version
    /// (smaller) or none of the persons included so far (disjoint).
    ///
    /// The areas are compared by the persons in them, not their geometry: that is what the
    /// enlargement changes, and it works alike for circles and polygons.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (stopped or ended), `.ledger`.
    package func planEnlargement(_ id: ActionID, with recipients: [Recipient], confirmed: Bool = false) throws
        -> EnlargementPlan
    {
        try requireHeld(id, for: "enlarge")
        return try Self.plan(
            id, count: try dispatcher.enlargementCount(id, with: recipients), recipients: recipients,
            confirmed: confirmed, ledger: ledger, config: config)
    }

    /// Plans enlarging action `id` as ``planEnlargement(_:with:confirmed:)`` does, from the ledger
    /// alone (read, nothing written): for a process that hands the enlargement to the process
    /// holding the ledger, which checks the threshold again when it applies it.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (not running), `.ledger`.
    package static func planEnlargement(
        _ id: ActionID, with recipients: [Recipient], confirmed: Bool = false, ledger: Ledger, config: DispatchConfig
    ) throws -> EnlargementPlan {
        let state = try ledger.state(of: id)
        guard state == .running else {
            throw DispatchError(.invalidTransition, "cannot enlarge action \(id): it is \(state.rawValue)")
        }
        return try plan(
            id, count: try ledger.enlargementCount(id, with: recipients), recipients: recipients,
            confirmed: confirmed, ledger: ledger, config: config)
    }

    private static func plan(
        _ id: ActionID, count: EnlargementCount, recipients: [Recipient], confirmed: Bool, ledger: Ledger,
        config: DispatchConfig
    ) throws -> EnlargementPlan {
        let threshold = config.confirmationThreshold(for: count.incidentType)
        var warnings: [AreaWarning] = []
        if let current = try ledger.areaVersions(of: id).last, count.listed < current.recipients {
            warnings.append(.smaller(listed: count.listed, current: current.recipients))
        }
        if count.included > 0 && count.alreadyIncluded == 0 { warnings.append(.disjoint(included: count.included)) }
        return EnlargementPlan(
            action: id, recipients: recipients, count: count, threshold: threshold, confirmed: confirmed,
            needsConfirmation: Planner.needsConfirmation(count, confirmed: confirmed, config: config),
            warnings: warnings)
    }

    /// Enlarges the planned action (only persons not yet included are added); the new area
    /// version in the audit is the plan's selection's area.
    /// - Returns: How many were added.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition`, `.confirmationRequired`
    ///   (the plan needs a confirmation it does not have; nothing is added).
    /// - Parameter origin: Who gave the command, recorded with it (`nil`: no record).
    public func enlarge(_ plan: EnlargementPlan, origin: CommandOrigin? = nil) throws -> Int {
        try requireHeld(plan.action, for: "enlarge")
        let added = try dispatcher.enlarge(
            plan.action, with: plan.recipients, area: plan.area, confirmed: plan.confirmed, origin: origin)
        try dispatcher.flush()
        return added
    }

    /// Enlarges action `id` with `recipients` (tests in this package; only persons not yet
    /// included are added); see ``planEnlargement(_:with:confirmed:)`` for the threshold.
    /// - Returns: How many were added.
    /// - Throws: ``DispatchError`` `.unknownAction` (naming the known ids), `.invalidTransition`,
    ///   `.confirmationRequired`.
    package func enlarge(
        _ id: ActionID, with recipients: [Recipient], area: AreaRecord? = nil, confirmed: Bool = false,
        origin: CommandOrigin? = nil
    ) throws -> Int {
        var plan = try planEnlargement(id, with: recipients, confirmed: confirmed)
        plan.area = area
        return try enlarge(plan, origin: origin)
    }
}
