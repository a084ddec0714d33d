import Foundation
import GRDB

/// One user's access to a database file (a registry, a ledger, a provider adapter): every handle
/// on one file in this process shares one connection pool (GRDB's first rule), whatever spelling
/// of the path it was opened with.
///
/// The pool is keyed by the file's identity (``FileIdentity``: device and inode), counted per
/// handle, and closed when the last handle on the file is released (deinitialised).
///
/// A read-only handle (`writable: false`) reads only through the pool's reader connections, which
/// SQLite opens read-only: it never takes the write lock. While every handle on a file is
/// read-only the whole pool is read-only, so it also works on a file this process may not write.
/// The first writable handle reopens the pool writable (readers under way finish on the old one);
/// the pool stays writable until it closes. ``writer()`` refuses a read-only handle, so a reader
/// sharing a writable pool still writes nothing.
///
/// Lock waits: the writable pool's writer connection waits ``Registry/writeWaitSeconds`` for
/// another process's write transaction (an import), a read-only pool's 5 s; reader connections
/// wait GRDB's 10 s in SQLite's rare busy cases of WAL mode.
package final class DatabaseHandle: Sendable {
    /// The path as this handle's user spelled it (for messages).
    package let path: String
    /// Whether this handle may write.
    package let writable: Bool
    private let database: SharedDatabase

    private init(path: String, writable: Bool, database: SharedDatabase) {
        self.path = path
        self.writable = writable
        self.database = database
    }

    deinit { database.release() }

    /// Opens a handle on the database file at `path`, sharing the pool already open on the file
    /// in this process, if any.
    ///
    /// A writable handle creates the file when it does not exist; a read-only one refuses a
    /// missing file.
    ///
    /// - Throws: GRDB's `DatabaseError`: `SQLITE_CANTOPEN` with the system's reason when the file
    ///   cannot be found or created, or what SQLite reports when it opens the file.
    package static func open(at path: String, writable: Bool) throws -> DatabaseHandle {
        do {
            let database = try SharedDatabase.acquire(path: path, writable: writable)
            return DatabaseHandle(path: path, writable: writable, database: database)
        } catch let error as POSIXError {
            throw DatabaseError(
                resultCode: .SQLITE_CANTOPEN,
                message: "unable to open database file: \(String(cString: strerror(error.code.rawValue)))")
        }
    }

    /// The file's pool, for reading (``DatabasePool/read(_:)``) and for writes that touch no file
    /// (an attached in-memory database).
    package var pool: DatabasePool { database.pool }

    /// The file's pool, for writing.
    ///
    /// - Throws: GRDB's `DatabaseError` `SQLITE_READONLY` for a read-only handle, the error
    ///   SQLite gives a write on a read-only connection.
    package func writer() throws -> DatabasePool {
        guard writable else {
            throw DatabaseError(resultCode: .SQLITE_READONLY, message: "attempt to write a readonly database")
        }
        return database.pool
    }

    /// The identity of the file.
    package var identity: FileIdentity { database.identity }

    /// The path of a file that belongs beside the database file `path` (`path` + `suffix`), the
    /// same for every spelling of `path`: named after the file a symbolic link leads to, as
    /// SQLite names the `-wal` file. A path without symbolic links is kept as spelled (a relative
    /// path stays relative, for messages).
    package static func companionPath(of path: String, suffix: String) -> String {
        let given = URL(fileURLWithPath: path)
        let resolved = given.resolvingSymlinksInPath()
        return (resolved.path == given.standardizedFileURL.path ? path : resolved.path) + suffix
    }
}
