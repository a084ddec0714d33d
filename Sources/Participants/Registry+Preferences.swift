import GRDB

/// What the dispatcher needs to know about one participant: the record without its phone number
/// and e-mail address, and whether the person has each.
///
/// A view that holds the record: its fields are reached through it (`p.quietHours` is
/// `p.record.quietHours`).
@dynamicMemberLookup
public struct ContactPreferences: Sendable, Hashable {
    /// The participant's record, read without ``ParticipantRecord/phone`` and
    /// ``ParticipantRecord/email`` (both `nil` here: see ``hasPhone`` and ``hasEmail``).
    public var record: ParticipantRecord
    /// Whether the person has a phone number (on this row, or on another address of the person:
    /// the one ``Registry/phoneNumber(person:)`` finds). The number itself is never read here.
    public var hasPhone: Bool
    /// Whether the person has an e-mail address (found the same way).
    public var hasEmail: Bool

    /// Creates preferences.
    public init(record: ParticipantRecord, hasPhone: Bool = true, hasEmail: Bool = true) {
        self.record = record
        self.hasPhone = hasPhone
        self.hasEmail = hasEmail
    }

    /// The person the address belongs to (the participant id unless the `person` column says otherwise).
    public var person: Int64 { record.personID }

    /// A field of the record.
    public subscript<T>(dynamicMember field: KeyPath<ParticipantRecord, T>) -> T { record[keyPath: field] }
}

extension Registry {
    /// The record (without phone number and e-mail address) of each listed participant, and
    /// whether the person has a phone number and an e-mail address.
    ///
    /// Participants not registered are left out. Read in one snapshot, in chunks of 500 ids.
    /// - Complexity: O(ids) lookups by primary key, and by the `person` index for the persons
    ///   whose row has no phone number or e-mail address of its own.
    /// - Throws: ``RegistryError`` `.database`, also naming the participant and field when a stored
    ///   value is not valid (written by another program).
    public func contactPreferences(ids: [Int64]) throws -> [Int64: ContactPreferences] {
        do {
            return try pool.read { db in
                var out: [Int64: ContactPreferences] = [:]
                out.reserveCapacity(ids.count)
                try Self.inChunks(ids) { chunk, marks in
                    let rows = try Row.fetchCursor(
                        db,
                        sql: """
                            SELECT \(Self.preferenceColumns), phone IS NOT NULL, email IS NOT NULL
                            FROM participant WHERE id IN (\(marks))
                            """,
                        arguments: StatementArguments(chunk))
                    let n = ParticipantColumn.readable.count
                    while let row = try rows.next() {
                        let p = try ParticipantColumn.participant(from: row, path: path)
                        out[p.record.id] = ContactPreferences(record: p.record, hasPhone: row[n], hasEmail: row[n + 1])
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

    /// Every participant's preferences, as ``contactPreferences(ids:)`` gives them, read in one
    /// transaction with the registry generation they are of: for a service that keeps them in
    /// memory (`fanout serve` plans selections from them). `body` is called once per participant.
    ///
    /// - Returns: The registry generation the preferences are of.
    /// - Throws: ``RegistryError`` `.database`, or `.input` for a row that does not parse.
    /// - Complexity: O(n) in the participants; about 6 µs each.
    package func allContactPreferences(_ body: (ContactPreferences) -> Void) throws -> Int64 {
        do {
            return try pool.read { db in
                let generation = try Int64.fetchOne(db, sql: "SELECT generation FROM registry_state WHERE id = 1") ?? 0
                var contacts: [Int64: (phone: Bool, email: Bool)] = [:]
                let grouped = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT COALESCE(person, id), MAX(phone IS NOT NULL), MAX(email IS NOT NULL)
                        FROM participant GROUP BY 1
                        """)
                while let row = try grouped.next() { contacts[row[0]] = (row[1], row[2]) }
                let rows = try Row.fetchCursor(db, sql: "SELECT \(Self.preferenceColumns) FROM participant")
                while let row = try rows.next() {
                    let p = try ParticipantColumn.participant(from: row, path: path)
                    let c = contacts[p.record.personID] ?? (false, false)
                    body(ContactPreferences(record: p.record, hasPhone: c.phone, hasEmail: c.email))
                }
                return generation
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading every participant's preferences")
        }
    }

    /// The participant columns the dispatcher reads: all but the phone number and e-mail address.
    private static let preferenceColumns = ParticipantColumn.selectList(omitting: [.phone, .email])

    /// Whether each person has a phone number and an e-mail address on any of their rows (their own
    /// row, whose id is the person, or a row naming them in `person`).
    private static func personContacts(_ db: Database, _ persons: [Int64]) throws -> [Int64: (phone: Bool, email: Bool)]
    {
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
