import Foundation
import GeoTestSupport
import Testing

@testable import Geo

/// The borders file, loaded once for the whole test process (a `Sendable` value).
let sharedBorders: Result<CountryBorders, any Error> = Result {
    try CountryBorders.load(converter: try CoordinateConverter())
}

/// A place for the table tests: where it is and what the locator must say.
struct BorderPlace: CustomTestStringConvertible, Sendable {
    var name: String
    var lon: Double
    var lat: Double
    var country: CountryCode?
    /// The expected `onBorder`.
    var onBorder: Bool

    var testDescription: String { name }
}

@Suite struct CountryLocatorTests {
    let borders: CountryBorders
    let converter: CoordinateConverter
    let locator: CountryLocator

    init() throws {
        borders = try sharedBorders.get()
        converter = try CoordinateConverter()
        locator = try CountryLocator(borders: borders)
    }

    func rd(_ lon: Double, _ lat: Double) throws -> RDPoint { try converter.toRD(LonLat(lon: lon, lat: lat)) }

    // MARK: - Real places

    /// Points chosen clear of any border (distances from the borders file), except where said.
    static let places: [BorderPlace] = [
        // Baarle-Hertog / Baarle-Nassau: Belgian exclaves inside the Netherlands, and a Dutch
        // counter-enclave inside the largest Belgian exclave.
        BorderPlace(
            name: "Baarle-Hertog, inside BE exclave H1 (269 m from NL)", lon: 4.92701, lat: 51.43626, country: .be,
            onBorder: false),
        BorderPlace(
            name: "Baarle-Hertog, inside BE exclave H2 (169 m from NL)", lon: 4.93908, lat: 51.44876, country: .be,
            onBorder: false),
        BorderPlace(
            name: "Baarle-Nassau, NL counter-enclave inside H1 (76 m from BE)", lon: 4.92340, lat: 51.43890,
            country: .nl, onBorder: false),
        BorderPlace(
            name: "Baarle-Nassau, between the exclaves (204 m from BE)", lon: 4.9300, lat: 51.4450, country: .nl,
            onBorder: false),
        BorderPlace(name: "Maastricht, Vrijthof", lon: 5.6909, lat: 50.8514, country: .nl, onBorder: false),
        BorderPlace(name: "Lanaken", lon: 5.6469, lat: 50.8927, country: .be, onBorder: false),
        BorderPlace(name: "Vaals", lon: 6.0186, lat: 50.7717, country: .nl, onBorder: false),
        BorderPlace(name: "Aachen", lon: 6.0839, lat: 50.7753, country: .de, onBorder: false),
        BorderPlace(name: "Kerkrade", lon: 6.0650, lat: 50.8655, country: .nl, onBorder: false),
        BorderPlace(name: "Herzogenrath", lon: 6.0944, lat: 50.8707, country: .de, onBorder: false),
        BorderPlace(name: "Enschede", lon: 6.8937, lat: 52.2215, country: .nl, onBorder: false),
        BorderPlace(name: "Gronau", lon: 7.0417, lat: 52.2125, country: .de, onBorder: false),
        BorderPlace(name: "Amsterdam, Dam", lon: 4.8930, lat: 52.3731, country: .nl, onBorder: false),
        BorderPlace(name: "Antwerpen", lon: 4.4025, lat: 51.2194, country: .be, onBorder: false),
        BorderPlace(
            name: "Mützenich, German Vennbahn enclave in Belgium", lon: 6.2175, lat: 50.5641, country: .de,
            onBorder: false),
        // The Ems-Dollart: both NL and DE claim it; NL by precedence, and on a border.
        BorderPlace(
            name: "Ems-Dollart, in both the NL and the DE territory", lon: 6.701186, lat: 53.527410, country: .nl,
            onBorder: true),
        BorderPlace(name: "Paris, outside every territory", lon: 2.3522, lat: 48.8566, country: nil, onBorder: false),
        BorderPlace(
            name: "North Sea beyond the territorial waters", lon: 3.3, lat: 53.0, country: nil, onBorder: false),
        BorderPlace(name: "Luxembourg", lon: 6.1296, lat: 49.6116, country: nil, onBorder: false),
    ]

    @Test(arguments: places)
    func placesLieInTheirCountry(_ place: BorderPlace) throws {
        let answer = try locator.country(at: try rd(place.lon, place.lat))
        #expect(answer == CountryLocation(country: place.country, onBorder: place.onBorder))
    }

    @Test func theMützenichEnclaveIsAHoleInBelgium() throws {
        let p = try rd(6.2175, 50.5641)
        #expect(try locator.distance(from: p, to: .de) == 0)
        #expect(try #require(try locator.distance(from: p, to: .be)) > 25)
    }

    /// In Kerkrade/Herzogenrath the border runs along the middle of Nieuwstraat/Neustraße.
    @Test func kerkradeNieuwstraatHasNLOnOneSideAndDEOnTheOther() throws {
        // The street runs from 6.07417 E 50.84654 N to 6.07725 E 50.86066 N.
        let west = try rd(6.0752, 50.8530)
        let east = try rd(6.0762, 50.8530)
        #expect(try locator.country(at: west).country == .nl)
        #expect(try locator.country(at: east).country == .de)
        let westToDE = try #require(try locator.distance(from: west, to: .de))
        let eastToNL = try #require(try locator.distance(from: east, to: .nl))
        print("Kerkrade Nieuwstraat: west point \(westToDE) m from DE, east point \(eastToNL) m from NL")
        #expect((15...60).contains(westToDE) && (15...60).contains(eastToNL))
        // onBorder exactly when the point is within the tolerance of the street's border.
        #expect(try locator.country(at: west).onBorder == (westToDE <= CountryLocator.toleranceMeters))
        #expect(try locator.country(at: east).onBorder == (eastToNL <= CountryLocator.toleranceMeters))
        // Points along the street's centre line are on the border; 100 m off it they are not.
        for t in stride(from: 0.1, through: 0.9, by: 0.2) {
            let lon = 6.07417 + t * (6.07725 - 6.07417)
            let lat = 50.84654 + t * (50.86066 - 50.84654)
            #expect(try locator.country(at: try rd(lon, lat)).onBorder, "centre line at t = \(t)")
            #expect(
                try locator.country(at: try rd(lon - 0.0015, lat)) == CountryLocation(country: .nl, onBorder: false))
            #expect(
                try locator.country(at: try rd(lon + 0.0015, lat)) == CountryLocation(country: .de, onBorder: false))
        }
    }

    // MARK: - Exactly on a border

    /// Vertices that two (or three) territories share in the file: the point is covered by both,
    /// so the answer is the first by precedence, on a border, every time.
    @Test(arguments: [
        (4.922595, 51.433755, CountryCode.nl),  // NL/BE, on exclave H1 in Baarle
        (6.222206, 51.395460, CountryCode.nl),  // NL/DE, near Venlo
        (6.209835, 50.516557, CountryCode.be),  // BE/DE, in the Eifel
        (6.021007, 50.754287, CountryCode.nl),  // the NL/BE/DE tripoint at the Vaalserberg
    ])
    func aParticipantOnASharedBorderVertexGetsTheFirstCountryByPrecedence(
        lon: Double, lat: Double, expected: CountryCode
    ) throws {
        let p = try rd(lon, lat)
        let first = try locator.country(at: p)
        #expect(first == CountryLocation(country: expected, onBorder: true))
        for _ in 0..<3 { #expect(try locator.country(at: p) == first) }
        #expect(try locator.distance(from: p, to: expected) == 0)
        let covering = try [CountryCode.nl, .be, .de].filter { try locator.distance(from: p, to: $0) == 0 }
        #expect(covering.count >= 2)
    }

    // MARK: - Against independent oracles

    /// A scanline even-odd test over the same RD polygons, and a brute-force distance to every
    /// nearby edge, agree with the locator (country and `onBorder`) on every point of a 40 m grid
    /// in RD New around Baarle and around Kerkrade and the Vaalserberg tripoint.
    @Test(arguments: [
        ("Baarle", 4.90, 51.42, 4.96, 51.47),
        ("Kerkrade and the Vaalserberg tripoint", 5.98, 50.74, 6.10, 50.88),
    ])
    func gridAgreesWithAScanlineOracle(name: String, west: Double, south: Double, east: Double, north: Double) throws {
        let low = try rd(west, south)
        let high = try rd(east, north)
        let step = 40.0
        // Every edge that reaches into the area's y range, per territory.
        let edges = borders.territories.map { territory in
            territory.polygons.flatMap { polygon in
                ([polygon.shell] + polygon.holes).flatMap { ring in
                    zip(ring, ring.dropFirst()).filter { a, b in max(a.y, b.y) >= low.y && min(a.y, b.y) <= high.y }
                }
            }
        }
        var counts: [String: Int] = [:]
        var mismatches: [String] = []
        var y = low.y + step / 2
        while y < high.y {
            // The oracle: where a horizontal line at y crosses each territory's rings, sorted; a
            // point is inside when an odd number of crossings lie to its right.
            let crossings = edges.map { territoryEdges in
                territoryEdges.compactMap { a, b -> Double? in
                    guard (a.y > y) != (b.y > y) else { return nil }
                    return a.x + (y - a.y) * (b.x - a.x) / (b.y - a.y)
                }.sorted()
            }
            let tolerance = CountryLocator.toleranceMeters
            let rowEdges = edges.joined().filter { a, b in
                max(a.y, b.y) >= y - tolerance && min(a.y, b.y) <= y + tolerance
            }
            var x = low.x + step / 2
            while x < high.x {
                let inside = zip(borders.territories, crossings).filter { _, xs in
                    xs.count(where: { $0 > x }) % 2 == 1
                }.map(\.0.country)
                let near = rowEdges.contains { a, b in
                    guard max(a.x, b.x) >= x - tolerance && min(a.x, b.x) <= x + tolerance else { return false }
                    return segmentDistance(RDPoint(x: x, y: y), a, b) <= tolerance
                }
                let expected = CountryLocation(country: inside.first, onBorder: near || inside.count > 1)
                let got = try locator.country(at: RDPoint(x: x, y: y))
                counts[(got.country?.description ?? "none") + (got.onBorder ? " on a border" : ""), default: 0] += 1
                if got != expected { mismatches.append("RD(\(x), \(y)): locator \(got), oracle \(expected)") }
                x += step
            }
            y += step
        }
        print("\(name), 40 m grid: \(counts.sorted { $0.key < $1.key })")
        #expect(Set(counts.keys).count >= 2)
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// GEOS distances equal the distance to the nearest edge computed by brute force.
    @Test(arguments: [
        (5.6909, 50.8514, CountryCode.be),  // Maastricht to Belgium
        (5.6469, 50.8927, CountryCode.nl),  // Lanaken to the Netherlands
        (6.0839, 50.7753, CountryCode.nl),  // Aachen to the Netherlands
        (4.92701, 51.43626, CountryCode.nl),  // exclave H1 to the Netherlands around it
        (6.8937, 52.2215, CountryCode.de),  // Enschede to Germany
    ])
    func distancesMatchBruteForce(lon: Double, lat: Double, country: CountryCode) throws {
        let p = try rd(lon, lat)
        let territory = try #require(borders.territory(of: country))
        var best = Double.infinity
        for polygon in territory.polygons {
            for ring in [polygon.shell] + polygon.holes {
                for (a, b) in zip(ring, ring.dropFirst()) { best = min(best, segmentDistance(p, a, b)) }
            }
        }
        let geos = try #require(try locator.distance(from: p, to: country))
        #expect(abs(geos - best) < 1e-6, "GEOS \(geos) m, brute force \(best) m")
        #expect(try locator.isPoint(p, within: best + 0.01, of: country) == true)
        #expect(try locator.isPoint(p, within: best - 0.01, of: country) == false)
    }

    /// The distance from `p` to the segment from `a` to `b`.
    func segmentDistance(_ p: RDPoint, _ a: XY, _ b: XY) -> Double {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let len2 = dx * dx + dy * dy
        let t = len2 == 0 ? 0 : max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2))
        let ex = a.x + t * dx - p.x
        let ey = a.y + t * dy - p.y
        return (ex * ex + ey * ey).squareRoot()
    }

    // MARK: - The file

    @Test func theTerritoriesAreValidAndComeInPrecedenceOrder() throws {
        #expect(borders.territories.map(\.country) == [.nl, .be, .de])
        try withCheckedContext { context in
            for territory in borders.territories {
                let geometry = try context.makeMultiPolygon(territory.polygons)
                #expect(try geometry.validity() == .valid, "\(territory.country)")
            }
        }
        let nl = try #require(borders.territory(of: .nl))
        let be = try #require(borders.territory(of: .be))
        // Baarle: 21 Belgian exclaves are holes in the Netherlands (the official count is 22);
        // 8 Dutch counter-enclaves (7 in exclaves, N8 in Zondereigen) and 5 German Vennbahn
        // enclaves are holes in Belgium.
        #expect(nl.polygons.count == 9 && nl.polygons.reduce(0) { $0 + $1.holes.count } == 21)
        #expect(be.polygons.count == 22 && be.polygons.reduce(0) { $0 + $1.holes.count } == 13)
        print("borders: \(borders.territories.map { "\($0.country) \($0.vertexCount) vertices" })")
    }

    /// The fast reader gives bit for bit the numbers `JSONDecoder` gives, for the whole file.
    @Test func theBordersReaderAgreesWithJSONDecoderOnTheWholeFile() throws {
        struct Document: Decodable {
            struct Feature: Decodable {
                struct Properties: Decodable { var country: String }
                struct Geometry: Decodable { var coordinates: [[[[Double]]]] }
                var properties: Properties
                var geometry: Geometry
            }
            var features: [Feature]
        }
        let data = try Data(contentsOf: borders.file)
        let decoded = try JSONDecoder().decode(Document.self, from: data)
        var reader = BordersGeoJSONReader([UInt8](data))
        let read = try reader.features()
        #expect(read.map(\.country) == decoded.features.map(\.properties.country))
        for (mine, theirs) in zip(read, decoded.features) {
            let positions = theirs.geometry.coordinates.flatMap { $0.flatMap { $0 } }
            #expect(mine.lons.map(\.bitPattern) == positions.map { $0[0].bitPattern })
            #expect(mine.lats.map(\.bitPattern) == positions.map { $0[1].bitPattern })
            #expect(mine.ringSizes == theirs.geometry.coordinates.flatMap { $0.map(\.count) })
            #expect(mine.polygonRingCounts == theirs.geometry.coordinates.map(\.count))
        }
    }

    @Test func theBordersReaderTakesAnyValidLayout() throws {
        let text = #"""
            { "features" : [ { "geometry": {"coordinates": [[[5, 52.0, 3], [5.1e0, 52], [5.1, 5.21E1], [5, 52]]],
              "type": "Polygon", "bbox": [1, 2, 3, 4]}, "type": "Feature", "id": null,
              "properties": {"name": "Nederl\u00e2nd \"NL\"", "country": "NL", "flag": true} } ],
              "type": "FeatureCollection" }
            """#
        var reader = BordersGeoJSONReader(Array(text.utf8))
        let features = try reader.features()
        #expect(features.count == 1 && features[0].country == "NL")
        #expect(features[0].lons == [5, 5.1, 5.1, 5] && features[0].lats == [52, 52, 52.1, 52])
        #expect(features[0].ringSizes == [4] && features[0].polygonRingCounts == [1])
    }

    @Test(arguments: [
        (#"{"type":"Feature","features":[]}"#, "a Feature, expected a FeatureCollection"),
        (
            #"{"type":"FeatureCollection","features":[{"properties":{},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#,
            "expected a feature with properties.country"
        ),
        (
            #"{"type":"FeatureCollection","features":[{"properties":{"country":"NL"},"geometry":{"type":"MultiPolygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}]}"#,
            "feature NL has MultiPolygon nested 3 deep"
        ),
        (
            #"{"type":"FeatureCollection","features":[{"properties":{"country":"NL"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,"x"],[0,0]]]}}]}"#,
            "expected a number"
        ),
        (#"{"type":"FeatureCollection","features":[]} extra"#, "expected end of the document"),
    ])
    func malformedBordersFilesAreRefusedWithTheByteOffset(text: String, expected: String) throws {
        let converter = try CoordinateConverter()
        let error = try #require(throws: GeoError.self) {
            try CountryBorders.parse(Data(text.utf8), file: URL(fileURLWithPath: "/x/b.geojson"), converter: converter)
        }
        #expect(error.code == .countryBorders)
        #expect(error.message.hasPrefix("/x/b.geojson: byte ") && error.message.contains(expected), "\(error.message)")
    }

    @Test func aMissingBordersFileIsAnErrorNamingWhereItLooked() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("no-borders-\(UUID().uuidString)")
        let error = try #require(throws: GeoError.self) {
            try CountryBorders.locate(.data(.fromEnvironment), environment: ["FANOUT_DATA_DIR": dir.path])
        }
        #expect(error.code == .countryBorders)
        #expect(error.message.contains(dir.path) && error.message.contains("tools/make_borders.py"))
    }

    @Test func theLocatorFreesEveryGEOSHandle() throws {
        try withCheckedContext { context in
            let locator = try CountryLocator(borders: borders, context: context)
            _ = try locator.country(at: try rd(4.92701, 51.43626))
            _ = try locator.distance(from: try rd(5.6909, 50.8514), to: .be)
            _ = try locator.isPoint(try rd(5.6909, 50.8514), within: 25, of: .de)
            _ = try locator.distanceToBoundary(from: try rd(5.6909, 50.8514), of: .nl)
        }
    }
}
