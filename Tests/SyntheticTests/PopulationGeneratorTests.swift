import FanoutLab
import Foundation
import Geo
import Synthetic
import Testing

/// One shared population of 50 000 participants for the distribution tests.
enum Sample {
    static let count = 50_000
    static let places: [Place] = (try? PlaceTable.load()) ?? []
    static let participants: [SyntheticParticipant] = {
        var rows: [SyntheticParticipant] = []
        rows.reserveCapacity(count)
        PopulationGenerator(places: places, countries: Borders.lookup, seed: 42).generate(count: count) {
            rows.append($0)
        }
        return rows
    }()
}

/// Equirectangular distance in kilometres, good to well under 1% over tens of kilometres.
func distanceKm(lon1: Double, lat1: Double, lon2: Double, lat2: Double) -> Double {
    let kmPerDegree = 6_371.0088 * Double.pi / 180
    let dx = (lon2 - lon1) * cos((lat1 + lat2) / 2 * .pi / 180) * kmPerDegree
    let dy = (lat2 - lat1) * kmPerDegree
    return (dx * dx + dy * dy).squareRoot()
}

@Suite struct PopulationGeneratorTests {
    @Test func sameSeedGivesTheSameParticipantsAndAnotherSeedDoesNot() throws {
        let places = try PlaceTable.load()
        func run(_ seed: UInt64) -> [SyntheticParticipant] {
            var rows: [SyntheticParticipant] = []
            PopulationGenerator(places: places, countries: Borders.lookup, seed: seed).generate(count: 2_000) {
                rows.append($0)
            }
            return rows
        }
        #expect(run(7) == run(7))
        #expect(run(7) != run(8))
    }

    @Test func idsArePositiveUniqueAPermutationOfOneThroughNAndNotInRowOrder() {
        let ids = Sample.participants.map(\.id)
        #expect(ids.sorted() == Array(1...Int64(Sample.count)))
        let inPlace = zip(ids, 1...Int64(Sample.count)).filter { $0 == $1 }.count
        #expect(inPlace < 100)
        let ascendingSteps = zip(ids, ids.dropFirst()).filter { $0 < $1 }.count
        #expect(abs(Double(ascendingSteps) / Double(Sample.count) - 0.5) < 0.05)
    }

    @Test(arguments: [0, 1, 2, 3, 5, 64, 65, 1_000, 4_097])
    func idsAreAPermutationForSmallCounts(count: Int) throws {
        var ids: [Int64] = []
        PopulationGenerator(places: try PlaceTable.load(), countries: Borders.lookup, seed: 3).generate(count: count) {
            ids.append($0.id)
        }
        #expect(ids.sorted() == (0..<count).map { Int64($0) + 1 })
    }

    @Test func aboutThreePercentLiveAcrossTheBorder() {
        let foreign = Sample.participants.filter { $0.country != "NL" }
        let share = Double(foreign.count) / Double(Sample.count)
        #expect((0.02...0.04).contains(share), "cross-border share \(share)")
        #expect(Set(foreign.map(\.country)) == ["BE", "DE"])
    }

    @Test func aFifthToAThirdShareTheAddressOfThePreviousParticipant() {
        let rows = Sample.participants
        let shared = zip(rows, rows.dropFirst()).filter { $0.lon == $1.lon && $0.lat == $1.lat }.count
        let share = Double(shared) / Double(Sample.count)
        #expect((0.20...0.30).contains(share), "household share \(share)")
        // Households have at most 4 persons.
        var run = 1
        var longest = 1
        for (a, b) in zip(rows, rows.dropFirst()) {
            run = (a.lon == b.lon && a.lat == b.lat) ? run + 1 : 1
            longest = max(longest, run)
        }
        #expect(longest <= 4)
    }

    @Test func everyParticipantLivesWithinTwelveKilometresOfAPlace() {
        // Grid of places in 0.25 degree cells; 12 km is below 0.25 degrees in both axes.
        struct Cell: Hashable { let x: Int, y: Int }
        var grid: [Cell: [Place]] = [:]
        for place in Sample.places {
            grid[Cell(x: Int((place.lon * 4).rounded(.down)), y: Int((place.lat * 4).rounded(.down))), default: []]
                .append(place)
        }
        var farthest = 0.0
        for p in Sample.participants {
            let x = Int((p.lon * 4).rounded(.down))
            let y = Int((p.lat * 4).rounded(.down))
            var nearest = Double.infinity
            for dx in -1...1 {
                for dy in -1...1 {
                    for place in grid[Cell(x: x + dx, y: y + dy)] ?? [] {
                        nearest = min(nearest, distanceKm(lon1: p.lon, lat1: p.lat, lon2: place.lon, lat2: place.lat))
                    }
                }
            }
            farthest = max(farthest, nearest)
        }
        #expect(farthest <= 12.1, "farthest participant is \(farthest) km from a place")
    }

    /// Every participant's country is its position's, by an oracle independent of the lookup.
    ///
    /// The oracle is the import's ``CountryLocator``: GEOS point-in-polygon tests in RD New. Only a
    /// position within centimetres of a border may differ.
    @Test func everyParticipantHasTheCountryItsPositionLiesIn() throws {
        _ = try Borders.loaded.get()
        let converter = try CoordinateConverter()
        let locator = try CountryLocator(borders: try CountryBorders.load(converter: converter))
        let rows = Sample.participants
        var xs = rows.map(\.lon)
        var ys = rows.map(\.lat)
        try converter.toRD(xs: &xs, ys: &ys, from: .wgs84)
        var wrong: [String] = []
        var crossed = 0
        for (i, p) in rows.enumerated() {
            let rd = RDPoint(x: xs[i], y: ys[i])
            let lies = try locator.country(at: rd)
            #expect(lies.country != nil, "participant \(p.id) at \(p.lon),\(p.lat) lies outside NL, BE and DE")
            if lies.onBorder { crossed += 1 }
            guard lies.country?.description != p.country else { continue }
            let nearest = try locator.distanceToBoundary(from: rd, of: lies.country ?? .nl) ?? .infinity
            if nearest >= 0.05 { wrong.append("\(p.id) at \(p.lon),\(p.lat): \(p.country), lies in \(lies)") }
        }
        #expect(
            wrong.isEmpty, "\(wrong.count) participants with another country than their position's: \(wrong.prefix(5))")
        print(
            "generator countries: \(rows.count) participants, \(crossed) within 25 m of a border, \(wrong.count) wrong")
    }

    /// Greenwich lies outside NL, BE and DE: every draw around it is outside every country the
    /// lookup knows, so after ``PopulationGenerator/maxDraws`` draws each household lives at the
    /// place, with the place's country.
    @Test func aPlaceOutsideEveryCountryKeepsItsHouseholdsAtThePlace() throws {
        _ = try Borders.loaded.get()
        let places = [Place(name: "Greenwich", country: "GB", lon: -0.0005, lat: 51.4779, population: 0)]
        var rows: [SyntheticParticipant] = []
        PopulationGenerator(places: places, countries: Borders.lookup, seed: 1).generate(count: 500) {
            rows.append($0)
        }
        #expect(rows.count == 500)
        #expect(rows.allSatisfy { $0.lon == -0.0005 && $0.lat == 51.4779 && $0.country == "GB" })
    }

    /// A household drawn outside every country the lookup knows is drawn again: with a lookup
    /// that knows only the east half around the place, about half the draws fail, and (almost)
    /// every household still lands in the east half rather than at the place.
    @Test func positionsOutsideEveryCountryAreDrawnAgain() {
        let places = [Place(name: "De Cocksdorp", country: "NL", lon: 4.8556, lat: 53.1563, population: 1_000)]
        let eastOnly = CountryOfPosition(codes: ["NL"]) { lon, _ in lon >= 4.8556 ? 0 : nil }
        var rows: [SyntheticParticipant] = []
        PopulationGenerator(places: places, countries: eastOnly, seed: 3).generate(count: 2_000) { rows.append($0) }
        #expect(rows.allSatisfy { $0.lon >= 4.8556 && $0.country == "NL" })
        #expect(rows.filter { $0.lon > 4.8556 }.count > 1_900, "households were not drawn again but put at the place")
    }

    @Test func threeToTenPercentLiveWithinFifteenKilometresOfTheDam() {
        let near = Sample.participants.filter {
            distanceKm(lon1: 4.8930, lat1: 52.3731, lon2: $0.lon, lat2: $0.lat) <= 15
        }.count
        let share = Double(near) / Double(Sample.count)
        #expect((0.03...0.10).contains(share), "Amsterdam share \(share)")
    }

    @Test func contactDetailsLookRight() {
        let rows = Sample.participants
        #expect(
            rows.allSatisfy {
                $0.phone.hasPrefix("+316") && $0.phone.count == 12 && $0.phone.dropFirst().allSatisfy(\.isNumber)
            })
        let emailShare = Double(rows.filter { $0.email != nil }.count) / Double(rows.count)
        #expect((0.57...0.63).contains(emailShare))
        let domains = ["NL": "@example.nl", "BE": "@example.be", "DE": "@example.de"]
        #expect(rows.allSatisfy { row in row.email.map { $0 == "p\(row.id)\(domains[row.country] ?? "?")" } ?? true })
        #expect(rows.filter { $0.country == "NL" }.allSatisfy { $0.language == "nl" })
        #expect(rows.filter { $0.country == "DE" }.allSatisfy { $0.language == "de" })
        let belgian = rows.filter { $0.country == "BE" }
        #expect(belgian.allSatisfy { ["nl", "fr", "de"].contains($0.language) })
        #expect(belgian.filter { $0.language == "nl" || $0.language == "fr" }.count * 10 >= belgian.count * 9)
        #expect(
            rows.allSatisfy { ($0.lon * 1e6).rounded() / 1e6 == $0.lon && ($0.lat * 1e6).rounded() / 1e6 == $0.lat })
    }

    @Test func foreignWeightIsScaledWhenOnlyFewForeignPlacesExist() {
        let places = [
            Place(name: "Big", country: "NL", lon: 5, lat: 52, population: 1_000_000),
            Place(name: "Small", country: "BE", lon: 4, lat: 51, population: 1_000_000),
        ]
        var foreign = 0
        PopulationGenerator(places: places, countries: Borders.lookup, seed: 1).generate(count: 20_000) {
            if $0.country == "BE" { foreign += 1 }
        }
        #expect((0.02...0.04).contains(Double(foreign) / 20_000))
    }
}
