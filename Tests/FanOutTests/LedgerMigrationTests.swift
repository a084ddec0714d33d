import Foundation
import GRDB
import TestSupport
import Testing

@testable import FanOut
@testable import Participants
import Geo

/// The ledger's migrations on a file that already holds data (the other tests start from an empty
/// file), and files from before the ledger had migrations of its own.
@Suite struct LedgerMigrationTests {
    /// The ledger rows written before v9, as (action, person, kind, seq, state, attempt, quiet hours).
    typealias Row9 = (Int64, Int64, String, Int64, String, Int64, String?)

    @Test func v9KeepsEveryLedgerRowAndTheKeyStaysUnique() throws {
        let dir = try Fixtures.temporaryDirectory("migration")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.sqlite").path
        let rows: [Row9] = [
            (1, 30, "alert", 0, "delivered", 1, nil), (1, 20, "alert", 1, "sent", 2, "voice 22:00-07:00"),
            (1, 10, "alert", 2, "queued", 1, nil), (1, 30, "end", 3, "queued", 1, nil),
            (2, 10, "alert", 0, "failed", 3, nil),
        ]
        do {
            let pool = try DatabasePool(path: path)
            try Schema.migrator.migrate(pool)
            try LedgerSchema.migrator.migrate(pool, upTo: "v7-dispatch-message-quiet-hours")
            try pool.write { db in
                try db.execute(sql: "PRAGMA application_id = 0x46414E4F")
                for a in [1, 2] {
                    try db.execute(
                        sql: """
                            INSERT INTO dispatch_action (id, incident_type, urgency, message, channels, incident_x,
                                incident_y, state, started_ms) VALUES (?, 'burglary', 2, 'x', 'sms', 0, 0, 'running', 0)
                            """, arguments: [a])
                }
                for r in rows {
                    try db.execute(
                        sql: """
                            INSERT INTO dispatch_message (action_id, person_id, kind, seq, channel, distance_m, state,
                                updated_ms, attempt, quiet_hours) VALUES (?, ?, ?, ?, 'sms', 5.5, ?, 7, ?, ?)
                            """, arguments: [r.0, r.1, r.2, r.3, r.4, r.5, r.6])
                }
            }
        }
        _ = try Ledger.open(at: path)  // migrates the ledger to the newest version
        let pool = try DatabasePool(path: path)
        let after = try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT action_id, person_id, kind, seq, state, attempt, quiet_hours, distance_m, updated_ms
                    FROM dispatch_message
                    """)
        }
        // Stored in the new key order: action, kind, seq.
        let expected = rows.sorted { ($0.0, $0.2, $0.3) < ($1.0, $1.2, $1.3) }
        #expect(after.count == rows.count)
        for (r, e) in zip(after, expected) {
            #expect(
                (r[0] as Int64, r[1] as Int64, r[2] as String, r[3] as Int64, r[4] as String, r[5] as Int64)
                    == (e.0, e.1, e.2, e.3, e.4, e.5))
            #expect(r[6] as String? == e.6)
            #expect(r[7] as Double == 5.5 && r[8] as Int64 == 7)
        }
        // The idempotency key (action, person, kind) is still refused twice; a new seq is not enough.
        #expect(throws: DatabaseError.self) {
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO dispatch_message (action_id, person_id, kind, seq, channel, distance_m, state,
                            updated_ms) VALUES (1, 30, 'alert', 99, 'sms', 1, 'queued', 0)
                        """)
            }
        }
        // A state change finds its row through the key's index, not by scanning the table.
        let plan = try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN UPDATE dispatch_message SET state = 'sent'
                    WHERE action_id = 1 AND person_id = 20 AND kind = 'alert'
                    """
            ).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("INDEX dispatch_message_key (action_id=? AND person_id=? AND kind=?)") }, "\(plan)")
        let indexes = try pool.read { db in
            try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dispatch_message'")
        }
        #expect(Set(indexes).isSuperset(of: ["dispatch_message_key", "dispatch_message_queued"]))
    }

    /// The tables and indexes of a file, for comparing schemas.
    static func schema(_ path: String) throws -> [String] {
        try DatabaseQueue(path: path).read { db in
            try String.fetchAll(
                db, sql: "SELECT type || ' ' || name || ' ' || IFNULL(sql, '') FROM sqlite_master ORDER BY type, name")
        }
    }

    /// A file written when the registry's one migrator made the ledger's tables too: every
    /// migration as then, so without `v4-dispatch-retries-audit` (its `v4-person-retries-audit`
    /// made those tables). The ledger opens it, records that identifier and changes nothing else.
    @Test func aFileFromTheOneMigratorOpensUnchanged() throws {
        let dir = try Fixtures.temporaryDirectory("migration")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fresh = dir.appendingPathComponent("fresh.sqlite").path
        let old = dir.appendingPathComponent("old.sqlite").path
        _ = try Ledger.open(at: fresh)
        do {
            // The old layout: both migrators' tables, the ledger's v4 recorded under the registry's id only.
            let pool = try DatabasePool(path: old)
            try pool.write { db in try db.execute(sql: "PRAGMA application_id = 0x46414E4F") }
            try Schema.migrator.migrate(pool)
            try LedgerSchema.migrator.migrate(pool)
            try pool.write { db in
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v4-dispatch-retries-audit'")
            }
        }
        let before = try Self.schema(old)
        _ = try Registry.open(at: old, readOnly: true)  // the registry leaves the ledger's ids alone
        _ = try Ledger.open(at: old)
        #expect(try Self.schema(old) == before)
        #expect(try Self.schema(old) == Self.schema(fresh), "the same tables as a new file")
        let ids = try DatabaseQueue(path: old).read { db in
            try String.fetchSet(db, sql: "SELECT identifier FROM grdb_migrations")
        }
        #expect(ids == Set(Schema.migrator.migrations + LedgerSchema.migrator.migrations))
    }

    /// The registry alone makes no ledger tables; reading a ledger that was never written says so,
    /// and the first writing open makes it.
    @Test func theLedgerMakesItsOwnTables() throws {
        let dir = try Fixtures.temporaryDirectory("migration")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.sqlite").path
        _ = try Registry.open(at: path)
        let tables = { try DatabaseQueue(path: path).read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'dispatch_%'")
        } }
        #expect(try tables().isEmpty)
        #expect {
            _ = try Ledger.open(at: path, readOnly: true)
        } throws: { error in
            "\(error)".contains("has no dispatch ledger yet")
        }
        _ = try Ledger.open(at: path)
        #expect(Set(try tables()).isSuperset(of: ["dispatch_action", "dispatch_message", "dispatch_audit", "dispatch_command"]))
        _ = try Ledger.open(at: path, readOnly: true)
    }

    /// A migration of a newer registry is refused by the registry; a newer ledger's by the ledger
    /// only (an engine still opens the registry).
    @Test func newerMigrationsAreRefusedByTheirOwner() throws {
        let dir = try Fixtures.temporaryDirectory("migration")
        defer { try? FileManager.default.removeItem(at: dir) }
        let ledgerPath = dir.appendingPathComponent("ledger.sqlite").path
        _ = try Ledger.open(at: ledgerPath)
        try DatabaseQueue(path: ledgerPath).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-dispatch-future')")
        }
        _ = try Registry.open(at: ledgerPath, readOnly: true)
        #expect {
            _ = try Ledger.open(at: ledgerPath)
        } throws: { error in
            "\(error)".contains("written by a newer fanout") && "\(error)".contains("v99-dispatch-future")
        }
        let registryPath = dir.appendingPathComponent("registry.sqlite").path
        _ = try Registry.open(at: registryPath)
        try DatabaseQueue(path: registryPath).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-participant-future')")
        }
        #expect(throws: RegistryError.self) { _ = try Registry.open(at: registryPath) }
    }
}
