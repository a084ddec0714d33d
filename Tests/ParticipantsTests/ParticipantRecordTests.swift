import Foundation
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import Participants

/// The participant record's way into the database and back, and the one column table the CSV
/// import and the SQL are both made from.
@Suite struct ParticipantRecordTests {
    /// A record with every field set (checked below, so a field added later cannot be missed).
    static func fullRecord(id: Int64 = 42) throws -> ParticipantRecord {
        try ParticipantRecord(
            id: id, position: SourcePoint(x: 155_000.125, y: 463_000.5, crs: .rdNew), country: .nl,
            phone: try PhoneNumber("+31 6 1234 5678"), email: try EmailAddress("p@example.org"),
            channels: try ChannelPreference([.sms, .voice, .app]),
            quietHours: try QuietHours(parsing: "voice 22:00-08:00; sms,app 23:00-07:00 except missing-child"),
            language: try Language(parsing: "FR"), person: 7,
            optOut: try OptOut(incidentTypes: ["burglary", "bike-theft"]))
    }

    @Test func everyFieldOfTheFullRecordIsSet() throws {
        let fields = Mirror(reflecting: try Self.fullRecord()).children
        #expect(fields.count == 10)
        for field in fields {
            if let optional = field.value as? any OptionalProtocol {
                #expect(optional.isSome, "\(field.label ?? "?") is nil: the round trip would not cover it")
            }
        }
    }

    @Test func aRecordComesBackFromTheDatabaseEqualInEveryField() throws {
        let s = try Scratch()
        let record = try Self.fullRecord()
        _ = try s.registry.upsert([record])
        let stored = try #require(try s.registry.participant(id: 42))
        #expect(stored.record == record)
        // Field by field, against the values written above.
        #expect(stored.position == SourcePoint(x: 155_000.125, y: 463_000.5, crs: .rdNew))
        #expect(stored.country == .nl && stored.person == 7 && stored.language?.code == "fr")
        #expect(stored.phone?.text == "+31 6 1234 5678" && stored.email?.text == "p@example.org")
        #expect(stored.channels?.channels == [.sms, .voice, .app])
        #expect(stored.quietHours?.isQuiet(channel: .voice, incidentType: "burglary", minute: 22 * 60) == true)
        #expect(stored.quietHours?.isQuiet(channel: .sms, incidentType: "missing-child", minute: 0) == false)
        #expect(stored.optOut?.incidentTypes.map(\.name) == ["bike-theft", "burglary"])
        // The stored text is the format the schema always had (no migration).
        let text: [String?] = try s.registry.pool.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT country, channels, quiet_hours, language, opt_out FROM participant WHERE id = 42")
            return (0..<5).map { i -> String? in row?[i] }
        }
        let expected: [String?] = [
            "NL", "sms,voice,app", "voice 22:00-08:00; sms,app 23:00-07:00 except missing-child", "fr",
            "bike-theft,burglary",
        ]
        #expect(text == expected)
        // The dispatcher's read: the same record without the contact data.
        let prefs = try #require(try s.registry.contactPreferences(ids: [42])[42])
        var withoutContact = record
        (withoutContact.phone, withoutContact.email) = (nil, nil)
        #expect(prefs.record == withoutContact && prefs.hasPhone && prefs.hasEmail && prefs.person == 7)
    }

    @Test func aCSVRowAndTheTextFactoryMakeTheSameRecord() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv(
                """
                id,x,y,country,phone,email,channels,quiet_hours,language,person,opt_out
                42,155000.125,463000.5,nl,+31 6 1234 5678,p@example.org,"SMS, voice,app",\
                "voice 22:00-08:00; sms,app 23:00-07:00 except missing-child",FR,7,"burglary, bike-theft"

                """),
            options: ImportOptions(crs: .rdNew))
        let imported = try #require(try s.registry.participant(id: 42))
        #expect(imported.record == (try Self.fullRecord()))
    }

    @Test func aStoredValueThatDoesNotParseIsReportedWithParticipantAndField() throws {
        let s = try Scratch()
        _ = try s.registry.upsert([try Self.fullRecord()])
        try s.registry.pool.write { db in
            try db.execute(sql: "UPDATE participant SET quiet_hours = '25:00-26:00' WHERE id = 42")
        }
        let e = try #require(throws: RegistryError.self) { try s.registry.contactPreferences(ids: [42]) }
        #expect(e.field == "quiet_hours" && e.message.contains("participant 42: field 'quiet_hours': "), "\(e.message)")
    }

    // MARK: - One column table

    @Test func theImportAcceptsExactlyTheTablesCSVColumns() throws {
        let s = try Scratch()
        let candidates = ParticipantColumn.csvNames.union([
            "quiethours", "opt-out", "channel", "lang", "rd_x", "source_crs", "import_run", "name",
        ])
        var accepted: Set<String> = []
        for (i, name) in candidates.sorted().enumerated() where !["id", "lon", "lat"].contains(name) {
            let report = try s.registry.importCSV(
                try s.csv("id,lon,lat,\(name)\n\(i + 1),5.1,52.1,\n"), options: ImportOptions(countries: .off))
            if report.ignoredColumns.isEmpty { accepted.insert(name) }
        }
        // The expected set is written out: the table must not drift from the documented CSV.
        let documented: Set<String> = [
            "crs", "x", "y", "country", "phone", "email", "channels", "quiet_hours", "language", "person", "opt_out",
        ]
        #expect(accepted == documented)
        #expect(ParticipantColumn.csvNames == documented.union(["id", "lon", "lat"]))
    }

    @Test func theInsertArgumentsFollowTheTableOrder() throws {
        let p = Registry.Participant(
            record: try Self.fullRecord(), lonLat: LonLat(lon: 5.1, lat: 52.1), rd: RDPoint(x: 1, y: 2))
        let written = ParticipantColumn.arguments(of: p, run: 9)
        let inOrder = StatementArguments(ParticipantColumn.allCases.map { $0.databaseValue(of: p, run: 9) })
        #expect("\(written)" == "\(inOrder)")
        #expect(ParticipantColumn.sqlList.split(separator: ",").count == ParticipantColumn.allCases.count)
    }

    @Test func theTablesSQLColumnsAreTheParticipantTable() throws {
        let s = try Scratch()
        let columns = try s.registry.pool.read { db in
            try Row.fetchAll(db, sql: "PRAGMA table_info(participant)").map { $0["name"] as String }
        }
        #expect(Set(columns) == Set(ParticipantColumn.allCases.map(\.sqlName)))
        #expect(columns.count == ParticipantColumn.allCases.count)
    }
}

/// Whether an `Any` holds an optional with a value.
private protocol OptionalProtocol { var isSome: Bool { get } }
extension Optional: OptionalProtocol { var isSome: Bool { self != nil } }
