import GRDB
import Geo
import Participants
/// What enlarging an action with a new area's recipients would do, counted before anything is
/// queued: the confirmation threshold is checked on ``total``, the action's persons after the
/// enlargement.
public struct EnlargementCount: Sendable, Hashable {
    /// The action's incident type (keys the confirmation thresholds).
    public var incidentType: String
    /// Persons the action has included so far, over all its area versions.
    public var included: Int
    /// Distinct persons the new area lists.
    public var listed: Int
    /// Of them, persons the action has already included.
    public var alreadyIncluded: Int

    /// Persons the enlargement would add (listed and not yet included; some may still be skipped:
    /// opted out, no channel).
    public var adding: Int { listed - alreadyIncluded }
    /// The action's persons after the enlargement.
    public var total: Int { included + adding }
}

extension EnlargementCount {
    /// Counts the distinct persons of `recipients`, and those of them `isIncluded` says the
    /// action (of `incidentType`, with `included` persons) already has.
    init(incidentType: String, included: Int, listing recipients: [Recipient], isIncluded: (Int64) -> Bool) {
        let listed = Set(recipients.map(\.person))
        self.init(
            incidentType: incidentType, included: included, listed: listed.count,
            alreadyIncluded: listed.reduce(0) { isIncluded($1) ? $0 + 1 : $0 })
    }
}

extension Dispatcher {
    /// Counts what enlarging action `id` with `recipients` would do, without changing anything.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`.
    public func enlargementCount(_ id: ActionID, with recipients: [Recipient]) throws -> EnlargementCount {
        try withCore { c in
            guard let run = c.actions[id] else { throw DispatchError(.unknownAction, "no action \(id)") }
            return Self.enlargementCount(run, recipients)
        }
    }

    static func enlargementCount(_ run: ActionRun, _ recipients: [Recipient]) -> EnlargementCount {
        EnlargementCount(
            incidentType: run.request.incidentType, included: run.people.count, listing: recipients,
            isIncluded: { run.people[$0] != nil })
    }
}

extension Planner {
    /// Refuses an enlargement that adds persons and leaves the action larger than its incident
    /// type's threshold, unless it is confirmed: the same interlock as a start, on the total.
    ///
    /// An enlargement that adds nobody needs no confirmation, and neither does one whose total
    /// stays within the threshold. A confirmed start does not confirm later enlargements.
    /// - Throws: ``DispatchError`` `.confirmationRequired` with the counts and the threshold.
    public static func checkInterlock(
        enlarging id: ActionID, _ count: EnlargementCount, confirmed: Bool, config: DispatchConfig
    ) throws {
        guard needsConfirmation(count, confirmed: confirmed, config: config),
            let limit = config.confirmationThreshold(for: count.incidentType)
        else { return }
        throw DispatchError(
            .confirmationRequired,
            "enlarging action \(id) adds \(count.adding) persons to its \(count.included): \(count.total) is more than "
                + "the \(limit) usual for a '\(count.incidentType)' action; confirm explicitly to send")
    }

    /// Whether an enlargement needs a confirmation it does not have (see
    /// ``checkInterlock(enlarging:_:confirmed:config:)``).
    public static func needsConfirmation(_ count: EnlargementCount, confirmed: Bool, config: DispatchConfig) -> Bool {
        guard !confirmed, count.adding > 0, let limit = config.confirmationThreshold(for: count.incidentType) else {
            return false
        }
        return count.total > limit
    }
}

extension Ledger {
    /// Counts what enlarging action `id` with `recipients` would do, from the ledger (the persons
    /// with an alert row are the action's included persons, as in a dispatcher that resumed it).
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`, `.ledger`.
    public func enlargementCount(_ id: ActionID, with recipients: [Recipient]) throws -> EnlargementCount {
        let (type, included) = try read("counting the persons of action \(id)") { db -> (String?, Set<Int64>) in
            let type = try String.fetchOne(
                db, sql: "SELECT incident_type FROM dispatch_action WHERE id = ?", arguments: [id.rawValue])
            let persons = try Int64.fetchSet(
                db, sql: "SELECT person_id FROM dispatch_message WHERE action_id = ? AND kind = 'alert'",
                arguments: [id.rawValue])
            return (type, persons)
        }
        guard let type else { throw DispatchError(.unknownAction, "no action \(id) in \(path)") }
        return EnlargementCount(
            incidentType: type, included: included.count, listing: recipients, isIncluded: included.contains)
    }
}
