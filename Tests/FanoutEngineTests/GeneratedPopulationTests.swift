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

/// Selection through the public engine API on a population from the real generator, checked
/// against the brute-force scan: circles given in lon/lat, polygons in GeoJSON.
@Suite struct GeneratedPopulationTests {
    static func engine() throws -> Engine {
        var lons: [Double] = []
        var lats: [Double] = []
        var people: [SyntheticParticipant] = []
        PopulationGenerator(places: try PlaceTable.load(), countries: try .borders(), seed: 99).generate(count: 25_000)
        { p in
            people.append(p)
            lons.append(p.lon)
            lats.append(p.lat)
        }
        var xs = lons
        var ys = lats
        try CoordinateConverter().toRD(xs: &xs, ys: &ys, from: .wgs84)
        var columns = ParticipantColumns()
        for (i, p) in people.enumerated() {
            columns.append(
                id: p.id, x: xs[i], y: ys[i], country: CountryCode(p.country))
        }
        return try Engine(columns: columns)
    }

    @Test func circlesAroundRealPlacesEqualBruteForce() throws {
        let engine = try Self.engine()
        let places = try PlaceTable.load()
        var rng = SeededRandom(seed: 3)
        var selected = 0
        var crossBorder = 0
        for _ in 0..<150 {
            let place = places[Int.random(in: 0..<places.count, using: &rng)]
            let request = SelectionRequest(
                area: .circle(
                    center: LonLat(lon: place.lon, lat: place.lat),
                    radiusMeters: Double.random(in: 100...30_000, using: &rng)))
            let got = try engine.select(request)
            let want = try engine.selectByBruteForce(request)
            #expect(got.participants == want.participants, "circle around \(place.name)")
            selected += got.participants.count
            crossBorder += got.participants.filter { $0.country != .nl }.count
        }
        #expect(selected > 20_000)
        #expect(crossBorder > 100, "some circles reach across the border")
    }

    @Test func polygonsFromGeoJSONEqualBruteForce() throws {
        let engine = try Self.engine()
        var rng = SeededRandom(seed: 4)
        for n in 0..<60 {
            let lon = Double.random(in: 4.0...6.5, using: &rng)
            let lat = Double.random(in: 51.3...52.9, using: &rng)
            let size = Double.random(in: 0.02...0.3, using: &rng)
            // A concave "L" hexagon, counter-clockwise.
            let ring = [
                (lon, lat), (lon + size, lat), (lon + size, lat + size / 2), (lon + size / 2, lat + size / 2),
                (lon + size / 2, lat + size), (lon, lat + size), (lon, lat),
            ].map { "[\($0.0),\($0.1)]" }.joined(separator: ",")
            let json = #"{"type":"Polygon","coordinates":[["# + ring + "]]}"
            let area = try AreaReader.parseGeoJSON(Data(json.utf8), name: "L\(n)")
            let request = SelectionRequest(
                area: .polygon(area), incident: n % 2 == 0 ? LonLat(lon: lon, lat: lat) : nil)
            let got = try engine.select(request)
            let want = try engine.selectByBruteForce(request)
            #expect(got.participants == want.participants, "polygon \(n)")
            #expect(got.incidentSource == (n % 2 == 0 ? .given : .centroid))
        }
    }
}
