import GRDB
import Geo
import Participants

extension Ledger {
    // MARK: - Where an action's messages go

    /// Records where `action`'s messages go, for a later process to check before it resumes it.
    ///
    /// The text is the caller's (`fanout action` writes `"sms=kannel"` or `"sms=simulated"`); the
    /// dispatcher does not read it. See ``unfinishedProviders()``. Recorded once, when the action
    /// starts; recording again replaces it.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.ledger`.
    public func recordProviders(_ providers: String, for action: ActionID) throws {
        let changed = try write("recording the providers of action \(action)") { db in
            try db.execute(
                sql: "UPDATE dispatch_action SET providers = ? WHERE id = ?", arguments: [providers, action.rawValue])
            return db.changesCount
        }
        if changed == 0 { throw DispatchError(.unknownAction, "no action \(action) in \(path)") }
    }

    /// What ``recordProviders(_:for:)`` recorded for every action a resumed dispatcher would take
    /// up (`nil`: nothing recorded), in id order.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func unfinishedProviders() throws -> [(action: ActionID, providers: String?)] {
        try read("reading the providers of the unfinished actions") { db in
            try Row.fetchAll(
                db, sql: "SELECT id, providers FROM dispatch_action WHERE \(Self.unfinishedCondition) ORDER BY id"
            ).map { row in (ActionID(rawValue: row[0]), row[1]) }
        }
    }
}
