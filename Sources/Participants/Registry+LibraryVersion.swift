import GRDB

extension Registry {
    /// The version of the SQLite library the process runs (not the headers it was built
    /// against), e.g. `3.40.1`, as SQLite's `sqlite_version()` reports it (the value of
    /// `sqlite3_libversion()`), asked of an in-memory database.
    ///
    /// - Throws: ``RegistryError`` `.database` when SQLite cannot open an in-memory database.
    public static func sqliteVersion() throws -> String {
        do {
            let queue = try DatabaseQueue()
            return try queue.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") } ?? "unknown"
        } catch {
            throw RegistryError.wrap(error, path: ":memory:", doing: "asking SQLite its version")
        }
    }
}
