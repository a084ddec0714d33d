import GRDB

extension Registry {
    /// The stored channel preference text (`channels`, such as `"voice,sms"`) of each listed participant.
    ///
    /// Participants without one, or not registered, are left out.
    ///
    /// Read in one snapshot, in chunks of 500 ids.
    /// - Complexity: O(ids) lookups by primary key.
    /// - Throws: ``RegistryError`` `.database`.
    public func channelPreferences(ids: [Int64]) throws -> [Int64: String] {
        do {
            return try pool.read { db in
                var out: [Int64: String] = [:]
                try Self.inChunks(ids) { chunk, marks in
                    let rows = try Row.fetchCursor(
                        db, sql: "SELECT id, channels FROM participant WHERE channels IS NOT NULL AND id IN (\(marks))",
                        arguments: StatementArguments(chunk))
                    while let row = try rows.next() { out[row[0]] = row[1] }
                }
                return out
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading channel preferences")
        }
    }
}
