import GRDB
import Geo

extension Registry {
    /// Reads every participant's id, RD position, country and lon/lat, in ascending id order.
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
                columns.lons.reserveCapacity(n)
                columns.lats.reserveCapacity(n)
                let rows = try Row.fetchCursor(
                    db, sql: "SELECT id, rd_x, rd_y, country, lon, lat FROM participant ORDER BY id")
                while let row = try rows.next() {
                    let country: String? = row[3]
                    columns.append(
                        id: row[0], x: row[1], y: row[2], country: country.flatMap { CountryCode($0) },
                        lonLat: LonLat(lon: row[4], lat: row[5]))
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
        /// The person this address belongs to; `nil` means the participant id itself.
        public var person: Int64? = nil
        /// Incident types opted out of, as stored (see ``OptOut``).
        public var optOut: String? = nil

        public static func == (a: Participant, b: Participant) -> Bool {
            a.id == b.id && a.sourceCRS == b.sourceCRS && a.source == b.source && a.lonLat == b.lonLat
                && a.rd == b.rd && a.country == b.country && a.phone == b.phone && a.email == b.email
                && a.channels == b.channels && a.quietHours == b.quietHours && a.language == b.language
                && a.person == b.person && a.optOut == b.optOut
        }
    }

    /// The stored record of participant `id`, or `nil`.
    public func participant(id: Int64) throws -> Participant? {
        do {
            return try pool.read { db in
                guard let r = try Row.fetchOne(db, sql: "SELECT * FROM participant WHERE id = ?", arguments: [id])
                else {
                    return nil
                }
                return Participant(
                    id: r["id"], sourceCRS: CRS(epsg: r["source_crs"]), source: (r["source_x"], r["source_y"]),
                    lonLat: LonLat(lon: r["lon"], lat: r["lat"]), rd: RDPoint(x: r["rd_x"], y: r["rd_y"]),
                    country: r["country"], phone: r["phone"], email: r["email"], channels: r["channels"],
                    quietHours: r["quiet_hours"], language: r["language"], person: r["person"],
                    optOut: r["opt_out"])
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "reading participant")
        }
    }
}
