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
/// - ``upsert(_:)``, ``participant(id:)``, ``contactPreferences(ids:)``
/// - ``ParticipantRecord``: the one shape of a participant; ``ParticipantColumn``: its columns
public final class Registry: Sendable {
    /// SQLite `application_id` stamped on every registry ("FANO").
    static let applicationID: Int32 = 0x4641_4E4F
    /// The database file path.
    public let path: String
    /// This registry's handle on the file's one pool in the process (shared with the ledger and
    /// every other registry open on the file).
    package let database: DatabaseHandle
    /// The file's pool, for reading; writes go through `database.writer()`.
    package var pool: DatabasePool { database.pool }
    /// The country borders, loaded on the first registration that needs a country derived.
    let borders = Mutex<CountryBorders?>(nil)
    /// Where registrations and imports find the RD grid and the country borders.
    public let data: DataDirectory
    /// Whether registrations and imports need the RD grid (see ``RDGridRequirement``).
    public let rdGrid: RDGridRequirement

    private init(path: String, database: DatabaseHandle, data: DataDirectory, rdGrid: RDGridRequirement) {
        self.path = path
        self.database = database
        self.data = data
        self.rdGrid = rdGrid
    }

    /// A converter to RD New for registrations and imports, from ``data`` as ``rdGrid`` says.
    ///
    /// - Throws: ``GeoError`` `.correctionGrid` for a missing required grid or a damaged one.
    func converter() throws -> CoordinateConverter {
        try CoordinateConverter(data: data, rdGrid: rdGrid)
    }

    /// How long a write to the registry file waits for another writer (a `fanout import` holds the
    /// write lock for its one transaction, about 25 s for 1.6M rows; the dispatcher's ledger writes
    /// in the same file): long enough to wait for any import, rather than failing with "database is
    /// locked" after a few seconds.
    public static let writeWaitSeconds: TimeInterval = 300

    /// Opens (or creates) the registry at `path`.
    ///
    /// A writable open migrates a registry an older fanout wrote to this version's schema (taking
    /// the write lock only when there is something to migrate, so that opening never waits for a
    /// long import). A read-only open (`readOnly`) writes nothing, never migrates and never
    /// creates: it refuses a missing file, a registry of an older schema (``RegistryError/Code/olderSchema``)
    /// and one of a newer schema, and works beside any writer (SQLite's WAL mode).
    ///
    /// Every registry and ledger open on one file in a process shares one connection pool,
    /// whatever spelling of the path it was given (see `DatabaseHandle`); the pool closes when the
    /// last of them is released. A read-only registry writes nothing even when it shares a
    /// writer's pool.
    ///
    /// Registrations and imports transform positions to RD New with the grid of `data` and derive
    /// countries with its borders; the files are read when first needed, not here.
    ///
    /// - Parameters:
    ///   - data: Where the RD grid and the country borders are (default: the package's own files).
    ///   - rdGrid: Whether the RD grid must be there (default) or positions may be transformed
    ///     without it (errors up to 0.25 m). Give the same as the engine over this registry, so that
    ///     every position is transformed the same way.
    /// - Throws: ``RegistryError`` `.notADatabase`, `.foreignSchema`, `.newerSchema`, `.olderSchema`
    ///   (read-only) or `.database`.
    public static func open(
        at path: String, readOnly: Bool = false, data: DataDirectory = .bundled, rdGrid: RDGridRequirement = .required
    ) throws -> Registry {
        if readOnly && !FileManager.default.fileExists(atPath: path) {
            throw RegistryError(.notADatabase, "\(path): no such registry")
        }
        // A reader never waits (WAL); a writer's open waits for another writer's transaction
        // (opening a pool takes the write lock briefly, a migration holds it).
        let database: DatabaseHandle
        do {
            database = try DatabaseHandle.open(at: path, writable: !readOnly)
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "opening the database")
        }
        let pool = database.pool
        do {
            let state = try pool.read { db in try checkOwnership(db, path: path) }
            if readOnly {
                guard state == .current else {
                    throw RegistryError(
                        .olderSchema,
                        "\(path): written by an older fanout (schema migrations missing: "
                            + "\(state.missing.joined(separator: ", "))); reading does not upgrade it: "
                            + "opening it for writing does")
                }
            } else if state != .current {
                try pool.write { db in
                    if state == .new { try db.execute(sql: "PRAGMA application_id = \(applicationID)") }
                }
                try Schema.migrator.migrate(pool)
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "preparing the schema")
        }
        return Registry(path: path, database: database, data: data, rdGrid: rdGrid)
    }

    /// What ``checkOwnership(_:path:)`` found.
    private enum SchemaState: Equatable {
        /// An empty database: a new registry.
        case new
        /// A registry with migrations of this version not yet applied.
        case older(missing: [String])
        /// A registry with every migration of this version.
        case current

        var missing: [String] {
            switch self {
            case .new: Schema.migrator.migrations
            case .older(let missing): missing
            case .current: []
            }
        }
    }

    /// Checks, reading only, that the database is a registry (or empty) this version can use.
    private static func checkOwnership(_ db: Database, path: String) throws -> SchemaState {
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
            return .new
        }
        // Every migration in the file, the other modules' too (the ledger's are theirs to check).
        let applied = try Schema.migrator.appliedIdentifiers(db)
        let unknown = applied.filter { !Schema.migrator.migrations.contains($0) && !Schema.isForeign($0) }
        if !unknown.isEmpty {
            throw RegistryError(
                .newerSchema,
                "\(path): written by a newer fanout (schema migrations \(unknown.sorted().joined(separator: ", "))); "
                    + "this version knows \(Schema.migrator.migrations.joined(separator: ", "))")
        }
        let missing = Schema.migrator.migrations.filter { !applied.contains($0) }
        return missing.isEmpty ? .current : .older(missing: missing)
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
            try database.writer().writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "checkpoint")
        }
    }
}
