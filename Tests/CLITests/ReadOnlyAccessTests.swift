import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// Read-only commands write nothing (issue 11): they do not migrate an older registry (an older
/// fanout could no longer open it) and they work while an import holds the registry's write lock.
@Suite struct ReadOnlyAccessTests {
    /// Makes the registry look as an older fanout left it: the newest migration not applied.
    static func downgrade(_ db: String) async throws {
        let r = try await ExternalTool.run("sqlite3", [
            db,
            "DROP INDEX participant_person; DELETE FROM grdb_migrations WHERE identifier = 'v8-participant-person-index';"
                + "DROP TABLE dispatch_command; DELETE FROM grdb_migrations WHERE identifier = 'v12-dispatch-command';",
        ])
        guard r.status == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: ["stderr": r.stderr]) }
    }

    static func migrations(_ db: String) async throws -> String {
        try await ExternalTool.run("sqlite3", [db, "SELECT identifier FROM grdb_migrations ORDER BY identifier"]).stdout
    }

    @Test func selectAndStatusNeitherMigrateNorWriteAnOlderRegistry() async throws {
        let fx = try ActionFixture(count: 200, label: "older")
        let made = try await fx.action(["run"])  // a writing command: the ledger's tables
        #expect(made.status == 0, "\(made.stderr)")
        try await Self.downgrade(fx.db)
        let before = try await Self.migrations(fx.db)
        #expect(!before.contains("v12") && !before.contains("v8-"))
        let select = try await CommandRunner.run(
            ["select", "--db", fx.db, "--circle", "\(fx.centre.lon),\(fx.centre.lat),1000"], in: fx.dir)
        #expect(select.status == 3)  // not a registry this read-only command can read
        #expect(select.stderr.contains("older fanout"), "\(select.stderr)")
        #expect(select.stderr.contains("a writing command"), "\(select.stderr)")
        let status = try await fx.action(["status"])
        #expect(status.status == 3)
        #expect(status.stderr.contains("older fanout"), "\(status.stderr)")
        #expect(try await Self.migrations(fx.db) == before)  // nothing was migrated
        // A writing command upgrades it; then reading works.
        let run = try await fx.action(["run"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try await Self.migrations(fx.db).contains("v12-dispatch-command"))
        let again = try await CommandRunner.run(
            ["select", "--db", fx.db, "--circle", "\(fx.centre.lon),\(fx.centre.lat),1000"], in: fx.dir)
        #expect(again.status == 0, "\(again.stderr)")
    }

    @Test func selectionsStatusAndARunningActionGoOnWhileAWriterHoldsTheRegistry() async throws {
        let fx = try ActionFixture(count: 200, label: "during-import")
        let generated = try await CommandRunner.run(
            ["generate", "--count", "100000", "--seed", "11", "--out", "big.csv"], in: fx.dir)
        #expect(generated.status == 0, "\(generated.stderr)")
        // An action whose run (SMS at 20/s: 10 s of real time) spans the lock and the import.
        let config = try fx.write("dispatch.json", #"{"sms": {"perSecond": 20, "batchSize": 1}}"#)
        let desk = ["--config", config, "--clock", "real"]
        let started = try await fx.action(
            [
                "start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "30000",
                "--incident-type", "burglary", "--message", "Look out", "--channels", "sms", "--confirm",
            ] + desk)
        #expect(started.status == 0, "\(started.stderr)")
        // A writer holds the registry's write lock, as an import's one transaction does, for as
        // long as the readers take (a test double: SQLite's shell, so no race with an import's
        // duration decides whether the test shows anything). The action's run starts meanwhile:
        // its open waits for the lock (it failed after 5 s with "database is locked" before).
        let holder = try await SQLiteWriteLockHolder(path: fx.db)
        async let running = fx.action(["run"] + desk)
        let select = try await CommandRunner.run(
            ["select", "--db", fx.db, "--circle", "\(fx.centre.lon),\(fx.centre.lat),1000"], in: fx.dir)
        let status = try await fx.action(["status"])
        #expect(try await !ExternalTool.writable(fx.db))  // still held while they read
        try await Task.sleep(for: .seconds(6))  // longer than the 5 s a writer's open used to wait
        holder.release()
        // A real import while the action runs.
        let imported = try await CommandRunner.run(["import", "--db", fx.db, "--csv", "big.csv"], in: fx.dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(!imported.stderr.contains("error:"), "\(imported.stderr)")
        // The running action paused for the lock and the import's transaction and went on to the end.
        let run = try await running
        #expect(run.status == 0, "\(run.stderr)")
        let s = try Ledger.open(at: fx.db, readOnly: true).summary(of: ActionID(rawValue: 1))
        #expect(s.included == 200 && s.alerts[.queued] == nil && s.alerts[.sent] == nil)
        #expect(select.status == 0, "\(select.stderr)")
        #expect(select.stdout.split(separator: "\n").count > 1)
        #expect(status.status == 0, "\(status.stderr)")
        // The selection saw the registry as before the import: at most the 200 fixture rows.
        #expect(select.stdout.split(separator: "\n").count <= 201)
    }
}
