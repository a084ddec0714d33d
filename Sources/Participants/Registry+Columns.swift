import GRDB
import Geo

extension Registry {
    /// Reads every participant's id, RD position and country, in ascending id order.
    ///
    /// - Complexity: O(n), one table scan.
    /// - Throws: ``RegistryError`` `.database`.
    public func loadColumns() throws -> ParticipantColumns {
        do {
            return try pool.read { db in
                var columns = ParticipantColumns()
                let n = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM participant") ?? 0
                columns.ids.reserveCapacity(n)
                columns.xs.reserveCapacity(n)
                columns.ys.reserveCapacity(n)
                columns.countries.reserveCapacity(n)
                let rows = try Row.fetchCursor(db, sql: "SELECT id, rd_x, rd_y, country FROM participant ORDER BY id")
                while let row = try rows.next() {
                    columns.append(id: row[0], x: row[1], y: row[2], country: CountryCode.fromDatabaseValue(row[3]))
                }
                return columns
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "loading participants")
        }
    }

    /// The stored record of participant `id` (with its derived positions), or `nil`.
    ///
    /// - Important: The record holds the phone number and e-mail address (personal data).
    /// - Throws: ``RegistryError`` `.database` for SQLite, or naming the field whose stored value
    ///   is not valid.
    public func participant(id: Int64) throws -> Participant? {
        do {
            return try pool.read { db in
                let row = try Row.fetchOne(
                    db, sql: "SELECT \(ParticipantColumn.selectList()) FROM participant WHERE id = ?", arguments: [id])
                return try row.map { try ParticipantColumn.participant(from: $0, path: path) }
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading participant")
        }
    }
}
