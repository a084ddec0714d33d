import GeoTestSupport
import TestSupport
import Testing

@testable import Geo

/// A point and whether the test area covers it, worked out by hand.
struct CoversCase: Sendable, CustomTestStringConvertible {
    var what: String
    var x: Double
    var y: Double
    var covered: Bool

    var testDescription: String { "\(what) (\(x), \(y))" }
}

/// Even-odd ray crossing over all rings: an oracle independent of GEOS, for points not on an edge.
func evenOddContains(_ polygons: [PlanarPolygon], x: Double, y: Double) -> Bool {
    var inside = false
    for polygon in polygons {
        for ring in [polygon.shell] + polygon.holes {
            for (a, b) in zip(ring, ring.dropFirst()) where (a.y > y) != (b.y > y) {
                let crossX = a.x + (y - a.y) / (b.y - a.y) * (b.x - a.x)
                if x < crossX { inside.toggle() }
            }
        }
    }
    return inside
}

/// The distance from a point to the nearest edge of any ring.
func distanceToBoundary(_ polygons: [PlanarPolygon], x: Double, y: Double) -> Double {
    var best = Double.infinity
    for polygon in polygons {
        for ring in [polygon.shell] + polygon.holes {
            for (a, b) in zip(ring, ring.dropFirst()) {
                let dx = b.x - a.x
                let dy = b.y - a.y
                let t = max(0, min(1, ((x - a.x) * dx + (y - a.y) * dy) / (dx * dx + dy * dy)))
                let px = a.x + t * dx - x
                let py = a.y + t * dy - y
                best = min(best, (px * px + py * py).squareRoot())
            }
        }
    }
    return best
}

@Suite("GEOS covers")
struct GEOSCoversTests {
    /// A 10×10 square with a 2×2 hole in the middle, plus a second square part further east.
    static let area: [PlanarPolygon] = [
        PlanarPolygon(shell: rectangle(0, 0, 10, 10), holes: [rectangle(4, 4, 6, 6)]),
        PlanarPolygon(shell: rectangle(20, 0, 30, 10)),
    ]

    static let handCases: [CoversCase] = [
        CoversCase(what: "inside", x: 2, y: 2, covered: true),
        CoversCase(what: "outside", x: 11, y: 5, covered: false),
        CoversCase(what: "outside, below", x: 5, y: -0.5, covered: false),
        CoversCase(what: "on the shell's east edge", x: 10, y: 5, covered: true),
        CoversCase(what: "on the shell's south edge", x: 3, y: 0, covered: true),
        CoversCase(what: "on a shell vertex", x: 0, y: 0, covered: true),
        CoversCase(what: "on the opposite shell vertex", x: 10, y: 10, covered: true),
        CoversCase(what: "inside the hole", x: 5, y: 5, covered: false),
        CoversCase(what: "on the hole's west edge", x: 4, y: 5, covered: true),
        CoversCase(what: "on a hole vertex", x: 6, y: 6, covered: true),
        CoversCase(what: "inside the second part", x: 25, y: 5, covered: true),
        CoversCase(what: "on the second part's west edge", x: 20, y: 5, covered: true),
        CoversCase(what: "between the parts", x: 15, y: 5, covered: false),
    ]

    @Test("hand-computed points, prepared and not", arguments: handCases)
    func handCase(_ testCase: CoversCase) throws {
        try withCheckedContext { context in
            let geometry = try context.makeMultiPolygon(Self.area)
            let prepared = try geometry.prepared()
            #expect(try geometry.covers(x: testCase.x, y: testCase.y) == testCase.covered)
            #expect(try prepared.covers(x: testCase.x, y: testCase.y) == testCase.covered)
        }
    }

    @Test("a single polygon: covered on its edge, not in its hole")
    func singlePolygon() throws {
        try withCheckedContext { context in
            let polygon = try context.makePolygon(Self.area[0])
            #expect(try polygon.covers(x: 0, y: 5))
            #expect(try !polygon.covers(x: 5, y: 5))
            #expect(try !polygon.prepared().covers(x: 25, y: 5))
        }
    }

    @Test("prepared and plain covers agree with an even-odd oracle on random points")
    func randomAgainstOracle() throws {
        // A non-convex shell (a comb) with two holes, and a triangle part.
        let comb = PlanarPolygon(
            shell: [
                XY(0, 0), XY(100, 0), XY(100, 60), XY(80, 60), XY(80, 20), XY(60, 20), XY(60, 60),
                XY(40, 60), XY(40, 20), XY(20, 20), XY(20, 60), XY(0, 60), XY(0, 0),
            ],
            holes: [
                [XY(5, 5), XY(15, 5), XY(10, 15), XY(5, 5)],
                [XY(30, 3), XY(70, 3), XY(70, 12.5), XY(30, 12.5), XY(30, 3)],
            ])
        let triangle = PlanarPolygon(shell: [XY(110, 0), XY(150, 10), XY(120, 70), XY(110, 0)])
        let parts = [comb, triangle]
        var rng = SeededRandom(seed: 0x5EED_C0DE)
        var checked = 0
        var inside = 0
        try withCheckedContext { context in
            let geometry = try context.makeMultiPolygon(parts)
            #expect(try geometry.validity() == .valid)
            let prepared = try geometry.prepared()
            for _ in 0..<4000 {
                let x = Double.random(in: -10...160, using: &rng)
                let y = Double.random(in: -10...80, using: &rng)
                guard distanceToBoundary(parts, x: x, y: y) > 1e-9 else { continue }
                let expected = evenOddContains(parts, x: x, y: y)
                let plain = try geometry.covers(x: x, y: y)
                let fast = try prepared.covers(x: x, y: y)
                #expect(plain == expected, "plain covers at (\(x), \(y))")
                #expect(fast == expected, "prepared covers at (\(x), \(y))")
                checked += 1
                if expected { inside += 1 }
            }
        }
        #expect(checked > 3990)
        #expect(inside > 1000 && inside < checked - 1000, "the sample should hit both sides")
    }
}
