import GRDB
import Geo

extension Registry {
    /// One participant as stored: the record and the positions the registry derived from it.
    ///
    /// A view that holds the record (its fields are reached through it, `p.country` is
    /// `p.record.country`) rather than a copy of its field list.
    @dynamicMemberLookup
    public struct Participant: Sendable, Hashable {
        /// What the person registered.
        public var record: ParticipantRecord
        /// WGS84 position derived from ``ParticipantRecord/position`` (PROJ, RDNAPTRANS2018).
        public var lonLat: LonLat
        /// RD New position derived from ``ParticipantRecord/position``.
        public var rd: RDPoint

        /// Creates a stored participant.
        public init(record: ParticipantRecord, lonLat: LonLat, rd: RDPoint) {
            self.record = record
            self.lonLat = lonLat
            self.rd = rd
        }

        /// A field of the record.
        public subscript<T>(dynamicMember field: KeyPath<ParticipantRecord, T>) -> T { record[keyPath: field] }
    }
}

// MARK: - Typed value to stored value

extension ParticipantColumn {
    /// The stored value of this column for `p`, written by import `run`.
    func databaseValue(of p: Registry.Participant, run: Int64) -> DatabaseValue {
        switch self {
        case .id: p.record.id.databaseValue
        case .sourceCRS: p.record.position.crs.epsg.databaseValue
        case .sourceX: p.record.position.x.databaseValue
        case .sourceY: p.record.position.y.databaseValue
        case .lon: p.lonLat.lon.databaseValue
        case .lat: p.lonLat.lat.databaseValue
        case .rdX: p.rd.x.databaseValue
        case .rdY: p.rd.y.databaseValue
        case .country: Self.stored(p.record.country)
        case .phone: Self.stored(p.record.phone)
        case .email: Self.stored(p.record.email)
        case .channels: Self.stored(p.record.channels)
        case .quietHours: Self.stored(p.record.quietHours)
        case .language: Self.stored(p.record.language)
        case .person: Self.stored(p.record.person)
        case .optOut: Self.stored(p.record.optOut)
        case .importRun: run.databaseValue
        }
    }

    /// `value`'s stored value, or NULL (specialised here: GRDB's conformance of `Optional` is a
    /// generic call per value, measurable in the import's loop).
    @inline(__always)
    private static func stored<T: DatabaseValueConvertible>(_ value: T?) -> DatabaseValue {
        value?.databaseValue ?? .null
    }

    /// The statement arguments for every column of `p`, in table order (``sqlList``).
    ///
    /// The columns are written out in `allCases` order (`ParticipantRecordTests` checks it): GRDB's
    /// array-literal initializer is specialised inside GRDB, while an array built here would go
    /// through its generic sequence code, measured at a tenth of the import's time.
    static func arguments(of p: Registry.Participant, run: Int64) -> StatementArguments {
        func v(_ c: ParticipantColumn) -> DatabaseValue { c.databaseValue(of: p, run: run) }
        return [
            v(.id), v(.sourceCRS), v(.sourceX), v(.sourceY), v(.lon), v(.lat), v(.rdX), v(.rdY), v(.country),
            v(.phone), v(.email), v(.channels), v(.quietHours), v(.language), v(.person), v(.optOut), v(.importRun),
        ]
    }

    // MARK: - Stored value to typed value

    /// The columns read back into a ``Registry/Participant``: every one but ``importRun``.
    static let readable = allCases.filter { $0 != .importRun }

    /// Each readable column's index in a row read with ``selectList(omitting:)``.
    private static let readIndex = Dictionary(uniqueKeysWithValues: readable.enumerated().map { ($1, $0) })

    /// The `SELECT` list of ``readable``, with `omitting` columns read as `NULL` (the dispatcher's
    /// reads leave the phone number and e-mail address where they are).
    static func selectList(omitting: Set<ParticipantColumn> = []) -> String {
        readable.map { omitting.contains($0) ? "NULL AS \($0.sqlName)" : $0.sqlName }.joined(separator: ", ")
    }

    /// The participant in `row`, whose first columns are ``selectList(omitting:)``.
    ///
    /// - Throws: ``RegistryError`` `.database` naming the participant and the field when a stored
    ///   value is not a valid value of its type (written by another program): the parser's
    ///   sentence, never the value of a personal field.
    static func participant(from row: Row, path: String) throws -> Registry.Participant {
        let id: Int64 = row[0]
        func value(_ c: ParticipantColumn) -> DatabaseValue { row[readIndex[c] ?? 0] }
        do {
            let crs = CRS(epsg: try c(.sourceCRS, value(.sourceCRS), Int.self))
            var r = ParticipantRecord(
                unchecked: id,
                position: SourcePoint(
                    x: try c(.sourceX, value(.sourceX), Double.self), y: try c(.sourceY, value(.sourceY), Double.self),
                    crs: crs))
            for column in attributes {
                let v = value(column)
                if v.isNull { continue }
                switch column {
                case .country: r.country = try column.decode(v, CountryCode.self)
                case .phone: r.phone = try column.decode(v, PhoneNumber.self)
                case .email: r.email = try column.decode(v, EmailAddress.self)
                case .channels: r.channels = try column.decode(v, ChannelPreference.self)
                case .quietHours: r.quietHours = try column.decode(v, QuietHours.self)
                case .language: r.language = try column.decode(v, Language.self)
                case .person: r.person = try column.decode(v, Int64.self)
                case .optOut: r.optOut = try column.decode(v, OptOut.self)
                default: break
                }
            }
            try check(r)
            return Registry.Participant(
                record: r,
                lonLat: LonLat(lon: try c(.lon, value(.lon), Double.self), lat: try c(.lat, value(.lat), Double.self)),
                rd: RDPoint(x: try c(.rdX, value(.rdX), Double.self), y: try c(.rdY, value(.rdY), Double.self)))
        } catch let e as RegistryError {
            throw RegistryError(
                .database, "\(path): participant \(id): \(e.message) (as stored in the registry)", field: e.field)
        }
        func c<T: DatabaseValueConvertible>(_ column: ParticipantColumn, _ v: DatabaseValue, _ type: T.Type) throws -> T
        {
            try column.decode(v, type)
        }
    }

    /// The value of type `T` that `dbValue` (not NULL) stores, through `T`'s database conversion.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the field: for stored text, the sentence its
    ///   parser gives (as for a CSV field); else the storage class found.
    private func decode<T: DatabaseValueConvertible>(_ dbValue: DatabaseValue, _ type: T.Type) throws -> T {
        if let value = T.fromDatabaseValue(dbValue) { return value }
        if isAttribute, let text = String.fromDatabaseValue(dbValue) {
            var scratch = ParticipantRecord(unchecked: 1, position: SourcePoint(x: 0, y: 0, crs: .wgs84))
            try assign(text, to: &scratch)
        }
        throw refusal("the stored \(Self.storageName(dbValue)) is not a valid \(sqlName) value")
    }

    private static func storageName(_ v: DatabaseValue) -> String {
        switch v.storage {
        case .null: "NULL"
        case .int64: "integer"
        case .double: "real number"
        case .string: "text"
        case .blob: "blob"
        }
    }
}
