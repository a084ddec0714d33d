import Foundation
import Geo
import Participants
import Selection
import TestSupport
import Testing

@testable import FanOut
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct RecipientRegistryTests {
    @Test func aChannelPreferenceIsParsedInOrderAndAnUnknownChannelIsRefused() throws {
        #expect(try ChannelPreference(parsing: "voice,sms,email,app").channels == [.voice, .sms, .email, .app])
        #expect(try ChannelPreference(parsing: " SMS , app,sms").channels == [.sms, .app])
        #expect(throws: RegistryError.self) { try ChannelPreference(parsing: " SMS , fax,sms,app") }
        #expect(throws: RegistryError.self) { try ChannelPreference(parsing: "") }
    }

    @Test func selectionGetsEachParticipantsChannelsFromTheRegistry() async throws {
        let dir = try Fixtures.temporaryDirectory("fanout-prefs")
        let csv = dir.appendingPathComponent("p.csv")
        try """
        id,x,y,channels,opt_out,phone,email
        1,155000,463000,"sms,voice",,+31600000001,
        2,155100,463000,,bike-theft,+31600000002,p2@example.org
        3,155200,463000,voice,,+31600000003,
        5,155300,463000,sms,burglary,,
        """.write(to: csv, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("r.sqlite").path
        let registry = try Registry.open(at: path)
        _ = try registry.importCSV(csv, options: ImportOptions(crs: .rdNew, countries: .off))
        let selection = [3, 2, 1, 4].map { SelectedParticipant(id: $0, distanceMeters: 0, country: nil, row: 0) }
        let recipients = try RecipientSource.registry(registry).recipients(for: selection)
        #expect(recipients.map(\.id) == [3, 2, 1, 4])
        #expect(recipients.map(\.channels) == [[.voice], [], [.sms, .voice], []])
        #expect(recipients.map { $0.optOut?.description } == [nil, "bike-theft", nil, nil])
        #expect(recipients.map(\.noContact) == [[.email], [], [.email], []])  // 4 is not registered
        let optedOut = try RecipientSource.registry(registry).recipients(
            for: [SelectedParticipant(id: 5, distanceMeters: 0, country: nil, row: 0)])
        #expect(optedOut.first?.optOut?.covers("burglary") == true)
        #expect(optedOut.first?.noContact == [.voice, .sms, .email])
        // The ledger lives in the same file.
        let voice = RecordingProvider(callDuration: .seconds(1))
        let sms = RecordingProvider()
        let d = try Dispatcher(
            providers: [.voice: voice, .sms: sms], clock: VirtualClock(), ledger: try Ledger.open(at: path))
        _ = try d.start(Fixture.request([.voice, .sms]), recipients: recipients)
        try await d.runUntilIdle()
        #expect(voice.records.map(\.message.key.person) == [3, 2, 4])
        #expect(sms.records.map(\.message.key.person) == [1])
    }
}
