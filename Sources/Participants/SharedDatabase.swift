import Foundation
import GRDB
import Synchronization

/// The one connection pool of one database file in this process, shared by every
/// ``DatabaseHandle`` on the file (GRDB's first rule: one `DatabasePool` per file per process).
///
/// The pool is read-only while every user only reads, and is reopened writable when the first
/// user that writes arrives; it stays writable until the last user releases it, and then closes.
final class SharedDatabase: Sendable {
    /// The file.
    let identity: FileIdentity
    /// The pool and whether it is writable; `nil` before the first open and after the close.
    private let state = Mutex<(pool: DatabasePool?, writable: Bool)>((nil, false))
    /// Held while a pool is opened, so that two users do not open two (readers of the current
    /// pool do not wait for it: a writable open can wait minutes for another process's import).
    private let opening = Mutex<Void>(())

    private init(identity: FileIdentity) {
        self.identity = identity
    }

    /// The current pool.
    ///
    /// - Precondition: ``prepare(path:writable:)`` succeeded for a user that has not released it.
    var pool: DatabasePool {
        guard let pool = state.withLock({ $0.pool }) else {
            preconditionFailure("database \(identity) used without an open pool")
        }
        return pool
    }

    /// Opens the pool as `writable` needs: opens it when none is open, reopens a read-only pool
    /// writable for a writer, and leaves a pool that serves the need as it is.
    ///
    /// A reopened pool replaces the read-only one at once; reads under way on the old pool finish
    /// on it, and it closes when they have. When the writable open fails (a read-only file, a
    /// directory that is not writable) the read-only pool stays for its users.
    ///
    /// - Throws: GRDB's `DatabaseError` when SQLite cannot open the file.
    private func prepare(path: String, writable: Bool) throws {
        try opening.withLock { _ in
            let current = state.withLock { $0 }
            if current.pool != nil, current.writable || !writable { return }
            let pool = try Self.makePool(path: path, writable: writable)
            state.withLock { $0 = (pool, writable) }
        }
    }

    /// Closes the pool (when GRDB's last reference to it goes: at once unless a read is under way).
    private func close() {
        let pool = state.withLock { s in
            defer { s = (nil, false) }
            return s.pool
        }
        _ = pool  // released here, outside the lock
    }

    /// How long a read-only pool's connection waits for a lock: a reader in WAL mode only meets
    /// one in SQLite's rare cases (a crashed writer's recovery, the last connection's cleanup).
    static let readOnlyWaitSeconds: TimeInterval = 5

    /// A pool on `path`: writable, or read-only (`SQLITE_OPEN_READONLY` on every connection, so
    /// it never takes the write lock and works on a file it may not write).
    ///
    /// The writer connection waits ``Registry/writeWaitSeconds`` for another writer; GRDB's
    /// reader connections wait 10 s in SQLite's rare cases. The writer connection keeps a page
    /// cache of up to 64 MiB (SQLite's default is 2 MB): the dispatcher's batches of a large
    /// action touch more pages than that (measured: 33.5 → 30.2 µs per message, system time
    /// 8.5 → 3.7 s, in the worst-case load test). Readers keep SQLite's default.
    private static func makePool(path: String, writable: Bool) throws -> DatabasePool {
        var config = Configuration()
        config.label = "fanout.db"
        config.readonly = !writable
        config.busyMode = .timeout(writable ? Registry.writeWaitSeconds : readOnlyWaitSeconds)
        config.prepareDatabase { db in
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA cache_size = -65536") }
        }
        return try DatabasePool(path: path, configuration: config)
    }

    // MARK: - The process's table

    /// Every file open in this process, with the number of handles on it.
    private static let table = Mutex<[FileIdentity: (database: SharedDatabase, users: Int)]>([:])

    /// The shared database of the file `path` names, prepared for `writable`, counting one more
    /// user; balance it with ``release()``.
    ///
    /// - Throws: GRDB's `DatabaseError` when SQLite cannot open the file; `POSIXError` when the
    ///   file cannot be found (or, for a writer, created).
    static func acquire(path: String, writable: Bool) throws -> SharedDatabase {
        let identity = try FileIdentity(path: path, create: writable)
        let database = table.withLock { t in
            let database = t[identity]?.database ?? SharedDatabase(identity: identity)
            t[identity] = (database, (t[identity]?.users ?? 0) + 1)
            return database
        }
        do {
            try database.prepare(path: path, writable: writable)
        } catch {
            database.release()
            throw error
        }
        return database
    }

    /// Counts one user less; the last one closes the pool.
    func release() {
        let last = Self.table.withLock { t in
            guard let entry = t[identity], entry.database === self else { return false }
            if entry.users > 1 {
                t[identity] = (self, entry.users - 1)
                return false
            }
            t[identity] = nil
            return true
        }
        if last { close() }
    }
}
