import GRDB

extension Registry {
    /// The phone number to text `person` on, or `nil` when none is registered.
    ///
    /// A person is usually one participant row (the person id is the participant id); a person at
    /// several addresses has several rows sharing a `person`. The row whose id is the person id is
    /// preferred, then the person's row with the lowest id that has a phone number.
    ///
    /// - Important: The result is personal data: never log it or put it in an error message.
    /// - Complexity: One lookup by primary key; a person whose own id has no row (or no number)
    ///   scans the table for the `person` column, which has no index.
    /// - Throws: ``RegistryError`` `.database`.
    public func phoneNumber(person: Int64) throws -> String? {
        try contact("phone", person: person, doing: "reading a phone number")
    }

    /// The e-mail address to mail `person` at, or `nil` when none is registered; chosen as
    /// ``phoneNumber(person:)`` chooses the row.
    ///
    /// - Important: The result is personal data: never log it or put it in an error message.
    /// - Throws: ``RegistryError`` `.database`.
    public func emailAddress(person: Int64) throws -> String? {
        try contact("email", person: person, doing: "reading an e-mail address")
    }

    /// The `column` (phone or email) of `person`'s own row, else of their lowest row that has one.
    private func contact(_ column: String, person: Int64, doing: String) throws -> String? {
        do {
            return try pool.read { db in
                if let own = try String.fetchOne(
                    db,
                    sql:
                        "SELECT \(column) FROM participant WHERE id = ? AND COALESCE(person, id) = ? AND \(column) IS NOT NULL",
                    arguments: [person, person])
                {
                    return own
                }
                return try String.fetchOne(
                    db,
                    sql: "SELECT \(column) FROM participant WHERE person = ? AND \(column) IS NOT NULL ORDER BY id LIMIT 1",
                    arguments: [person])
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: doing)
        }
    }

    /// The persons whose registered phone number is `number` as an SMSC gives a sender
    /// (international digits, with or without `+` or `00`; a national `0…` is taken as Dutch).
    ///
    /// - Important: `number` is personal data: never log it.
    /// - Complexity: One index lookup (`participant_phone_key`).
    /// - Throws: ``RegistryError`` `.database`.
    public func persons(withPhone number: String) throws -> [Int64] {
        var key = number.filter { $0.isASCII && $0.isNumber }
        if number.trimmingCharacters(in: .whitespaces).hasPrefix("00") { key.removeFirst(2) }
        else if key.hasPrefix("0") && !number.contains("+") { key = "31" + key.dropFirst() }
        guard key.count >= 6 else { return [] }
        do {
            return try pool.read { db in
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT COALESCE(person, id) FROM participant
                        WHERE phone IS NOT NULL AND \(Schema.phoneKey) = ? ORDER BY 1
                        """,
                    arguments: [key])
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "finding a person by phone number")
        }
    }
}
