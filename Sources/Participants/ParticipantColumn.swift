import GRDB
import Geo

/// The columns of a participant: the one table from which the CSV header, the SQL of the
/// `participant` table and the conversions between text, typed values and stored values are all
/// taken.
///
/// | column | SQL | CSV | value |
/// | --- | --- | --- | --- |
/// | ``id`` | `id` | `id` | `Int64`, positive |
/// | ``sourceCRS`` | `source_crs` | `crs` | ``CRS`` (EPSG code) |
/// | ``sourceX`` | `source_x` | `lon` or `x` | `Double` |
/// | ``sourceY`` | `source_y` | `lat` or `y` | `Double` |
/// | ``lon``, ``lat`` | `lon`, `lat` | – | WGS84 degrees, derived |
/// | ``rdX``, ``rdY`` | `rd_x`, `rd_y` | – | RD New metres, derived |
/// | ``country`` | `country` | `country` | ``CountryCode``, assigned |
/// | ``phone`` | `phone` | `phone` | ``PhoneNumber`` |
/// | ``email`` | `email` | `email` | ``EmailAddress`` |
/// | ``channels`` | `channels` | `channels` | ``ChannelPreference`` |
/// | ``quietHours`` | `quiet_hours` | `quiet_hours` | ``QuietHours`` |
/// | ``language`` | `language` | `language` | ``Language`` |
/// | ``person`` | `person` | `person` | `Int64`, positive |
/// | ``optOut`` | `opt_out` | `opt_out` | ``OptOut`` |
/// | ``importRun`` | `import_run` | – | the import (or upsert) that wrote the row |
///
/// The typed values are stored as their canonical text through `DatabaseValueConvertible`, the
/// format the schema has had since its migrations (no text is re-parsed on the way in).
public enum ParticipantColumn: String, CaseIterable, Sendable {
    case id, sourceCRS, sourceX, sourceY, lon, lat, rdX, rdY
    case country, phone, email, channels, quietHours, language, person, optOut
    case importRun

    /// The column's name in the `participant` table.
    public var sqlName: String {
        switch self {
        case .sourceCRS: "source_crs"
        case .sourceX: "source_x"
        case .sourceY: "source_y"
        case .rdX: "rd_x"
        case .rdY: "rd_y"
        case .quietHours: "quiet_hours"
        case .optOut: "opt_out"
        case .importRun: "import_run"
        default: rawValue
        }
    }

    /// The CSV header names that fill the column (lower-case); empty for a derived column.
    public var csvNames: [String] {
        switch self {
        case .sourceCRS: ["crs"]
        case .sourceX: ["lon", "x"]
        case .sourceY: ["lat", "y"]
        case .lon, .lat, .rdX, .rdY, .importRun: []
        default: [sqlName]
        }
    }

    /// Whether the column is one of the person's own data (country to opt-out): optional in a
    /// CSV file and in ``ParticipantRecord/init(id:position:fields:)``.
    public var isAttribute: Bool { Self.attributes.contains(self) }

    /// The person's own data, in table order.
    public static let attributes: [ParticipantColumn] = [
        .country, .phone, .email, .channels, .quietHours, .language, .person, .optOut,
    ]

    /// Every CSV header name the import accepts.
    public static let csvNames: Set<String> = Set(allCases.flatMap(\.csvNames))

    /// The column a CSV header name fills (case-insensitive), or `nil`.
    public init?(csvName: String) {
        let name = csvName.lowercased()
        guard let column = Self.allCases.first(where: { $0.csvNames.contains(name) }) else { return nil }
        self = column
    }

    /// Every column's SQL name, comma-separated, in table order (for `SELECT` and `INSERT`).
    static let sqlList = allCases.map(\.sqlName).joined(separator: ", ")

    // MARK: - Text to typed value

    /// Parses `text` (trimmed, not empty) into the record's field for this attribute column.
    ///
    /// - Throws: ``RegistryError`` `.input`, `field 'NAME': why`, with ``RegistryError/field`` set.
    func assign(_ text: String, to r: inout ParticipantRecord) throws {
        do {
            switch self {
            case .country:
                guard let code = CountryCode(text) else { throw RegistryError(.input, Self.notACountry(text)) }
                r.country = code
            case .phone: r.phone = try PhoneNumber(text)
            case .email: r.email = try EmailAddress(text)
            case .channels: r.channels = try ChannelPreference(parsing: text)
            case .quietHours: r.quietHours = try QuietHours(parsing: text)
            case .language: r.language = try Language(parsing: text)
            case .person:
                if let problem = QuotedValue.idProblem(Substring(text)) { throw RegistryError(.input, problem) }
                r.person = Int64(text)
            case .optOut: r.optOut = try OptOut(parsing: text)
            default: preconditionFailure("\(self) is not an attribute column")
            }
        } catch let e as RegistryError {
            throw refusal(e.message)
        }
    }

    // MARK: - Checks the types cannot make

    /// Checks what the field types do not: positive id and person, an assigned country.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the field, with the sentence the text parsers use.
    static func check(_ r: ParticipantRecord) throws {
        if r.id <= 0, let problem = QuotedValue.idProblem(Substring(String(r.id))) {
            throw ParticipantColumn.id.refusal(problem)
        }
        if let p = r.person, p <= 0, let problem = QuotedValue.idProblem(Substring(String(p))) {
            throw ParticipantColumn.person.refusal(problem)
        }
        if let c = r.country, !c.isAssigned { throw ParticipantColumn.country.refusal(notACountry(c.description)) }
    }

    /// `field 'NAME': why`, as a ``RegistryError`` naming the field.
    func refusal(_ why: String) -> RegistryError {
        let name = csvNames.first ?? sqlName
        return RegistryError(.input, "field '\(name)': \(why)", field: name)
    }

    private static func notACountry(_ text: String) -> String {
        "\(QuotedValue.describe(text, limit: 20)) is not an ISO 3166-1 alpha-2 code (e.g. NL, BE, DE)"
    }
}

// MARK: - SQL

extension ParticipantColumn {
    /// The statement that inserts a participant (every column, in table order) or updates the
    /// stored one.
    ///
    /// - Parameters:
    ///   - updating: The attribute columns an update overwrites; the others keep their stored
    ///     value (a CSV file without the column). Position, derived and run columns are always
    ///     overwritten.
    ///   - derivedCountry: Without ``country`` in `updating`: whether a stored participant without
    ///     a country takes the inserted one (derived from the position).
    ///   - oncePerRun: Whether an id written twice by the same run leaves the first write (the
    ///     import sees `changesCount == 0` and reports the repeat).
    static func upsertSQL(updating: [ParticipantColumn], derivedCountry: Bool, oncePerRun: Bool) -> String {
        var set = allCases.filter { $0 != .id && (!$0.isAttribute || updating.contains($0)) }.map {
            "\($0.sqlName) = excluded.\($0.sqlName)"
        }
        if derivedCountry && !updating.contains(.country) {
            set.append("country = COALESCE(participant.country, excluded.country)")
        }
        return """
            INSERT INTO participant (\(sqlList)) VALUES (\(allCases.map { _ in "?" }.joined(separator: ", ")))
            ON CONFLICT(id) DO UPDATE SET \(set.joined(separator: ", "))
            """ + (oncePerRun ? " WHERE participant.import_run <> excluded.import_run" : "")
    }
}
