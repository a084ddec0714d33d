import Foundation
import GRDB
import Geo
import Synchronization

/// The participant registry: an embedded SQLite database (through GRDB) holding every registered
/// participant with their position as given, in WGS84 lon/lat and in RD New metres.
///
/// Opening a file creates the schema when the file is new or empty, refuses a file that is not
/// SQLite, that belongs to another application, or that a newer fanout wrote.
///
/// ## Topics
/// - ``open(at:)``
/// - ``importCSV(_:options:progress:)``
/// - ``loadColumns()``
public final class Registry: Sendable {
    /// SQLite `application_id` stamped on every registry ("FANO").
    static let applicationID: Int32 = 0x4641_4E4F
    /// The database file path.
    public let path: String
    let pool: DatabasePool
    /// The country borders, loaded on the first registration that needs a country derived.
    let borders = Mutex<CountryBorders?>(nil)

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens (or creates) the registry at `path`.
    ///
    /// - Throws: ``RegistryError`` `.notADatabase`, `.foreignSchema`, `.newerSchema` or `.database`.
    public static func open(at path: String) throws -> Registry {
        var config = Configuration()
        config.label = "fanout.registry"
        config.busyMode = .timeout(5)
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "opening the database")
        }
        do {
            try checkOwnership(pool, path: path)
            try Schema.migrator.migrate(pool)
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "preparing the schema")
        }
        return Registry(path: path, pool: pool)
    }

    private static func checkOwnership(_ pool: DatabasePool, path: String) throws {
        try pool.write { db in
            let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            if appID != applicationID {
                guard appID == 0, tables.isEmpty else {
                    throw RegistryError(
                        .foreignSchema,
                        "\(path): SQLite database of another application (tables: \(tables.prefix(5).joined(separator: ", "))); "
                            + "not a fanout registry")
                }
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            }
            if try Schema.migrator.hasBeenSuperseded(db) {
                let applied = try Schema.migrator.appliedIdentifiers(db)
                throw RegistryError(
                    .newerSchema,
                    "\(path): written by a newer fanout (schema migrations \(applied.sorted().joined(separator: ", "))); "
                        + "this version knows \(Schema.migrator.migrations.joined(separator: ", "))")
            }
        }
    }

    /// The number of participants.
    public func count() throws -> Int {
        do {
            return try pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM participant") ?? 0 }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "counting participants")
        }
    }
}

extension Registry {
    /// Folds the write-ahead log into the main database file, so the file alone is complete.
    ///
    /// - Throws: ``RegistryError`` `.database`.
    public func checkpoint() throws {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "checkpoint")
        }
    }
}
