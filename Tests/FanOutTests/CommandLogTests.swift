import Foundation
import GRDB
import TestSupport
import Testing

@testable import FanOut
import FanoutTesting
import Geo
@testable import Participants

/// The ledger's command log (`v13-dispatch-command-log`): who gave each command and when, written
/// in the command's own transaction.
@Suite struct CommandLogTests {
    static func path(_ label: String) throws -> String {
        try Fixtures.temporaryDirectory(label).appendingPathComponent("r.sqlite").path
    }

    /// The records of a ledger file, read with SQL (not through the code under test), in order.
    static func rows(_ path: String) throws -> [[String?]] {
        try DatabaseQueue(path: path).read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT command, CAST(action_id AS TEXT), CAST(participant_id AS TEXT), operator, role, request_id,
                        CAST(wall_ms AS TEXT), CAST(at_ms AS TEXT)
                    FROM dispatch_command_log ORDER BY id
                    """
            ).map { r in (0..<8).map { i in r[i] as String? } }
        }
    }

    @Test func aLedgerOfTheOldSchemaIsUpgradedAndKeepsItsRows() throws {
        let path = try Self.path("command-log-migration")
        do {
            // A ledger as the version before the command log left it, with an action and an inbox row.
            let pool = try DatabasePool(path: path)
            try pool.write { db in try db.execute(sql: "PRAGMA application_id = 0x46414E4F") }
            try Schema.migrator.migrate(pool)
            try LedgerSchema.migrator.migrate(pool, upTo: "v12-dispatch-command")
            try pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO dispatch_action (id, incident_type, urgency, message, channels, incident_x,
                            incident_y, state, started_ms) VALUES (4, 'burglary', 2, 'x', 'sms', 0, 0, 'stopped', 9)
                        """)
                try db.execute(
                    sql: """
                        INSERT INTO dispatch_command (kind, action_id, payload, submitted_at, submitter_pid)
                        VALUES ('stop', 4, x'7B7D', 1700000000, 77)
                        """)
            }
            #expect(try pool.read { db in try db.tableExists("dispatch_command_log") } == false)
        }
        // Reading does not upgrade (the project's rule for read-only commands): it says why.
        #expect {
            _ = try Ledger.open(at: path, readOnly: true)
        } throws: { error in
            "\(error)".contains("older fanout") && "\(error)".contains("v13-dispatch-command-log")
        }
        let ledger = try Ledger.open(at: path)  // a writing open upgrades
        let fresh = try Self.path("command-log-fresh")
        _ = try Ledger.open(at: fresh)
        #expect(try LedgerMigrationTests.schema(path) == LedgerMigrationTests.schema(fresh), "the same tables as a new file")
        let kept = try DatabaseQueue(path: path).read { db in
            (
                try Row.fetchOne(db, sql: "SELECT id, state, started_ms FROM dispatch_action").map {
                    "\($0[0] as Int64) \($0[1] as String) \($0[2] as Int64)"
                },
                try Row.fetchOne(db, sql: "SELECT kind, action_id, submitter_pid FROM dispatch_command").map {
                    "\($0[0] as String) \($0[1] as Int64) \($0[2] as Int64)"
                }
            )
        }
        #expect(kept.0 == "4 stopped 9")
        #expect(kept.1 == "stop 4 77")
        #expect(try ledger.commandLog(CommandLogQuery()).records.isEmpty)
        _ = try Ledger.open(at: path, readOnly: true)  // readable now
        // The upgraded table takes records and keeps them append-only.
        try DatabaseQueue(path: path).write { db in
            try Ledger.insertCommand(
                .stop, action: ActionID(rawValue: 4), participant: nil, origin: CommandOrigin(operator: "ann"),
                at: .seconds(3), db)
        }
        #expect(try ledger.commandLog(CommandLogQuery()).records.map(\.origin.operatorName) == ["ann"])
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { db in try db.execute(sql: "UPDATE dispatch_command_log SET operator = 'eve'") }
        }
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { db in try db.execute(sql: "DELETE FROM dispatch_command_log") }
        }
    }

    @Test func eachCommandWithAnOriginIsRecordedWithTheDispatcherTime() throws {
        let path = try Self.path("command-log-commands")
        let clock = VirtualClock()
        let d = try Dispatcher(providers: [.sms: RecordingProvider()], clock: clock, ledger: try Ledger.open(at: path))
        let t0 = Date(timeIntervalSince1970: 1_700_000_000.123_9)
        func origin(_ name: String, _ k: Double) -> CommandOrigin {
            CommandOrigin(operator: name, role: "dispatcher", requestID: "req-\(name)-\(k)", wallTime: t0 + k)
        }
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3), origin: origin("ann", 0))
        clock.advance(to: .milliseconds(2_500))
        try d.enlarge(id, with: Fixture.recipients(2, from: 10), origin: origin("bob", 1))
        clock.advance(to: .seconds(4))
        try d.stop(id, origin: origin("ann", 2))
        let silent = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(1, from: 50))  // no origin
        clock.advance(to: .seconds(7))
        try d.end(id, result: "Found", texts: [:], origin: origin("cem", 3))
        try d.flush()
        let a = "\(id.rawValue)"
        // Wall times to the millisecond, rounded down: 1700000000123 + k·1000.
        #expect(
            try Self.rows(path) == [
                ["start", a, nil, "ann", "dispatcher", "req-ann-0.0", "1700000000123", "0"],
                ["enlarge", a, nil, "bob", "dispatcher", "req-bob-1.0", "1700000001123", "2500"],
                ["stop", a, nil, "ann", "dispatcher", "req-ann-2.0", "1700000002123", "4000"],
                ["end", a, nil, "cem", "dispatcher", "req-cem-3.0", "1700000003123", "7000"],
            ])
        #expect(silent.rawValue == id.rawValue + 1)
    }

    @Test func aRefusedCommandLeavesNoRecord() throws {
        let path = try Self.path("command-log-refused")
        let config = DispatchConfig(confirmationThresholds: ["burglary": 2])
        let d = try Dispatcher(
            config: config, providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: try Ledger.open(at: path))
        let who = CommandOrigin(operator: "ann")
        #expect(throws: DispatchError.self) {  // over the threshold, not confirmed
            try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3), origin: who)
        }
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(2), origin: who)
        #expect(throws: DispatchError.self) {  // enlarging past the threshold, not confirmed
            try d.enlarge(id, with: Fixture.recipients(2, from: 10), origin: who)
        }
        #expect(throws: DispatchError.self) { try d.end(id, result: "  ", texts: [:], origin: who) }  // empty result
        try d.end(id, result: "Found", texts: [:], origin: who)
        #expect(throws: DispatchError.self) { try d.stop(id, origin: who) }  // ended already
        #expect(throws: DispatchError.self) { try d.stop(ActionID(rawValue: 99), origin: who) }
        try d.flush()
        #expect(try Self.rows(path).map { $0[0] } == ["start", "end"])
    }

    /// The record and the command commit together: when the record cannot be written, the
    /// command's own changes are not in the ledger either.
    @Test func aCommandWhoseRecordFailsIsNotWritten() throws {
        let path = try Self.path("command-log-atomic")
        let ledger = try Ledger.open(at: path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_mallory BEFORE INSERT ON dispatch_command_log WHEN NEW.operator = 'mallory'
                    BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;
                    """)
        }
        let d = try Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        #expect(throws: DispatchError.self) {
            try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(4), origin: CommandOrigin(operator: "mallory"))
        }
        let counts = try DatabaseQueue(path: path).read { db in
            try ["dispatch_action", "dispatch_message", "dispatch_area", "dispatch_audit", "dispatch_command_log"].map {
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \($0)") ?? -1
            }
        }
        #expect(counts == [0, 0, 0, 0, 0])
    }

    @Test func aRegistryChangeAndItsRecordCommitTogether() throws {
        let path = try Self.path("command-log-registry")
        let ledger = try Ledger.open(at: path)
        let registry = try Registry.open(at: path)
        let record = try ParticipantRecord(
            id: 7, position: SourcePoint(x: 5.12, y: 52.09, crs: .wgs84), fields: ["phone": "+31611112222"])
        let who = CommandOrigin(operator: "reg", role: "registrar", requestID: "r1", wallTime: Date(timeIntervalSince1970: 5))
        _ = try registry.upsert(
            [record], alongside: ledger.commandRecord(.participantRegister, participant: 7, origin: who, at: .seconds(1)))
        _ = try registry.remove(
            ids: [7], alongside: ledger.commandRecord(.participantRemove, participant: 7, origin: who, at: nil))
        #expect(
            try Self.rows(path) == [
                ["participant-register", nil, "7", "reg", "registrar", "r1", "5000", "1000"],
                ["participant-remove", nil, "7", "reg", "registrar", "r1", "5000", nil],
            ])
        // A failing record takes the registration back with it.
        try DatabaseQueue(path: path).write { db in
            try db.execute(
                sql: """
                    CREATE TRIGGER refuse_all BEFORE INSERT ON dispatch_command_log
                    BEGIN SELECT RAISE(ABORT, 'refused for the test'); END;
                    """)
        }
        #expect(throws: RegistryError.self) {
            _ = try registry.upsert(
                [record], alongside: ledger.commandRecord(.participantRegister, participant: 7, origin: who, at: nil))
        }
        #expect(try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM participant") } == 0)
    }

    @Test func pagesFollowEachOtherWithoutGapsOrRepeats() throws {
        let path = try Self.path("command-log-pages")
        let ledger = try Ledger.open(at: path)
        try DatabaseQueue(path: path).write { db in
            for k in 0..<7 {
                try Ledger.insertCommand(
                    .stop, action: ActionID(rawValue: Int64(k % 3 + 1)), participant: nil,
                    origin: CommandOrigin(operator: k % 2 == 0 ? "ann" : "bob", wallTime: Date(timeIntervalSince1970: Double(k))),
                    at: nil, db)
            }
        }
        var seen: [Int64] = []
        var query = CommandLogQuery(operatorName: "ann", limit: 3)
        var pages = 0
        while true {
            let page = try ledger.commandLog(query)
            pages += 1
            seen += page.records.map(\.sequence)
            guard page.hasMore, let last = page.records.last else { break }
            query.after = last.sequence
        }
        // ann gave commands 0, 2, 4, 6 (sequences 1, 3, 5, 7): two pages of 3 and 1.
        #expect(seen == [1, 3, 5, 7])
        #expect(pages == 2)
        let window = try ledger.commandLog(
            CommandLogQuery(from: Date(timeIntervalSince1970: 2), to: Date(timeIntervalSince1970: 5)))
        #expect(window.records.map(\.sequence) == [3, 4, 5])  // from inclusive, to exclusive
    }
}
