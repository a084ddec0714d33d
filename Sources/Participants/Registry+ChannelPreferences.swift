import GRDB

extension Registry {
    /// The channel preference (`channels`) of each listed participant.
    ///
    /// Participants without one, or not registered, are left out.
    ///
    /// Read in one snapshot, in chunks of 500 ids.
    /// - Complexity: O(ids) lookups by primary key.
    /// - Throws: ``RegistryError`` `.database`, also naming the participant when a stored preference
    ///   is not valid.
    public func channelPreferences(ids: [Int64]) throws -> [Int64: ChannelPreference] {
        do {
            return try pool.read { db in
                var out: [Int64: ChannelPreference] = [:]
                try Self.inChunks(ids) { chunk, marks in
                    let rows = try Row.fetchCursor(
                        db, sql: "SELECT id, channels FROM participant WHERE channels IS NOT NULL AND id IN (\(marks))",
                        arguments: StatementArguments(chunk))
                    while let row = try rows.next() {
                        guard let preference = ChannelPreference.fromDatabaseValue(row[1]) else {
                            let id: Int64 = row[0]
                            throw RegistryError(
                                .database,
                                "\(path): participant \(id): field 'channels': not a list of channels "
                                    + "(\(Channel.names)) (as stored in the registry)", field: "channels")
                        }
                        out[row[0]] = preference
                    }
                }
                return out
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading channel preferences")
        }
    }
}
