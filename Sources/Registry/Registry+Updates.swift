import Foundation
import GRDB
import Geo

/// One participant as a control-room service registers or updates it through the library.
public struct ParticipantRecord: Sendable, Hashable {
    /// The participant id (positive).
    public var id: Int64
    /// The position as given, with its CRS.
    public var position: SourcePoint
    /// ISO 3166-1 alpha-2 country, if known.
    public var country: String?
    /// Phone number (personal data: never logged).
    public var phone: String?
    /// E-mail address (personal data: never logged).
    public var email: String?
    /// Preferred channels in order, e.g. "voice,sms".
    public var channels: String?
    /// Quiet hours, `HH:MM-HH:MM`.
    public var quietHours: String?
    /// Language, ISO 639.
    public var language: String?
    /// The person this address belongs to; `nil` means the id itself.
    public var person: Int64?
    /// Incident types the person does not want alerts for, or all (see ``OptOut``); `nil` for none.
    public var optOut: OptOut?

    /// Creates a record.
    public init(
        id: Int64, position: SourcePoint, country: String? = nil, phone: String? = nil, email: String? = nil,
        channels: String? = nil, quietHours: String? = nil, language: String? = nil, person: Int64? = nil,
        optOut: OptOut? = nil
    ) {
        self.person = person
        self.optOut = optOut
        self.id = id
        self.position = position
        self.country = country
        self.phone = phone
        self.email = email
        self.channels = channels
        self.quietHours = quietHours
        self.language = language
    }
}

extension Registry {
    /// Registers new participants and updates existing ones, in one transaction.
    ///
    /// A record without a country gets the one its position lies in (the NL/BE/DE borders, as the
    /// CSV import derives it); outside all three it stays empty.
    ///
    /// - Returns: The changes the in-memory index must apply (new RD New positions).
    /// - Throws: ``RegistryError`` `.input` naming the record and field (never quoting phone or
    ///   e-mail) when any record is bad, and then nothing is written; `.database` for SQLite.
    public func upsert(_ records: [ParticipantRecord]) throws -> [ParticipantChange] {
        if records.isEmpty { return [] }
        let converter = try self.converter()
        var rd: [RDPoint] = []
        var lonLat: [LonLat] = []
        for (i, r) in records.enumerated() {
            let at = "record \(i + 1) (id \(r.id))"
            guard r.id > 0 else { throw RegistryError(.input, "\(at): field 'id': must be positive") }
            if let c = r.country, CountryCode(c)?.isAssigned != true {
                throw RegistryError(
                    .input,
                    "\(at): field 'country': \(QuotedValue.describe(c, limit: 20)) is not an ISO 3166-1 alpha-2 code")
            }
            // The same checks as the CSV import's, with the same messages (values that look like a
            // phone number or an e-mail address are described, not quoted).
            if let c = r.channels, case .failure(let problem) = CSVLayout.canonicalChannels(c) {
                throw RegistryError(.input, "\(at): field 'channels': \(problem.text)")
            }
            if let l = r.language, case .failure(let problem) = CSVLayout.canonicalLanguage(l) {
                throw RegistryError(.input, "\(at): field 'language': \(problem.text)")
            }
            if let p = r.phone, !CSVLayout.isPhoneNumber(p) {
                throw RegistryError(.input, "\(at): field 'phone': not a phone number")
            }
            if let e = r.email, !CSVLayout.isEmailAddress(e) {
                throw RegistryError(.input, "\(at): field 'email': not an e-mail address")
            }
            if let q = r.quietHours {
                do { _ = try QuietHours(parsing: q) } catch let e as RegistryError {
                    throw RegistryError(.input, "\(at): field 'quiet_hours': \(e.message)")
                }
            }
            if let p = r.person, p <= 0 { throw RegistryError(.input, "\(at): field 'person': must be positive") }
            var xs = [r.position.x]
            var ys = [r.position.y]
            var lx = xs
            var ly = ys
            do {
                try converter.toRD(xs: &xs, ys: &ys, from: r.position.crs)
                try converter.toLonLat(xs: &lx, ys: &ly, from: r.position.crs)
            } catch let e as GeoError {
                throw RegistryError(.input, "\(at): field 'position': \(e.message)")
            }
            let ll = LonLat(lon: lx[0], lat: ly[0])
            if let problem = ServiceRegion.problem(with: ll) {
                throw RegistryError(.input, "\(at): field 'position': \(problem)")
            }
            rd.append(RDPoint(x: xs[0], y: ys[0]))
            lonLat.append(ll)
        }
        var countries = records.map { $0.country.flatMap { CountryCode($0)?.description } }
        if countries.contains(nil) {
            let loaded = try borders.withLock { cached in
                if let cached { return cached }
                let fresh = try CountryBorders.load(.data(data), converter: converter)
                cached = fresh
                return fresh
            }
            let locator = try CountryLocator(borders: loaded)
            for i in countries.indices where countries[i] == nil {
                countries[i] = try locator.country(at: rd[i]).country?.description
            }
        }
        do {
            try pool.write { db in
                try db.execute(
                    sql: "INSERT INTO import_run (file, source_crs, started_at) VALUES ('library upsert', 0, ?)",
                    arguments: [ISO8601DateFormatter().string(from: Date())])
                let run = db.lastInsertedRowID
                let statement = try db.makeStatement(
                    sql: """
                        INSERT INTO participant (id, source_crs, source_x, source_y, lon, lat, rd_x, rd_y,
                            country, phone, email, channels, quiet_hours, language, person, opt_out, import_run)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        ON CONFLICT(id) DO UPDATE SET source_crs = excluded.source_crs, source_x = excluded.source_x,
                            source_y = excluded.source_y, lon = excluded.lon, lat = excluded.lat, rd_x = excluded.rd_x,
                            rd_y = excluded.rd_y, country = excluded.country, phone = excluded.phone,
                            email = excluded.email, channels = excluded.channels, quiet_hours = excluded.quiet_hours,
                            language = excluded.language, person = excluded.person, opt_out = excluded.opt_out,
                            import_run = excluded.import_run
                        """)
                for (i, r) in records.enumerated() {
                    try statement.execute(arguments: [
                        r.id, r.position.crs.epsg, r.position.x, r.position.y, lonLat[i].lon, lonLat[i].lat, rd[i].x,
                        rd[i].y, countries[i], r.phone, r.email,
                        r.channels.flatMap { try? CSVLayout.canonicalChannels($0).get() },
                        r.quietHours, r.language.map { $0.lowercased() }, r.person, r.optOut?.description, run,
                    ])
                }
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "upsert")
        }
        return records.enumerated().map { i, r in
            .upsert(id: r.id, position: rd[i], country: countries[i].flatMap { CountryCode($0) })
        }
    }

    /// Removes participants (ids not registered are ignored).
    ///
    /// - Returns: The changes for the in-memory index, one per id removed.
    /// - Throws: ``RegistryError`` `.database`.
    public func remove(ids: [Int64]) throws -> [ParticipantChange] {
        do {
            return try pool.write { db in
                var removed: [ParticipantChange] = []
                let statement = try db.makeStatement(sql: "DELETE FROM participant WHERE id = ?")
                for id in ids {
                    try statement.execute(arguments: [id])
                    if db.changesCount > 0 { removed.append(.remove(id: id)) }
                }
                return removed
            }
        } catch {
            throw RegistryError.wrap(error, path: path, doing: "remove")
        }
    }
}
