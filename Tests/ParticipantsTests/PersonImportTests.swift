import Foundation
import Geo
import Testing

@testable import Participants

/// The `person` column (migration v4) and the extended quiet hours in the CSV import.
@Suite struct PersonImportTests {
    @Test func personDefaultsToTheParticipantIdAndGroupsAddresses() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv(
                """
                id,x,y,person,quiet_hours,channels
                1,155000,463000,,,
                2,155100,463000,1,"voice 22:00-08:00;sms,app 23:00-07:00 except missing-child","voice,sms"
                3,155200,463000,77,23:00-07:00,
                """), options: ImportOptions(crs: .rdNew, countries: .off))
        let prefs = try s.registry.contactPreferences(ids: [1, 2, 3, 4])
        #expect(prefs.keys.sorted() == [1, 2, 3])
        #expect(prefs[1]?.person == 1 && prefs[2]?.person == 1 && prefs[3]?.person == 77)
        // Stored in canonical form.
        #expect(prefs[2]?.quietHours?.description == "voice 22:00-08:00; sms,app 23:00-07:00 except missing-child")
        #expect(prefs[3]?.quietHours?.description == "23:00-07:00")
        #expect(try s.registry.participant(id: 2)?.person == 1)
        #expect(try s.registry.participant(id: 1)?.person == nil)
        // A re-import without the column keeps the stored person.
        _ = try s.registry.importCSV(
            try s.csv("id,x,y\n2,155100,463010\n"), options: ImportOptions(crs: .rdNew, countries: .off))
        #expect(try s.registry.contactPreferences(ids: [2])[2]?.person == 1)
    }

    @Test(arguments: [
        ("id,x,y,person\n1,155000,463000,abc\n", "p.csv:2: field 'person': 'abc' is not a positive integer"),
        ("id,x,y,person\n1,155000,463000,0\n", "p.csv:2: field 'person': '0' is not a positive integer"),
        (
            "id,x,y,quiet_hours\n1,155000,463000,\"voice 22:00-08:00;fax 01:00-02:00\"\n",
            "p.csv:2: field 'quiet_hours': rule 2 'fax 01:00-02:00': 'fax' is neither a channel"
        ),
        (
            "id,x,y,quiet_hours\n1,155000,463000,23:00-24:00\n",
            "p.csv:2: field 'quiet_hours': '23:00-24:00': '23:00-24:00' is not a time range"
        ),
        (
            "id,x,y,quiet_hours\n1,155000,463000,23:00-07:00 if burglary\n",
            "p.csv:2: field 'quiet_hours': '23:00-07:00 if burglary': expected 'except TYPE[,TYPE]'"
        ),
    ])
    func badPersonOrQuietHoursNameLineAndField(csv: String, expected: String) throws {
        try Self.refused(csv, expected)
    }

    static func refused(_ csv: String, _ expected: String) throws {
        let s = try Scratch()
        let message = try s.failingImport(csv, options: ImportOptions(crs: .rdNew, countries: .off))
        #expect(message.contains(expected), "\(message)")
        #expect(try s.registry.count() == 0)
    }
}

/// The `opt_out` column (migration v6): incident types a person wants no alerts for, or `all`.
@Suite struct OptOutImportTests {
    @Test func optOutIsStoredCanonicallyAndKeptWhenAReimportLacksTheColumn() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv(
                """
                id,x,y,opt_out
                1,155000,463000,
                2,155100,463000,"Bike-Theft, burglary,bike-theft"
                3,155200,463000,ALL
                """), options: ImportOptions(crs: .rdNew, countries: .off))
        let prefs = try s.registry.contactPreferences(ids: [1, 2, 3])
        #expect(prefs[1]?.optOut == nil)
        #expect(prefs[2]?.optOut?.description == "bike-theft,burglary")  // lower-case, sorted, once each
        #expect(prefs[3]?.optOut?.description == "all")
        #expect(try s.registry.participant(id: 2)?.optOut?.description == "bike-theft,burglary")
        _ = try s.registry.importCSV(
            try s.csv("id,x,y\n2,155100,463010\n"), options: ImportOptions(crs: .rdNew, countries: .off))
        #expect(try s.registry.contactPreferences(ids: [2])[2]?.optOut?.description == "bike-theft,burglary")
        // A re-import with the column empty clears it.
        _ = try s.registry.importCSV(
            try s.csv("id,x,y,opt_out\n2,155100,463010,\n"), options: ImportOptions(crs: .rdNew, countries: .off))
        #expect(try s.registry.contactPreferences(ids: [2])[2]?.optOut == nil)
    }

    @Test(arguments: [
        ("id,x,y,opt_out\n1,155000,463000,\"burglary,,theft\"\n", "p.csv:2: field 'opt_out': empty incident type"),
        ("id,x,y,opt_out\n1,155000,463000,\"all,burglary\"\n", "p.csv:2: field 'opt_out': 'all' cannot be combined"),
        (
            "id,x,y,opt_out\n1,155000,463000,bike theft\n",
            "p.csv:2: field 'opt_out': 'bike theft' is not an incident type"
        ),
    ])
    func badOptOutNamesLineAndField(csv: String, expected: String) throws {
        try PersonImportTests.refused(csv, expected)
    }

    @Test func libraryRegistrationsCarryTheOptOut() throws {
        let s = try Scratch()
        let at = SourcePoint(x: 155_000, y: 463_000, crs: .rdNew)
        _ = try s.registry.upsert([
            try ParticipantRecord(id: 5, position: at, country: .nl, optOut: try OptOut(incidentTypes: ["burglary"])),
            try ParticipantRecord(id: 6, position: at, country: .nl, optOut: .everything),
        ])
        let prefs = try s.registry.contactPreferences(ids: [5, 6])
        #expect(prefs[5]?.optOut?.description == "burglary" && prefs[6]?.optOut?.description == "all")
        #expect(throws: RegistryError.self) { try OptOut(incidentTypes: []) }
    }
}

/// Whether a person has a phone number or an e-mail address, from any of their addresses.
@Suite struct ContactPresenceTests {
    @Test func aPersonsContactDataIsFoundOnAnyOfTheirAddressesAsThePhoneLookupFindsIt() throws {
        let s = try Scratch()
        let at = SourcePoint(x: 155_000, y: 463_000, crs: .rdNew)
        _ = try s.registry.upsert([
            try ParticipantRecord(id: 1, position: at, country: .nl, phone: try PhoneNumber("+31600000001")),
            try ParticipantRecord(id: 2, position: at, country: .nl, person: 1),  // person 1's second address
            try ParticipantRecord(id: 3, position: at, country: .nl, email: try EmailAddress("p3@example.org")),
            try ParticipantRecord(id: 4, position: at, country: .nl, person: 10),
            try ParticipantRecord(
                id: 5, position: at, country: .nl, phone: try PhoneNumber("+31600000005"), person: 10),
            try ParticipantRecord(id: 6, position: at, country: .nl),
            // Row 20 belongs to person 21: its number is not person 20's.
            try ParticipantRecord(
                id: 20, position: at, country: .nl, phone: try PhoneNumber("+31600000020"), person: 21),
            try ParticipantRecord(id: 22, position: at, country: .nl, person: 20),
        ])
        let prefs = try s.registry.contactPreferences(ids: [1, 2, 3, 4, 5, 6, 20, 22])
        let expected: [Int64: (Bool, Bool)] = [
            1: (true, false), 2: (true, false), 3: (false, true), 4: (true, false), 5: (true, false),
            6: (false, false), 20: (true, false), 22: (false, false),
        ]
        for (id, (phone, email)) in expected {
            let p = try #require(prefs[id])
            #expect(p.hasPhone == phone && p.hasEmail == email, "participant \(id)")
            // The same answer as the phone lookup the SMS adapter uses.
            #expect(p.hasPhone == (try s.registry.phoneNumber(person: p.person) != nil), "participant \(id)")
        }
    }
}

@Suite struct PersonUpsertTests {
    @Test func libraryRegistrationsCarryThePersonAndCheckQuietHours() throws {
        let s = try Scratch()
        let at = SourcePoint(x: 155_000, y: 463_000, crs: .rdNew)
        _ = try s.registry.upsert([
            try ParticipantRecord(
                id: 5, position: at, country: .nl, quietHours: try QuietHours(parsing: "voice 22:00-07:00"), person: 9)
        ])
        #expect(try s.registry.contactPreferences(ids: [5])[5]?.person == 9)
        // Checked when the record is made, with the CSV import's sentence: nothing reaches upsert.
        #expect {
            try ParticipantRecord(id: 6, position: at, fields: ["country": "NL", "quiet_hours": "late"])
        } throws: { "\($0)".contains("field 'quiet_hours': 'late': 'late' is neither a channel") }
        #expect(throws: RegistryError.self) { try ParticipantRecord(id: 7, position: at, country: .nl, person: -1) }
        #expect(try s.registry.count() == 1)
    }
}
