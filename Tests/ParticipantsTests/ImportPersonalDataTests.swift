import Foundation
import TestSupport
import Testing

@testable import Geo
@testable import Participants

/// With shifted columns a phone number or an e-mail address lands in any field; import and upsert
/// errors describe such a value ("a phone number-like value (12 characters)"), never quote it, and
/// a phone number is never taken for an id.
@Suite struct ImportPersonalDataTests {
    static let phone = "+31612345678"
    static let email = "jan.jansen@example.org"

    /// Whether `message` shows any part of the phone number or e-mail address.
    static func leaks(_ message: String) -> Bool {
        message.contains("12345678") || message.contains("jansen") || message.contains("example.org")
    }

    @Test(arguments: [
        ("id,lon,lat,country,phone\n1,5.1,52.1,\(phone),NL\n", "field 'country': a phone number-like value (12 characters)"),
        ("id,lon,lat,country\n1,5.1,52.1,\(email)\n", "field 'country': an e-mail address-like value (22 characters)"),
        ("id,lon,lat,language\n1,5.1,52.1,06 1234 5678\n", "field 'language': a phone number-like value (12 characters)"),
        ("id,lon,lat,channels\n1,5.1,52.1,\(email)\n", "field 'channels': an e-mail address-like value (22 characters)"),
        ("id,lon,lat,crs\n1,5.1,52.1,\(phone)\n", "field 'crs': a phone number-like value (12 characters)"),
        ("id,lon,lat,quiet_hours\n1,5.1,52.1,\(phone)\n", "field 'quiet_hours': a phone number-like value"),
        ("id,lon,lat,opt_out\n1,5.1,52.1,\(email)\n", "field 'opt_out': an e-mail address-like value (22 characters)"),
        ("id,lon,lat\n1,5.1,0612345678\n", "field 'lat': a phone number-like value (10 characters) is not a coordinate"),
        ("id,lon,lat\n1,\(email),52.1\n", "field 'lon': an e-mail address-like value (22 characters) is not a coordinate"),
        ("id,lon,lat,person\n1,5.1,52.1,\(phone)\n", "field 'person': a phone number-like value (12 characters)"),
    ] as [(String, String)])
    func shiftedPersonalDataIsDescribedNotQuoted(csv: String, expected: String) throws {
        let s = try Scratch()
        let message = try s.failingImport(csv)
        #expect(message.contains("p.csv:2: " + expected), "\(message)")
        #expect(!Self.leaks(message), "\(message)")
        #expect(try s.registry.count() == 0)
    }

    @Test(arguments: ["+31612345678", "0612345678", "+7", "-3", "007", " 1 2"])
    func anIDMustBeAPlainPositiveIntegerWithoutSignOrLeadingZero(id: String) throws {
        let s = try Scratch()
        let message = try s.failingImport("id,lon,lat\n\(id),5.1,52.1\n")
        #expect(message.contains("p.csv:2: field 'id': "), "\(message)")
        #expect(message.contains("is not a positive integer (digits only, without a sign or leading zeros)"))
        if id.count > 8 {
            #expect(message.contains("a phone number-like value") && message.contains("looks like a phone number"))
            #expect(!Self.leaks(message), "\(message)")
        }
        #expect(try s.registry.count() == 0)
    }

    @Test func largePlainIDsAreStillAccepted() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(try s.csv("id,lon,lat,person\n9123456789012,5.1,52.1,31612345678\n"))
        let p = try #require(try s.registry.participant(id: 9_123_456_789_012))
        #expect(p.person == 31_612_345_678)
    }

    @Test func theLibraryRecordAppliesTheSameChecksAndDescribesTheSameWay() throws {
        let s = try Scratch()
        let at = SourcePoint(x: 155_000, y: 463_000, crs: .rdNew)
        let cases: [(String, String, String)] = [
            ("country", Self.phone, "field 'country': a phone number-like value"),
            ("channels", Self.email, "field 'channels': an e-mail address-like"),
            ("channels", "pigeon", "field 'channels': 'pigeon' is not a channel"),
            ("language", Self.phone, "field 'language': a phone number-like"),
            ("quiet_hours", Self.email, "field 'quiet_hours': an e-mail address"),
        ]
        for (field, value, expected) in cases {
            let error = try #require(throws: RegistryError.self) {
                try ParticipantRecord(id: 1, position: at, fields: [field: value])
            }
            #expect(error.message.hasPrefix(expected), "\(error.message)")
            #expect(!Self.leaks(error.message), "\(error.message)")
        }
        _ = try s.registry.upsert([
            try ParticipantRecord(id: 2, position: at, fields: ["channels": "SMS, voice", "language": "NL"])
        ])
        let p = try #require(try s.registry.participant(id: 2))
        #expect(p.channels?.description == "sms,voice" && p.language?.code == "nl")
    }

    @Test(arguments: [
        ("+31 6 1234 5678", true), ("0612345678", true), ("(020) 123 4567", true), ("0031612345678", true),
        ("123456789", true), ("155000", false), ("463000.25", false), ("52.123456789", false), ("NL", false),
        ("12345", false), ("+31", false),
    ])
    func phoneNumberLikeValuesAreRecognised(value: String, phoneLike: Bool) {
        #expect(QuotedValue.looksLikePhoneNumber(value) == phoneLike)
        #expect(QuotedValue.describe(value).hasPrefix("a phone number-like value") == phoneLike)
    }
}
