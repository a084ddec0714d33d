import GRDB

/// What the dispatcher needs to know about one participant row (no phone or e-mail address).
public struct ContactPreferences: Sendable, Hashable {
    /// The person the address belongs to (the participant id unless the `person` column says otherwise).
    public var person: Int64
    /// Preferred channels in order, as stored (e.g. `"voice,sms"`).
    public var channels: String?
    /// Quiet hours as stored (see ``QuietHours``).
    public var quietHours: String?
    /// Language, ISO 639 (e.g. `"nl"`).
    public var language: String?
    /// Incident types opted out of, as stored (see ``OptOut``).
    public var optOut: String?

    /// Creates preferences.
    public init(
        person: Int64, channels: String? = nil, quietHours: String? = nil, language: String? = nil,
        optOut: String? = nil
    ) {
        self.person = person
        self.optOut = optOut
        self.channels = channels
        self.quietHours = quietHours
        self.language = language
    }
}

extension Registry {
    /// The person, channels, quiet hours, language and opt-out of each listed participant.
    ///
    /// Participants not registered are left out. Read in one snapshot, in chunks of 500 ids.
    /// - Complexity: O(ids) lookups by primary key.
    /// - Throws: ``RegistryError`` `.database`.
    public func contactPreferences(ids: [Int64]) throws -> [Int64: ContactPreferences] {
        do {
            return try pool.read { db in
                var out: [Int64: ContactPreferences] = [:]
                out.reserveCapacity(ids.count)
                var start = 0
                while start < ids.count {
                    let chunk = ids[start..<min(start + 500, ids.count)]
                    let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT id, COALESCE(person, id), channels, quiet_hours, language, opt_out FROM participant
                            WHERE id IN (\(marks))
                            """,
                        arguments: StatementArguments(Array(chunk)))
                    while let row = try rows.next() {
                        out[row[0]] = ContactPreferences(
                            person: row[1], channels: row[2], quietHours: row[3], language: row[4], optOut: row[5])
                    }
                    start += chunk.count
                }
                return out
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading contact preferences")
        }
    }
}
