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
    /// Whether the person has a phone number (on this row, or on another address of the person:
    /// the one ``Registry/phoneNumber(person:)`` finds). The number itself is never read here.
    public var hasPhone: Bool
    /// Whether the person has an e-mail address (found the same way).
    public var hasEmail: Bool

    /// Creates preferences.
    public init(
        person: Int64, channels: String? = nil, quietHours: String? = nil, language: String? = nil,
        optOut: String? = nil, hasPhone: Bool = true, hasEmail: Bool = true
    ) {
        self.person = person
        self.optOut = optOut
        self.hasPhone = hasPhone
        self.hasEmail = hasEmail
        self.channels = channels
        self.quietHours = quietHours
        self.language = language
    }
}

extension Registry {
    /// The person, channels, quiet hours, language and opt-out of each listed participant, and
    /// whether the person has a phone number and an e-mail address.
    ///
    /// Participants not registered are left out. Read in one snapshot, in chunks of 500 ids.
    /// - Complexity: O(ids) lookups by primary key, and by the `person` index for the persons
    ///   whose row has no phone number or e-mail address of its own.
    /// - Throws: ``RegistryError`` `.database`.
    public func contactPreferences(ids: [Int64]) throws -> [Int64: ContactPreferences] {
        do {
            return try pool.read { db in
                var out: [Int64: ContactPreferences] = [:]
                out.reserveCapacity(ids.count)
                try Self.inChunks(ids) { chunk, marks in
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT id, COALESCE(person, id), channels, quiet_hours, language, opt_out,
                                phone IS NOT NULL, email IS NOT NULL
                            FROM participant WHERE id IN (\(marks))
                            """,
                        arguments: StatementArguments(chunk))
                    while let row = try rows.next() {
                        out[row[0]] = ContactPreferences(
                            person: row[1], channels: row[2], quietHours: row[3], language: row[4], optOut: row[5],
                            hasPhone: row[6], hasEmail: row[7])
                    }
                }
                // A row without its own phone or e-mail: the person's other addresses may have one.
                let lacking = Set(out.values.filter { !$0.hasPhone || !$0.hasEmail }.map(\.person))
                let found = try Self.personContacts(db, Array(lacking))
                for (id, p) in out where !p.hasPhone || !p.hasEmail {
                    let other = found[p.person] ?? (false, false)
                    out[id]?.hasPhone = p.hasPhone || other.phone
                    out[id]?.hasEmail = p.hasEmail || other.email
                }
                return out
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading contact preferences")
        }
    }

    /// Whether each person has a phone number and an e-mail address on any of their rows (their own
    /// row, whose id is the person, or a row naming them in `person`).
    private static func personContacts(_ db: Database, _ persons: [Int64]) throws -> [Int64: (phone: Bool, email: Bool)] {
        var out: [Int64: (phone: Bool, email: Bool)] = [:]
        try inChunks(persons) { chunk, marks in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT COALESCE(person, id), MAX(phone IS NOT NULL), MAX(email IS NOT NULL) FROM participant
                    WHERE (id IN (\(marks)) AND (person IS NULL OR person = id)) OR person IN (\(marks))
                    GROUP BY 1
                    """,
                arguments: StatementArguments(chunk + chunk))
            while let row = try rows.next() { out[row[0]] = (row[1], row[2]) }
        }
        return out
    }

    /// Calls `body` with `ids` in chunks of at most 500 (below SQLite's limit on bound parameters)
    /// and the `?,?,…` placeholder list for one chunk.
    static func inChunks(_ ids: [Int64], _ body: (_ chunk: [Int64], _ marks: String) throws -> Void) rethrows {
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            try body(chunk, Array(repeating: "?", count: chunk.count).joined(separator: ","))
            start += chunk.count
        }
    }
}
