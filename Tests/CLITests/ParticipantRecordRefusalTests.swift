import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// One participant record, checked in one place: a bad value is refused with the same sentence by
/// the CSV import (the real binary: file, line and field) and by the live update API (the field).
@Suite struct ParticipantRecordRefusalTests {
    /// A bad value of each typed field and what the refusal must say about it (written out by
    /// hand, not taken from the code under test).
    static let cases: [(field: String, value: String, says: String)] = [
        ("channels", "pigeon", "'pigeon' is not a channel (voice, sms, email, app)"),
        ("channels", "sms,,voice", "'' is not a channel (voice, sms, email, app)"),
        ("quiet_hours", "25:00-26:00", "'25:00-26:00' is not a time range HH:MM-HH:MM (00:00 to 23:59)"),
        ("quiet_hours", "22:00-07:00 except bike theft", "expected 'except TYPE[,TYPE]' after the time range"),
        ("quiet_hours", "22:00-07:00 except bike_theft", "'bike_theft' is not an incident type"),
        ("country", "XX", "'XX' is not an ISO 3166-1 alpha-2 code (e.g. NL, BE, DE)"),
        ("language", "klingon", "'klingon' is not an ISO 639 code (e.g. nl)"),
        ("opt_out", "bike theft", "'bike theft' is not an incident type (letters, digits and hyphens"),
        ("opt_out", "all,burglary", "'all' cannot be combined with incident types"),
        ("person", "-4", "'-4' is not a positive integer"),
        ("phone", "call me", "not a phone number (expected 6 to 20 digits, optionally a leading +)"),
        ("email", "nobody", "not an e-mail address (expected name@domain)"),
    ]

    @Test(arguments: cases)
    func theImportAndTheLiveUpdateRefuseAValueWithTheSameSentence(field: String, value: String, says: String)
        async throws
    {
        let dir = try Fixtures.temporaryDirectory("record-refusal")
        let db = dir.appendingPathComponent("r.sqlite").path
        let quoted = value.contains(",") ? "\"\(value)\"" : value
        // A good row first: the refusal must leave nothing written.
        try "id,lon,lat,\(field)\n7,5.1,52.1,\n8,5.1,52.1,\(quoted)\n".write(
            to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let imported = try await CommandRunner.run(["import", "--db", db, "--csv", "p.csv"], in: dir)
        #expect(imported.status != 0)
        let csvLine = try #require(
            imported.stderr.split(separator: "\n").first { $0.contains("p.csv:3: field '\(field)': ") },
            "\(imported.stderr)")
        #expect(csvLine.contains(says), "\(csvLine)")

        // The live path: a control-room service registering the same value as text.
        let engine = try Engine.open(registryAt: db)
        let at = SourcePoint(x: 5.1, y: 52.1, crs: .wgs84)
        let refused = try #require(throws: RegistryError.self) {
            try engine.register([try ParticipantRecord(id: 8, position: at, fields: [field: value])])
        }
        #expect(refused.field == field)
        #expect(refused.message.hasPrefix("field '\(field)': ") && refused.message.contains(says), "\(refused.message)")
        // The same sentence: the import's line is the file and line, then the API's message.
        #expect(csvLine.hasSuffix("p.csv:3: " + refused.message), "\(csvLine) / \(refused.message)")
        #expect(try engine.registry?.participant(id: 7) == nil, "nothing of the refused file was written")
    }

    @Test func aTypedCountryThatIsNotAssignedIsRefusedWithTheSameSentence() throws {
        let at = SourcePoint(x: 5.1, y: 52.1, crs: .wgs84)
        let typed = try #require(throws: RegistryError.self) {
            try ParticipantRecord(id: 1, position: at, country: CountryCode("XX"))
        }
        let text = try #require(throws: RegistryError.self) {
            try ParticipantRecord(id: 1, position: at, fields: ["country": "xx"])
        }
        #expect(typed.message == "field 'country': 'XX' is not an ISO 3166-1 alpha-2 code (e.g. NL, BE, DE)")
        #expect(text.message == typed.message && text.field == "country")
        #expect(throws: RegistryError.self) { try ParticipantRecord(id: 0, position: at) }
        #expect(throws: RegistryError.self) { try ParticipantRecord(id: 1, position: at, person: -2) }
    }

    @Test func anUnknownFieldNameIsRefusedNamingIt() throws {
        let at = SourcePoint(x: 5.1, y: 52.1, crs: .wgs84)
        let e = try #require(throws: RegistryError.self) {
            try ParticipantRecord(id: 1, position: at, fields: ["channel": "sms"])
        }
        #expect(e.field == "channel" && e.message.hasPrefix("field 'channel': not a participant field"), "\(e.message)")
    }
}
