import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// The municipalities file read independently (JSONSerialization, lon/lat) for the oracles.
struct MunicipalityOracle {
    struct Feature {
        var code: String
        var name: String
        /// Every ring (shells and holes), lon/lat.
        var rings: [[(Double, Double)]]
        var box: (minX: Double, minY: Double, maxX: Double, maxY: Double)
    }
    var features: [Feature] = []

    static let shared: MunicipalityOracle = {
        var oracle = MunicipalityOracle()
        let url = Fixtures.packageRoot.appendingPathComponent("data/municipalities-nl.geojson")
        guard let data = try? Data(contentsOf: url),
            let doc = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let features = doc["features"] as? [[String: Any]]
        else { return oracle }
        for f in features {
            guard let p = f["properties"] as? [String: Any], let g = f["geometry"] as? [String: Any],
                let type = g["type"] as? String
            else { continue }
            let polygons: [[[[Double]]]]
            if type == "Polygon" {
                polygons = [(g["coordinates"] as? [[[Double]]]) ?? []]
            } else {
                polygons = (g["coordinates"] as? [[[[Double]]]]) ?? []
            }
            let rings = polygons.flatMap { $0 }.map { $0.map { ($0[0], $0[1]) } }
            let all = rings.flatMap { $0 }
            oracle.features.append(
                Feature(
                    code: p["code"] as? String ?? "", name: p["name"] as? String ?? "", rings: rings,
                    box: (
                        all.map(\.0).min() ?? 0, all.map(\.1).min() ?? 0, all.map(\.0).max() ?? 0,
                        all.map(\.1).max() ?? 0
                    )))
        }
        return oracle
    }()

    /// The municipality containing a lon/lat point, by ray casting over every ring (even-odd).
    func code(at x: Double, _ y: Double) -> String? {
        for f in features where x >= f.box.minX && x <= f.box.maxX && y >= f.box.minY && y <= f.box.maxY {
            if evenOdd(f.rings, x, y) { return f.code }
        }
        return nil
    }
}

@Suite("municipalities crossed by an area")
struct MunicipalityTests {
    func check(_ ring: [(Double, Double)]) throws -> AreaCheckReport {
        let area = try AreaReader.parseGeoJSON(Data(geoJSONPolygon([ring]).utf8), name: "t.geojson")
        return try AreaInspector().check(area)
    }

    @Test(
        "a 500 m circle in a town centre crosses exactly that municipality",
        arguments: [
            (5.1214, 52.0907, "GM0344", "Utrecht"),  // Dom tower
            (5.3878, 52.1561, "GM0307", "Amersfoort"),  // Onze Lieve Vrouwetoren
            (6.5683, 53.2194, "GM0014", "Groningen"),  // Martinitoren
            (5.6909, 50.8487, "GM0935", "Maastricht"),  // Vrijthof
        ])
    func centre(_ c: (Double, Double, String, String)) throws {
        let r = try check(circleRing(lon: c.0, lat: c.1, radius: 500))
        let m = try #require(r.municipalities)
        #expect(m.map(\.code) == [c.2] && m.map(\.name) == [c.3])
        #expect(abs(m[0].share - 1) < 1e-9)
        #expect(r.municipalityBoundaries.contains("CBS"))
    }

    @Test("a square centred on a vertex shared by Utrecht and Nieuwegein crosses both")
    func boundary() throws {
        let oracle = MunicipalityOracle.shared
        let utrecht = try #require(oracle.features.first { $0.code == "GM0344" })
        let nieuwegein = try #require(oracle.features.first { $0.code == "GM0356" })
        let shared = Set(utrecht.rings.flatMap { $0 }.map { "\($0.0),\($0.1)" })
        // Vertices of every other municipality, bucketed in 0.003° × 0.002° cells (about 200 m).
        func cell(_ p: (Double, Double)) -> [Int] {
            [Int((p.0 / 0.003).rounded(.down)), Int((p.1 / 0.002).rounded(.down))]
        }
        var others: Set<[Int]> = []
        for f in oracle.features where f.code != "GM0344" && f.code != "GM0356" {
            for ring in f.rings { for p in ring { others.insert(cell(p)) } }
        }
        /// Whether a third municipality has a vertex within about 200 m (a triple point nearby).
        func nearThird(_ p: (Double, Double)) -> Bool {
            let c = cell(p)
            return (-1...1).contains { dx in (-1...1).contains { dy in others.contains([c[0] + dx, c[1] + dy]) } }
        }
        let candidates: [(Double, Double)] = nieuwegein.rings.flatMap { $0 }
        let vertex = try #require(candidates.first { shared.contains("\($0.0),\($0.1)") && !nearThird($0) })
        let d = (0.0015, 0.001)  // about 100 × 110 m each side
        let x0 = vertex.0 - d.0
        let x1 = vertex.0 + d.0
        let y0 = vertex.1 - d.1
        let y1 = vertex.1 + d.1
        let ring: [(Double, Double)] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
        let m: [MunicipalityShare] = try #require(try check(ring).municipalities)
        #expect(Set(m.map { $0.code }) == ["GM0344", "GM0356"])
        #expect(m.allSatisfy { $0.share > 0.05 })
        let total = m.map { $0.share }.reduce(0, +)
        #expect(abs(total - 1) < 0.02)
    }

    @Test("shares over the Maastricht area agree with a brute-force point sampling in lon/lat")
    func bruteForceSampling() throws {
        let url = Fixtures.packageRoot.appendingPathComponent("data/areas/maastricht-670km2.geojson")
        let inspector = try AreaInspector()
        let area = try inspector.read(contentsOf: url)
        let report = try inspector.check(area)
        let shares = try #require(report.municipalities)
        let ring = area.polygons[0].shell.map { ($0.x, $0.y) }
        let oracle = MunicipalityOracle.shared
        var inside = 0
        var counts: [String: Int] = [:]
        // A 0.004° × 0.0025° grid (about 280 m): ~8,600 samples inside the area.
        var x = 5.5652
        while x < 6.0882 {
            var y = 50.7093
            while y < 50.9656 {
                if evenOdd([ring], x, y) {
                    inside += 1
                    if let code = oracle.code(at: x, y) { counts[code, default: 0] += 1 }
                }
                y += 0.0025
            }
            x += 0.004
        }
        #expect(inside > 8000)
        let sampled = counts.mapValues { Double($0) / Double(inside) }
        // Every municipality with more than 1% is found by both, with shares within 1 point.
        #expect(Set(sampled.filter { $0.value > 0.01 }.keys) == Set(shares.filter { $0.share > 0.01 }.map(\.code)))
        for s in shares {
            #expect(abs(s.share - (sampled[s.code] ?? 0)) < 0.01, "\(s.name): \(s.share) vs \(sampled[s.code] ?? 0)")
        }
    }

    @Test("a missing or malformed municipalities file is refused naming the file and the feature")
    func badFile() throws {
        let dir = try Fixtures.temporaryDirectory("muni")
        let converter = try CoordinateConverter()
        let missing = dir.appendingPathComponent("none.geojson")
        #expect {
            try Municipalities.load(from: missing, converter: converter)
        } throws: { e in
            (e as? GeoError)?.code == .municipalities && "\(e)".contains(missing.path)
        }
        let noName = dir.appendingPathComponent("noname.geojson")
        try #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"GM0001"},"#
            .appending(#""geometry":{"type":"Polygon","coordinates":[[[5,52],[5.1,52],[5.1,52.1],[5,52]]]}}]}"#)
            .write(to: noName, atomically: true, encoding: .utf8)
        #expect {
            try Municipalities.load(from: noName, converter: converter)
        } throws: { e in
            "\(e)".contains("features[0]") && "\(e)".contains("GM0001") && "\(e)".contains("properties.name")
        }
        let loaded = try Municipalities.load(converter: converter)
        // 343 features: 342 municipalities and GM0998, CBS's land abroad (not a municipality).
        #expect(loaded.list.count == 342 && loaded.list.first?.code == "GM0014")
        #expect(loaded.abroad.map(\.code) == ["GM0998"] && !loaded.list.contains { $0.code == "GM0998" })
    }

    @Test("an area at sea crosses no municipality")
    func sea() throws {
        let r = try check(circleRing(lon: 4.0, lat: 52.6, radius: 2000))
        #expect(r.municipalities == [])
    }
}
