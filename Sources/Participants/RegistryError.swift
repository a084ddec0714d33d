import FanoutCore
import GRDB

/// The error type of the `Registry` module: bad input files and database problems.
///
/// Messages name the file, line and field, never the value of a personal field (phone, e-mail),
/// nor any value that looks like one (see `QuotedValue`).
public struct RegistryError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case input, notADatabase, foreignSchema, newerSchema, olderSchema, database
        }
        let kind: Kind
        /// An input file (CSV) is malformed; the message names file, line and field.
        public static let input = Code(kind: .input)
        /// The database file is not an SQLite database.
        public static let notADatabase = Code(kind: .notADatabase)
        /// The file is SQLite but not a fanout registry.
        public static let foreignSchema = Code(kind: .foreignSchema)
        /// The registry was written by a newer fanout with a schema this version does not know.
        public static let newerSchema = Code(kind: .newerSchema)
        /// A read-only open found a registry an older fanout wrote: reading does not migrate it
        /// (an older fanout could no longer open it); a writing command does.
        public static let olderSchema = Code(kind: .olderSchema)
        /// SQLite reported an error.
        public static let database = Code(kind: .database)

        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The SQLite result code, when SQLite reported the failure.
    public var sqliteCode: Int32?
    /// The participant field refused (its CSV column name, such as `quiet_hours`), when one was.
    public var field: String?
    /// Where the problem is: the file and line of a CSV import, and ``field``.
    public var location: ErrorLocation?

    /// Creates an error.
    ///
    /// `field` is also the location's field when `location` has none.
    public init(
        _ code: Code, _ message: String, sqliteCode: Int32? = nil, field: String? = nil, location: ErrorLocation? = nil
    ) {
        self.code = code
        self.message = message
        self.sqliteCode = sqliteCode
        self.field = field ?? location?.field
        self.location =
            location.map { $0.field == nil ? $0.with(field: field) : $0 } ?? field.map { ErrorLocation(field: $0) }
    }

    public var description: String { message }

    /// Wraps a GRDB error, keeping SQLite's code and message (and the SQL, which never holds
    /// personal data because values are always bound as arguments).
    package static func wrap(_ error: any Error, path: String, doing what: String) -> any Error {
        if error is RegistryError { return error }
        if let e = error as? DatabaseError {
            if e.resultCode == .SQLITE_NOTADB {
                return RegistryError(
                    .notADatabase, "\(path): not an SQLite database", sqliteCode: e.extendedResultCode.rawValue)
            }
            if e.resultCode == .SQLITE_BUSY {
                return RegistryError(
                    .database,
                    "\(path): \(what) failed: another process kept the database locked for longer than "
                        + "this one waits (SQLite error 5: database is locked)",
                    sqliteCode: e.extendedResultCode.rawValue)
            }
            return RegistryError(
                .database, "\(path): \(what) failed: SQLite error \(e.resultCode.rawValue): \(e.message ?? "")",
                sqliteCode: e.extendedResultCode.rawValue)
        }
        return error
    }
}
