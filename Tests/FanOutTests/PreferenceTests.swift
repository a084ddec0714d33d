import Foundation
import Participants
import Testing

@testable import FanOut
import Geo
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Person deduplication, quiet hours in Dutch local time, languages.
@Suite struct PreferenceTests {
    /// `yyyy-MM-ddTHH:mm:ssZ` as a date.
    static func utc(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text))
    }

    static func quiet(_ text: String) throws -> QuietHours { try QuietHours(parsing: text) }

    @Test func aPersonAtTwoAddressesIsAlertedOnceAtTheFirst() async throws {
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let people = [
            Recipient(id: 10, distanceMeters: 900, person: 5), Recipient(id: 11, distanceMeters: 800),
            Recipient(id: 12, distanceMeters: 700, person: 5),
        ]
        let id = try d.start(Fixture.request([.sms]), recipients: people)
        try await d.runUntilIdle()
        #expect(sms.records.map(\.message.key.person) == [5, 11])
        let s = try d.status(id)
        #expect(s.included == 2 && s.skipped == [.deduplicated: 1])
        let why = try d.explain(action: id, person: 12)
        #expect(why.events.map(\.event) == [.included, .skipped])  // person 5: included at 10, skipped at 12
        #expect(why.description.contains("skipped (deduplicated) in area version 1 as participant 12 at 700.0 m"))
        #expect(why.description.contains("same person as participant 10, included at 900.0 m"))
    }

    @Test func aPersonInTwoOverlappingActionsIsAlertedOncePerAction() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        let a = try d.start(Fixture.request([.sms]), recipients: [Recipient(id: 1, distanceMeters: 5, person: 9)])
        let b = try d.start(
            Fixture.request([.sms]),
            recipients: [
                Recipient(id: 2, distanceMeters: 5, person: 9), Recipient(id: 1, distanceMeters: 4, person: 9),
            ])
        try await d.runUntilIdle()
        #expect(
            sms.records.map(\.message.key) == [
                MessageKey(action: a, person: 9, kind: .alert), MessageKey(action: b, person: 9, kind: .alert),
            ])
    }

    @Test func anOptedOutPersonIsSkippedForThatIncidentTypeOnlyWithItsOwnReason() async throws {
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(providers: [.sms: sms], clock: VirtualClock(), ledger: ledger)
        let burglaryOnly = try OptOut(parsing: "burglary,bike-theft")
        let people = [
            Recipient(id: 1, distanceMeters: 900, optOut: burglaryOnly),
            Recipient(id: 2, distanceMeters: 800, optOut: .everything),
            Recipient(id: 3, distanceMeters: 700, optOut: try OptOut(parsing: "missing-child")),
            Recipient(id: 4, distanceMeters: 600),
            // Person 1's second address: the person was skipped once, not twice.
            Recipient(id: 5, distanceMeters: 500, person: 1, optOut: burglaryOnly),
        ]
        let burglary = try d.start(Fixture.request([.sms], type: "burglary"), recipients: people)
        let child = try d.start(Fixture.request([.sms], type: "missing-child"), recipients: people)
        try await d.runUntilIdle()
        let byAction = Dictionary(grouping: sms.records.map(\.message.key), by: \.action)
        #expect(byAction[burglary]?.map(\.person) == [3, 4])
        #expect(byAction[child]?.map(\.person) == [1, 4])
        #expect(try d.status(burglary).skipped == [.optedOut: 2])
        // Missing child: persons 2 (all) and 3 opted out; person 1 is alerted at address 1, so
        // address 5 is a repeat of the person.
        #expect(try d.status(child).skipped == [.optedOut: 2, .deduplicated: 1])
        // An enlargement applies the opt-out to the persons it adds.
        _ = try d.enlarge(
            burglary, with: [Recipient(id: 6, distanceMeters: 1200, optOut: try OptOut(parsing: "burglary"))])
        try await d.runUntilIdle()
        #expect(try d.status(burglary).skipped == [.optedOut: 3])
        let one = try d.explain(action: burglary, person: 1).description
        #expect(one.contains("skipped (opted-out) in area version 1 as participant 1 at 900.0 m"), "\(one)")
        #expect(one.contains("the person opted out of burglary alerts (opt_out: bike-theft,burglary)"))
        #expect(try d.explain(action: burglary, person: 1).events.map(\.event) == [.skipped])
        #expect(try d.explain(action: burglary, person: 2).description.contains("opted out of all alerts"))
        #expect(try d.explain(action: burglary, person: 6).description.contains("in area version 2"))
        #expect(try d.explain(action: child, person: 1).events.map(\.event) == [.included, .skipped])
    }

    @Test func channelsWithoutContactDataAreNeitherTriedNorFallenBackTo() async throws {
        let voice = RecordingProvider { _ in ProviderOutcome(.noAnswer, after: .seconds(20)) }
        let sms = RecordingProvider { _ in ProviderOutcome(.failed, after: .seconds(1)) }
        let email = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 1, fallback: true))
        let d = try Dispatcher(
            config: config, providers: [.voice: voice, .sms: sms, .email: email], clock: VirtualClock(),
            ledger: ledger)
        let people = [
            // No e-mail address: voice, then SMS, and no fallback to e-mail.
            Recipient(id: 1, distanceMeters: 30, channels: [.voice, .sms, .email], noContact: [.email]),
            // No phone number: straight to e-mail.
            Recipient(id: 2, distanceMeters: 20, channels: [.voice, .sms, .email], noContact: [.voice, .sms]),
            // Nothing registered: skipped.
            Recipient(id: 3, distanceMeters: 10, noContact: [.voice, .sms, .email]),
        ]
        let id = try d.start(Fixture.request([.voice, .sms, .email]), recipients: people)
        try await d.runUntilIdle()
        #expect(voice.records.map(\.message.key.person) == [1])
        #expect(sms.records.map(\.message.key.person) == [1])
        #expect(email.records.map(\.message.key.person) == [2])
        let s = try d.status(id)
        #expect(s.skipped == [.noChannel: 1])
        #expect(s.alerts == [.failed: 1, .delivered: 1])
        let three = try d.explain(action: id, person: 3).description
        #expect(three.contains("skipped (no-channel)"), "\(three)")
        #expect(three.contains("no contact data for voice, sms, email"), "\(three)")
        let one = try d.explain(action: id, person: 1)
        #expect(one.events.map(\.event) == [.included, .fallback, .gaveUp])
        // The planner counts nobody it would skip.
        let estimate = Planner.estimate(Fixture.request([.voice, .sms, .email]), recipients: people, config: config)
        #expect(estimate.perChannel.keys.sorted() == [.voice, .email])
    }

    /// Hand-computed Dutch local time: CET (UTC+1) in winter, CEST (UTC+2) from the last Sunday of
    /// March to the last Sunday of October.
    @Test(arguments: [
        ("2026-01-15T22:30:00Z", 23 * 60 + 30),  // CET
        ("2026-07-15T21:30:00Z", 23 * 60 + 30),  // CEST
        ("2026-03-29T00:59:00Z", 1 * 60 + 59),  // just before the change: 01:59 CET
        ("2026-03-29T01:00:00Z", 3 * 60),  // 03:00 CEST
        ("2026-10-25T00:59:00Z", 2 * 60 + 59),  // 02:59 CEST
        ("2026-10-25T01:00:00Z", 2 * 60),  // 02:00 CET again
    ])
    func quietHoursAreEvaluatedInAmsterdamTime(instant: String, minute: Int) throws {
        let d = Dispatcher(
            providers: [.sms: RecordingProvider()], clock: VirtualClock(start: .seconds(100)),
            options: DispatchOptions(wallClockAtZero: try Self.utc(instant).addingTimeInterval(-100)))
        #expect(try d.withCore { $0.localMinute(at: .seconds(100)) } == minute)
    }

    @Test func quietChannelsAreSkippedForTheNextPreferredOneOrThePersonIsSkipped() async throws {
        let voice = RecordingProvider(callDuration: .seconds(1))
        let sms = RecordingProvider()
        let ledger = try LedgerResumeTests.ledger()
        // 23:30 in Amsterdam (22:30 UTC in January).
        let d = try Dispatcher(
            providers: [.voice: voice, .sms: sms], clock: VirtualClock(), ledger: ledger,
            options: DispatchOptions(wallClockAtZero: try Self.utc("2026-01-15T22:30:00Z")))
        let prefs: [Channel] = [.voice, .sms]
        let people = [
            Recipient(id: 1, distanceMeters: 6, channels: prefs, quietHours: try Self.quiet("voice 22:00-08:00")),
            Recipient(id: 2, distanceMeters: 5, channels: prefs, quietHours: try Self.quiet("23:00-07:00")),
            Recipient(
                id: 3, distanceMeters: 4, channels: prefs,
                quietHours: try Self.quiet("23:00-07:00 except missing-child")),
            Recipient(id: 4, distanceMeters: 3, channels: prefs, quietHours: try Self.quiet("08:00-23:00")),
            Recipient(id: 5, distanceMeters: 2, channels: prefs, quietHours: try Self.quiet("sms 00:00-00:00")),
        ]
        let theft = try d.start(Fixture.request([.voice, .sms], type: "bike-theft"), recipients: people)
        let child = try d.start(Fixture.request([.voice, .sms], type: "missing-child"), recipients: people)
        try await d.runUntilIdle()
        func calls(_ a: ActionID, _ p: RecordingProvider) -> [Int64] {
            p.records.filter { $0.message.key.action == a }.map(\.message.key.person)
        }
        // Bike theft: 1 by SMS (voice quiet), 2 skipped (all quiet), 3 skipped (the exception is
        // for missing children), 4 and 5 by voice (4's quiet hours end at 23:00; 5 never by SMS).
        #expect(calls(theft, voice) == [4, 5])
        #expect(calls(theft, sms) == [1])
        #expect(try d.status(theft).skipped == [.quietHours: 2])
        // Missing child: 3's quiet hours do not hold, 2's do.
        #expect(calls(child, voice) == [3, 4, 5])
        #expect(calls(child, sms) == [1])
        let why = try d.explain(action: theft, person: 2)
        #expect(!why.included)
        #expect(why.events.first?.reason == .quietHours)
        #expect(why.description.contains("quiet hours (23:00-07:00) at 23:30 local time"))
    }

    @Test func eachPersonGetsTheTextInTheirLanguageOrTheDefault() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms], clock: VirtualClock())
        var request = Fixture.request([.sms])
        request.message = "Let op: rode bestelbus"
        request.texts = ["fr": "Attention : camionnette rouge", "de": "Achtung: roter Lieferwagen"]
        let people = [
            Recipient(id: 1, distanceMeters: 4, language: .fr), Recipient(id: 2, distanceMeters: 3, language: .de),
            Recipient(id: 3, distanceMeters: 2, language: try Language(parsing: "en")),
            Recipient(id: 4, distanceMeters: 1),
        ]
        let id = try d.start(request, recipients: people)
        try await d.runUntilIdle()
        #expect(
            sms.records.map(\.message.text) == [
                "Attention : camionnette rouge", "Achtung: roter Lieferwagen", "Let op: rode bestelbus",
                "Let op: rode bestelbus",
            ])
        #expect(sms.records.map(\.message.language) == ["fr", "de", "en", nil])
        try await d.end(id, result: "Aangehouden", texts: ["de": "Festgenommen"])
        try await d.runUntilIdle()
        #expect(
            sms.records.suffix(4).map(\.message.text) == ["Aangehouden", "Festgenommen", "Aangehouden", "Aangehouden"])
    }

    @Test func anEmptyTextForALanguageIsRefused() {
        let d = Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock())
        var request = Fixture.request([.sms])
        request.texts = ["fr": " "]
        #expect {
            try d.start(request, recipients: Fixture.recipients(1))
        } throws: { "\($0)".contains("text for language 'fr' is empty") }
    }

    @Test func quietHoursTextParsesAndRefusesWithReasons() throws {
        let q = try Self.quiet("voice 22:00-08:00; sms,app 23:00-07:00 except missing-child,abduction")
        #expect(q.description == "voice 22:00-08:00; sms,app 23:00-07:00 except missing-child,abduction")
        #expect(q.isQuiet(channel: .voice, incidentType: "x", minute: 22 * 60))
        #expect(!q.isQuiet(channel: .voice, incidentType: "x", minute: 8 * 60))
        #expect(!q.isQuiet(channel: .email, incidentType: "x", minute: 0))
        #expect(!q.isQuiet(channel: .sms, incidentType: "abduction", minute: 0))
        for (bad, reason) in [
            ("25:00-07:00", "'25:00-07:00' is not a time range"), ("fax 22:00-07:00", "'fax' is neither a channel"),
            ("voice", "missing the time range"), ("22:00-07:00 unless x", "expected 'except TYPE"),
            ("22:00-07:00;", "rule 2 '': empty rule"),
        ] {
            #expect {
                try QuietHours(parsing: bad)
            } throws: { "\($0)".contains(reason) }
        }
    }
}
