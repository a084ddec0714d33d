import FanoutEngine
import Foundation
import GRDB
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
@testable import FanoutTesting

/// The append-only audit and `explain`.
@Suite struct AuditTests {
    @Test func explainTellsAreaVersionsInclusionRetriesAndTheOutcome() async throws {
        let voice = RecordingProvider { m in
            m.attempt == 1
                ? ProviderOutcome(.busy, after: .seconds(10)) : ProviderOutcome(.delivered, after: .seconds(40))
        }
        let ledger = try LedgerResumeTests.ledger()
        let config = DispatchConfig(retry: .init(attemptsPerChannel: 2, backoffSeconds: 60))
        let clock = VirtualClock()
        let d = try Dispatcher(config: config, providers: [.voice: voice], clock: clock, ledger: ledger)
        let small = "POLYGON((155000 463000, 156000 463000, 156000 464000, 155000 463000))"
        let id = try d.start(
            Fixture.request([.voice]), recipients: Fixture.recipients(2),
            area: AreaRecord(geometry: small, registryGeneration: 17))
        clock.advance(to: .seconds(5))
        try d.advance(to: clock.now)
        let added = try d.enlarge(
            id, with: Fixture.recipients(3, from: 1) + [Recipient(id: 42, distanceMeters: 1530.25)],
            area: AreaRecord(geometry: nil, registryGeneration: 18))
        #expect(added == 2)
        try await d.runUntilIdle()
        let why = try d.explain(action: id, person: 42)
        #expect(why.areas.map(\.version) == [1, 2])
        #expect(why.areas.map(\.registryGeneration) == [17, 18])
        #expect(why.areas[0].geometry == small)
        #expect(why.areas.map(\.added) == [2, 2] && why.areas.map(\.recipients) == [2, 4])
        #expect(why.events.map(\.event) == [.included, .retry])
        #expect(why.alert?.state == .delivered && why.alert?.attempt == 2)
        // Person 42 called at 5 s, busy at 15 s, again at 75 s, answered at 115 s.
        #expect(
            why.description == """
                action \(id) (burglary, running), person 42
                area version 1 at T+0 s: 2 persons listed, 2 new; registry generation 17; area \(small)
                area version 2 at T+5 s: 4 persons listed, 2 new; registry generation 18
                T+5 s: included from area version 2 as participant 42 at 1530.2 m, channel voice
                T+15 s: attempt 1 on voice: busy; retry, attempt 2 on voice after 60 s
                alert: delivered on voice, attempt 2, at T+115 s
                """)
        let none = try d.explain(action: id, person: 999)
        #expect(!none.included && none.alert == nil)
        #expect(none.description.contains("not listed in any area version of this action"))
        #expect(throws: DispatchError.self) { try d.explain(action: ActionID(rawValue: 77), person: 1) }
    }

    @Test func theAuditIsAppendOnly() async throws {
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        _ = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(3))
        try await d.runUntilIdle()
        let db = try DatabaseQueue(path: ledger.path)
        let rows = try await db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM dispatch_audit") }
        #expect(rows == 3)
        for sql in [
            "UPDATE dispatch_audit SET channel = 'email'", "DELETE FROM dispatch_audit",
            "UPDATE dispatch_area SET registry_generation = 0", "DELETE FROM dispatch_area",
        ] {
            #expect {
                try db.write { try $0.execute(sql: sql) }
            } throws: { "\($0)".contains("append-only") }
        }
    }

    /// From a registry with phone numbers and e-mail addresses: they appear nowhere in the
    /// explanation, and the person column deduplicates two addresses.
    @Test func explanationsFromARegistryHoldNoPhoneOrEmail() async throws {
        let dir = try Fixtures.temporaryDirectory("fanout-audit")
        let csv = dir.appendingPathComponent("p.csv")
        try """
        id,x,y,phone,email,person,language,quiet_hours
        1,155000,463500,+31 6 1234 5678,anna@example.org,,nl,
        2,155000,463300,+31 6 8765 4321,anna@example.org,1,nl,
        3,155000,463200,0612345670,bert@example.net,,fr,"email 00:00-00:00"
        """.write(to: csv, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("r.sqlite").path
        let registry = try Registry.open(at: path)
        _ = try registry.importCSV(csv, options: ImportOptions(crs: .rdNew, countries: .off))
        let engine = try Engine.open(registryAt: path)
        // RD New's origin, Amersfoort: 155000, 463000 is 52.15517440 N, 5.38720621 E by definition.
        let amersfoort = LonLat(lon: 5.38720621, lat: 52.15517440)
        let selection = try engine.select(SelectionRequest(area: .circle(center: amersfoort, radiusMeters: 1000)))
        #expect(selection.participants.map(\.id) == [1, 2, 3])
        let mail = RecordingProvider()
        let d = try Dispatcher(providers: [.email: mail], clock: VirtualClock(), ledger: try Ledger.open(at: path))
        let request = ActionRequest(
            incidentPoint: Fixture.point, incidentType: "prevention", urgency: .low, message: "Inbraakgolf",
            texts: ["fr": "Vague de cambriolages"])
        let id = try await d.start(request, selection: selection, recipients: .registry(registry))
        try await d.runUntilIdle()
        #expect(mail.records.map(\.message.key.person) == [1])  // 2 is person 1; 3 never by e-mail
        let status = try d.status(id)
        #expect(status.skipped == [.deduplicated: 1, .quietHours: 1])
        for asked: Int64 in [1, 2, 3] {
            let text = try d.explain(action: id, person: asked).description
            for secret in ["1234", "8765", "0612345670", "anna", "bert", "@"] { #expect(!text.contains(secret)) }
        }
    }
}
