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

/// A GeoJSON polygon in RD New (legacy `crs` member).
func rdGeoJSON(_ ring: [(Double, Double)]) -> String {
    let body = ring.map { "[\($0.0),\($0.1)]" }.joined(separator: ",")
    return #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:28992"}},"coordinates":[["#
        + body + "]]}"
}

/// Participants at RD positions (lon/lat are not used by these tests).
func columns(_ points: [(Int64, Double, Double, CountryCode?)]) -> ParticipantColumns {
    var c = ParticipantColumns()
    for p in points { c.append(id: p.0, x: p.1, y: p.2, country: p.3) }
    return c
}

/// Distance from a point to a polygon's rings (brute force over every edge), 0 when inside.
func bruteDistance(_ rings: [[(Double, Double)]], _ x: Double, _ y: Double) -> Double {
    if evenOdd(rings, x, y) { return 0 }
    var best = Double.infinity
    for ring in rings {
        for i in 1..<ring.count {
            let (ax, ay) = ring[i - 1]
            let (bx, by) = ring[i]
            let (dx, dy) = (bx - ax, by - ay)
            let t = max(0, min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            best = min(best, hypot(x - (ax + t * dx), y - (ay + t * dy)))
        }
    }
    return best
}

@Suite("area far from any participant")
struct NearestParticipantTests {
    let square: [(Double, Double)] = [
        (150_000, 450_000), (152_000, 450_000), (152_000, 452_000), (150_000, 452_000), (150_000, 450_000),
    ]

    func check(_ ring: [(Double, Double)], _ people: ParticipantColumns) throws -> AreaCheckReport {
        let area = try AreaReader.parseGeoJSON(Data(rdGeoJSON(ring).utf8), name: "t.geojson")
        return try AreaInspector().check(area, engine: try Engine(columns: people))
    }

    @Test("nobody inside: the nearest is reported with its hand-computed distance and direction")
    func nobodyInside() throws {
        let people = columns([
            (1, 153_000, 451_000, .nl),  // 1,000 m east of the east edge
            (2, 147_500, 449_000, .be),  // √(2500² + 1000²) = 2,692.6 m from the south-west corner
            (3, 151_000, 455_000, .de),  // 3,000 m north
        ])
        let r = try check(square, people)
        let n = try #require(r.participants?.nearestOutside)
        #expect(abs(n.distanceM - 1000) < 1e-6 && n.direction == "E" && n.country == "NL")
        let f = try #require(r.findings.first { $0.code == "no-participants" })
        #expect(f.message.contains("1000 m") && f.message.contains("E (NL)"))
        #expect(r.verdict == .warnings)
    }

    @Test("a few inside: few-participants names the nearest outside; ten inside: nothing")
    func fewInside() throws {
        var points: [(Int64, Double, Double, CountryCode?)] = [(1, 147_500, 449_000, .be)]
        for k in 0..<3 { points.append((Int64(10 + k), 151_000 + Double(k), 451_000, .nl)) }
        let r = try check(square, columns(points))
        #expect(r.participants?.total == 3)
        let n = try #require(r.participants?.nearestOutside)
        #expect(abs(n.distanceM - (2500.0 * 2500 + 1000 * 1000).squareRoot()) < 1e-6 && n.direction == "SW")
        #expect(r.findings.contains { $0.code == "few-participants" && $0.message.contains("only 3") })
        for k in 3..<10 { points.append((Int64(10 + k), 151_000 + Double(k), 451_000, .nl)) }
        let full = try check(square, columns(points))
        #expect(full.participants?.total == 10 && full.participants?.nearestOutside == nil)
        #expect(!full.findings.contains { $0.code == "few-participants" || $0.code == "no-participants" })
    }

    @Test(
        "a concave area and 3,000 random participants: the same answer as the brute force",
        arguments: [1, 2, 3] as [UInt64])
    func random(seed: UInt64) throws {
        var rng = SeededRandom(seed: seed)
        // An L-shape: its notch holds participants that are near the box but far from the area.
        let l: [(Double, Double)] = [
            (150_000, 450_000), (156_000, 450_000), (156_000, 452_000), (152_000, 452_000), (152_000, 456_000),
            (150_000, 456_000), (150_000, 450_000),
        ]
        var points: [(Int64, Double, Double, CountryCode?)] = []
        for id in 1...3000 {
            let x = Double.random(in: 120_000..<190_000, using: &rng)
            let y = Double.random(in: 420_000..<490_000, using: &rng)
            if evenOdd([l], x, y) || (x > 149_000 && x < 157_000 && y > 449_000 && y < 457_000 && id % 2 == 0) {
                continue
            }
            points.append((Int64(id), x, y, .nl))
        }
        let people = columns(points)
        let inspector = try AreaInspector()
        let rd = [PlanarPolygon(shell: l.map { XY($0.0, $0.1) })]
        let found = try #require(try inspector.nearestOutside(rd, columns: people))
        let expected = points.map { bruteDistance([l], $0.1, $0.2) }.enumerated().min { $0.element < $1.element }
        #expect(found.index == expected?.offset)
        #expect(abs(found.distanceMeters - (expected?.element ?? -1)) < 1e-6)
    }

    @Test("through the CLI on an imported registry: the JSON and the text give the brute-force distance")
    func cli() async throws {
        let fx = try CLIFixture.shared.get()
        // 2 × 2 km in the North Sea west of IJmuiden, in RD New: nobody lives there.
        let sea: [(Double, Double)] = [
            (70_000, 495_000), (72_000, 495_000), (72_000, 497_000), (70_000, 497_000), (70_000, 495_000),
        ]
        let file = try fx.write("sea.geojson", rdGeoJSON(sea))
        let columns = try Registry.open(at: fx.db).loadColumns()
        let expected = (0..<columns.count).map { bruteDistance([sea], columns.xs[$0], columns.ys[$0]) }.min() ?? -1
        let r = try await CommandRunner.run(["area", "check", file, "--db", fx.db, "--json"])
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let p = try #require(object["participants"] as? [String: Any])
        let nearest = try #require(p["nearest_outside"] as? [String: Any])
        #expect(abs((nearest["distance_m"] as? Double ?? -1) - expected) < 1e-6)
        let text = try await CommandRunner.run(["area", "check", file, "--db", fx.db])
        #expect(text.stdout.contains("warning: no-participants:"))
        #expect(text.stdout.contains("nearest participant outside: \(Int(expected.rounded())) m from the area"))
    }

    @Test("an empty registry: no-participants says nobody is registered outside")
    func emptyRegistry() throws {
        let r = try check(square, columns([]))
        #expect(r.participants?.nearestOutside == nil)
        #expect(r.findings.contains { $0.code == "no-participants" && $0.message.contains("nobody is registered") })
    }
}
