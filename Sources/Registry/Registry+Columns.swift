import GRDB
import Geo

/// Every participant's id, RD New position and country as parallel arrays (struct of arrays),
/// in ascending id order: the input for building an in-memory index.
public struct ParticipantColumns: Sendable {
    /// Participant ids, ascending.
    public var ids: [Int64] = []
    /// RD New x in metres.
    public var xs: [Double] = []
    /// RD New y in metres.
    public var ys: [Double] = []
    /// Countries packed as ``CountryCode/packed``; 0 when unknown.
    public var countries: [UInt16] = []

    /// Creates empty columns.
    public init() {}

    /// The number of participants.
    public var count: Int { ids.count }

    /// Appends one participant.
    public mutating func append(id: Int64, x: Double, y: Double, country: CountryCode?) {
        ids.append(id)
        xs.append(x)
        ys.append(y)
        countries.append(country?.packed ?? 0)
    }
}

extension Registry {
    /// Reads every participant's id, RD position and country.
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
                    let country: String? = row[3]
                    columns.append(id: row[0], x: row[1], y: row[2], country: country.flatMap { CountryCode($0) })
                }
                return columns
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "loading participants")
        }
    }

    /// One participant's stored record, for inspection and tests.
    public struct Participant: Sendable, Equatable {
        public var id: Int64
        public var sourceCRS: CRS
        public var source: (x: Double, y: Double)
        public var lonLat: LonLat
        public var rd: RDPoint
        public var country: String?
        public var phone: String?
        public var email: String?
        public var channels: String?
        public var quietHours: String?
        public var language: String?

        public static func == (a: Participant, b: Participant) -> Bool {
            a.id == b.id && a.sourceCRS == b.sourceCRS && a.source == b.source && a.lonLat == b.lonLat
                && a.rd == b.rd && a.country == b.country && a.phone == b.phone && a.email == b.email
                && a.channels == b.channels && a.quietHours == b.quietHours && a.language == b.language
        }
    }

    /// The stored record of participant `id`, or `nil`.
    public func participant(id: Int64) throws -> Participant? {
        do {
            return try pool.read { db in
                guard let r = try Row.fetchOne(db, sql: "SELECT * FROM participant WHERE id = ?", arguments: [id]) else {
                    return nil
                }
                return Participant(
                    id: r["id"], sourceCRS: CRS(epsg: r["source_crs"]), source: (r["source_x"], r["source_y"]),
                    lonLat: LonLat(lon: r["lon"], lat: r["lat"]), rd: RDPoint(x: r["rd_x"], y: r["rd_y"]),
                    country: r["country"], phone: r["phone"], email: r["email"], channels: r["channels"],
                    quietHours: r["quiet_hours"], language: r["language"])
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading participant")
        }
    }
}
