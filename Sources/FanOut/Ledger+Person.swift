import GRDB
import Geo
import Participants

extension Ledger {
    /// The person a participant id stands for in `action`: messages are keyed by person, and one
    /// person may be registered at several addresses (participants).
    ///
    /// In order: the person the participant was listed as in the action's audit (included, or
    /// skipped as the same person as another address); the registry's `person` column when the
    /// ledger shares the registry's file (an address outside the area); else the id itself.
    /// - Complexity: Two indexed look-ups.
    static func person(of participant: Int64, in action: ActionID, _ db: Database) throws -> Int64 {
        if let p = try Int64.fetchOne(
            db,
            sql: "SELECT person_id FROM dispatch_audit WHERE action_id = ? AND participant_id = ? ORDER BY id LIMIT 1",
            arguments: [action.rawValue, participant])
        {
            return p
        }
        if try db.tableExists("participant"),
            let p = try Int64.fetchOne(
                db, sql: "SELECT COALESCE(person, id) FROM participant WHERE id = ?", arguments: [participant])
        {
            return p
        }
        return participant
    }
}
