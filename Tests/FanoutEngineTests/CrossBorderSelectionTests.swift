import Foundation
import TestSupport
import Testing

@testable import FanoutEngine
import Geo
@testable import GeoFormats
import Participants
import Selection
import FanOut
import ProviderAdapters
@testable import FanoutAreaTools
import FanoutTesting
@testable import FanoutDesk
@testable import FanoutLab
import Synthetic

/// A participant placed by hand: where, the country it must get from the borders, and whether it
/// lies inside the test circle (every point is at least 30 m from a border and at least 60 m
/// from the circle's edge, so the hand classification is unambiguous).
struct HandPlaced: Sendable {
    var id: Int64
    var lon: Double
    var lat: Double
    var country: CountryCode
    var inside: Bool
}

/// Imports participants without a `country` column (so every country comes from the borders),
/// then selects circles that cross the border: nothing is clipped at it, and each participant
/// has the right country.
@Suite struct CrossBorderSelectionTests {
    /// Writes the participants as a CSV without countries, imports it and opens an engine.
    func engine(_ people: [HandPlaced]) throws -> Engine {
        let dir = try Fixtures.temporaryDirectory("crossborder")
        let csv = dir.appendingPathComponent("p.csv")
        let text = "id,lon,lat\n" + people.map { "\($0.id),\($0.lon),\($0.lat)\n" }.joined()
        try text.write(to: csv, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("r.sqlite").path
        let report = try Registry.open(at: db).importCSV(csv)
        #expect(report.countriesDerived == people.count && report.countriesUnknown == 0)
        return try Engine.open(registryAt: db)
    }

    /// The hand count: inside ids per country.
    func handCount(_ people: [HandPlaced]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for p in people where p.inside { counts[p.country.description, default: 0] += 1 }
        return counts
    }

    // MARK: - Baarle

    /// Around Baarle-Nassau: Belgian exclaves (H1 with a three-person household, H2 and four small
    /// ones), the Dutch counter-enclave inside H1, Dutch streets between them, and points beyond
    /// 3 km in both countries (the exclave at 51.407 N and the one west of the village).
    static let baarle: [HandPlaced] = [
        HandPlaced(id: 11, lon: 4.92701, lat: 51.43626, country: .be, inside: true),  // H1, 269 m from NL
        HandPlaced(id: 12, lon: 4.92701, lat: 51.43626, country: .be, inside: true),  // same household
        HandPlaced(id: 13, lon: 4.92701, lat: 51.43626, country: .be, inside: true),  // same household
        HandPlaced(id: 14, lon: 4.93908, lat: 51.44876, country: .be, inside: true),  // H2, 169 m
        HandPlaced(id: 15, lon: 4.94771, lat: 51.44459, country: .be, inside: true),  // exclave, 62 m
        HandPlaced(id: 16, lon: 4.92556, lat: 51.44582, country: .be, inside: true),  // exclave, 47 m
        HandPlaced(id: 17, lon: 4.93270, lat: 51.44748, country: .be, inside: true),  // exclave, 54 m
        HandPlaced(id: 18, lon: 4.93064, lat: 51.44951, country: .be, inside: true),  // exclave, 56 m
        HandPlaced(id: 21, lon: 4.92340, lat: 51.43890, country: .nl, inside: true),  // counter-enclave in H1, 76 m
        HandPlaced(id: 22, lon: 4.93000, lat: 51.44500, country: .nl, inside: true),  // between exclaves, 204 m
        HandPlaced(id: 23, lon: 4.95000, lat: 51.43000, country: .nl, inside: true),
        HandPlaced(id: 24, lon: 4.91000, lat: 51.45000, country: .nl, inside: true),
        HandPlaced(id: 25, lon: 4.90000, lat: 51.43000, country: .nl, inside: true),  // 2.36 km
        HandPlaced(id: 26, lon: 4.93000, lat: 51.41500, country: .nl, inside: true),  // 2.76 km
        HandPlaced(id: 27, lon: 4.97000, lat: 51.44000, country: .nl, inside: true),  // 2.78 km
        HandPlaced(id: 31, lon: 4.93000, lat: 51.41000, country: .nl, inside: false),  // 3.32 km
        HandPlaced(id: 32, lon: 4.93000, lat: 51.47600, country: .nl, inside: false),  // 3.98 km
        HandPlaced(id: 33, lon: 4.88000, lat: 51.43000, country: .nl, inside: false),  // 3.64 km
        HandPlaced(id: 34, lon: 4.89058, lat: 51.42422, country: .be, inside: false),  // exclave, 3.24 km
        HandPlaced(id: 35, lon: 4.93335, lat: 51.40704, country: .be, inside: false),  // exclave, 3.65 km
    ]

    /// Selects a 3 km circle around `center` from `people` and checks it against their hand
    /// placement: exactly those marked inside, each with its country, and the counts per country.
    func selectAndCheck(_ people: [HandPlaced], around center: LonLat) throws
        -> (engine: Engine, result: SelectionResult, counts: [String: Int])
    {
        let engine = try engine(people)
        let result = try engine.select(SelectionRequest(area: .circle(center: center, radiusMeters: 3_000)))
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
        #expect(Set(result.participants.map(\.id)) == Set(people.filter(\.inside).map(\.id)))
        for p in result.participants {
            #expect(p.country == byID[p.id]?.country, "participant \(p.id)")
        }
        let counts = Dictionary(uniqueKeysWithValues: result.countsByCountry.map { ($0.country, $0.count) })
        #expect(counts == handCount(people))
        return (engine, result, counts)
    }

    @Test func aCircleAroundBaarleNassauSelectsBothCountriesEachWithItsCountry() throws {
        let (engine, _, counts) = try selectAndCheck(Self.baarle, around: LonLat(lon: 4.93, lat: 51.44))
        #expect(counts == ["BE": 8, "NL": 7])
        // Restricting to Belgium keeps exactly the exclaves' participants.
        let be = try engine.select(
            SelectionRequest(
                area: .circle(center: LonLat(lon: 4.93, lat: 51.44), radiusMeters: 3_000), countries: [.be]))
        #expect(Set(be.participants.map(\.id)) == [11, 12, 13, 14, 15, 16, 17, 18])
    }

    // MARK: - Kerkrade

    /// Around Kerkrade: Herzogenrath and the German side of Nieuwstraat are inside the circle.
    static let kerkrade: [HandPlaced] = [
        HandPlaced(id: 1, lon: 6.0650, lat: 50.8655, country: .nl, inside: true),  // Kerkrade centre
        HandPlaced(id: 2, lon: 6.0752, lat: 50.8530, country: .nl, inside: true),  // Nieuwstraat, NL side
        HandPlaced(id: 3, lon: 6.0400, lat: 50.8700, country: .nl, inside: true),
        HandPlaced(id: 4, lon: 6.0762, lat: 50.8530, country: .de, inside: true),  // Neustraße, DE side
        HandPlaced(id: 5, lon: 6.0944, lat: 50.8707, country: .de, inside: true),  // Herzogenrath, 2.14 km
        HandPlaced(id: 6, lon: 6.0900, lat: 50.8600, country: .de, inside: true),
        HandPlaced(id: 7, lon: 6.1000, lat: 50.8800, country: .de, inside: true),  // 2.94 km
        HandPlaced(id: 8, lon: 6.1100, lat: 50.8500, country: .de, inside: false),  // 3.60 km
        HandPlaced(id: 9, lon: 6.1300, lat: 50.8700, country: .de, inside: false),  // 4.59 km
    ]

    @Test func aCircleAroundKerkradeReachesGermanParticipants() throws {
        let (_, result, counts) = try selectAndCheck(Self.kerkrade, around: LonLat(lon: 6.0650, lat: 50.8655))
        #expect(counts == ["DE": 4, "NL": 3])
        // Outside-in: the farthest participant (Germany, 2.94 km) is called first.
        #expect(result.participants.first?.id == 7)
    }
}
