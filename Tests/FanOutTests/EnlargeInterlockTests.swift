import Foundation
import Testing

@testable import FanOut
@testable import FanoutEngine
import Geo
@testable import GeoFormats
import Participants
import Selection
import ProviderAdapters
@testable import FanoutAreaTools
@testable import FanoutTesting
@testable import FanoutDesk
@testable import FanoutLab
import Synthetic

/// Enlargements go through the same confirmation threshold as starts, on the action's persons
/// after the enlargement; the desk plans them first and warns about an area that lists fewer
/// persons than the current one, or none of those already included.
@Suite struct EnlargeInterlockTests {
    static let config = DispatchConfig(confirmationThresholds: ["burglary": 100, "*": 10_000])

    @Test func anEnlargementPastTheThresholdIsRefusedUnconfirmedAndAddsNobody() async throws {
        let sms = RecordingProvider()
        let d = Dispatcher(config: Self.config, providers: [.sms: sms], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(60))
        // 60 included + 41 new = 101 > 100.
        let larger = Fixture.recipients(101)
        #expect {
            try d.enlarge(id, with: larger)
        } throws: { error in
            (error as? DispatchError)?.code == .confirmationRequired
                && "\(error)" == "enlarging action \(id) adds 41 persons to its 60: 101 is more than the 100 usual "
                    + "for a 'burglary' action; confirm explicitly to send"
        }
        let after = try d.status(id)
        #expect(after.included == 60 && after.areaVersions == 1)
        // Up to the threshold it needs no confirmation; past it, a confirmed one goes through.
        #expect(try d.enlarge(id, with: Fixture.recipients(100)) == 40)
        #expect(try d.enlarge(id, with: Fixture.recipients(150), confirmed: true) == 50)
        // An enlargement that adds nobody needs no confirmation, whatever the total.
        #expect(try d.enlarge(id, with: Fixture.recipients(150)) == 0)
        try await d.runUntilIdle()
        #expect(Set(sms.records.map(\.message.key.person)) == Set(1...150))
    }

    @Test func aConfirmedStartDoesNotConfirmTheEnlargement() throws {
        let d = Dispatcher(config: Self.config, providers: [.sms: RecordingProvider()], clock: VirtualClock())
        let id = try d.start(Fixture.request([.sms], confirmed: true), recipients: Fixture.recipients(444))
        #expect(throws: DispatchError.self) { try d.enlarge(id, with: Fixture.recipients(445)) }
        #expect(try d.status(id).included == 444)
    }

    @Test func theDeskPlansTheEnlargementAndWarnsAboutASmallerOrDisjointArea() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("enlarge-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let desk = try ActionDesk(
            db: dir.appendingPathComponent("ledger.sqlite").path, config: Self.config,
            providers: DeskProviders(simulation: .ideal(seed: 1)), clock: .virtual)
        let start = ActionDesk.plan(Fixture.request([.sms]), recipients: Fixture.recipients(80), config: Self.config)
        let id = try desk.start(start)

        let big = try desk.planEnlargement(id, with: Fixture.recipients(120))
        #expect(big.count == EnlargementCount(incidentType: "burglary", included: 80, listed: 120, alreadyIncluded: 80))
        #expect(big.count.adding == 40 && big.count.total == 120)
        #expect(big.threshold == 100 && big.needsConfirmation && big.warnings.isEmpty)
        #expect(throws: DispatchError.self) { try desk.enlarge(big) }
        #expect(try desk.dispatcher.status(id).included == 80)
        #expect(try !desk.planEnlargement(id, with: Fixture.recipients(120), confirmed: true).needsConfirmation)

        // 10 of the 80 and 5 new ones: fewer persons than the current area lists.
        let smaller = try desk.planEnlargement(id, with: Fixture.recipients(15, from: 71))
        #expect(smaller.warnings == [.smaller(listed: 15, current: 80)] && !smaller.needsConfirmation)
        // 90 persons none of whom is included yet: disjoint (and over the threshold).
        let elsewhere = try desk.planEnlargement(id, with: Fixture.recipients(90, from: 1000))
        #expect(elsewhere.warnings == [.disjoint(included: 80)] && elsewhere.needsConfirmation)
        #expect(try desk.enlarge(smaller) == 5)
        #expect(try desk.dispatcher.status(id).included == 85)
    }
}
