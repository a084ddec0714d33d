import Foundation
import SelectionTestSupport
import TestSupport
import Testing

@testable import FanoutEngine
@testable import Geo
@testable import Selection
@testable import Participants

@Suite struct OracleTests {
    static let population = makePopulation(count: 30_000, seed: 42)

    @Test func randomCirclesEqualBruteForce() throws {
        var cols = Self.population
        var rng = SeededRandom(seed: 7)
        var circles: [CircleArea] = []
        for _ in 0..<200 {
            circles.append(
                try CircleArea(
                    center: RDPoint(
                        x: Double.random(in: 70_000...210_000, using: &rng).rounded(),
                        y: Double.random(in: 390_000...530_000, using: &rng).rounded()),
                    radiusMeters: (Double.random(in: 10...40_000, using: &rng) / 5).rounded() * 5))
        }
        // Participants exactly on each circle (axis points and a 3-4-5 point) and just outside.
        for c in circles.prefix(50) {
            let r = c.radiusMeters
            let k = r / 5
            for (dx, dy) in [(r, 0.0), (-r, 0.0), (0.0, r), (0.0, -r), (3 * k, 4 * k)] {
                cols.append(
                    id: Int64(cols.count + 1), x: c.center.x + dx, y: c.center.y + dy, country: .nl)
            }
            cols.append(
                id: Int64(cols.count + 1), x: (c.center.x + r).nextUp, y: c.center.y, country: .nl)
        }
        let strtree = try STRtreeIndex(columns: cols)
        let oracle = BruteForceScan(columns: cols)
        // A coarse and a fine grid, so that circles span one cell and many.
        let grids = [
            GridIndex(columns: cols), GridIndex(columns: cols, cellSizeMeters: 2_000),
            GridIndex(columns: cols, cellSizeMeters: 37),
        ]
        var total = 0
        for (n, c) in circles.enumerated() {
            let want = try oracle.select(.circle(c), incident: c.center)
            #expect(try strtree.select(.circle(c), incident: c.center) == want, "STRtree, circle \(n): \(c)")
            for grid in grids {
                let got = try grid.select(.circle(c), incident: c.center)
                #expect(unrowed(got) == unrowed(want), "grid \(grid.cellSize) m, circle \(n): \(c)")
            }
            let got = want
            total += got.count
            if n < 50 {
                // The 5 exact boundary points are in; the one an ulp beyond the radius is out.
                let onCircle = Set(got.map(\.id)).intersection(
                    Set((1...6).map { Int64(Self.population.count + n * 6 + $0) }))
                #expect(onCircle.count == 5, "circle \(n): \(onCircle.count) of the boundary points selected")
            }
        }
        #expect(total > 10_000, "the circles select a meaningful number of participants")
    }

    @Test func randomPolygonsEqualBruteForce() throws {
        var rng = SeededRandom(seed: 11)
        var cols = Self.population
        var areas: [[PlanarPolygon]] = []
        for n in 0..<100 {
            let c = RDPoint(
                x: Double.random(in: 90_000...190_000, using: &rng).rounded(),
                y: Double.random(in: 410_000...510_000, using: &rng).rounded())
            let big = Double.random(in: 2_000...20_000, using: &rng)
            var polygon = PlanarPolygon(
                shell: star(c, radii: (big * 0.6)...big, vertices: Int.random(in: 3...40, using: &rng), rng: &rng))
            if n % 3 == 0 {
                polygon.holes = [star(c, radii: (big * 0.1)...(big * 0.5), vertices: 12, rng: &rng, reversed: true)]
            }
            var parts = [polygon]
            if n % 4 == 0 {
                let c2 = RDPoint(x: c.x + 3 * big, y: c.y)
                parts.append(PlanarPolygon(shell: star(c2, radii: (big * 0.5)...big, vertices: 8, rng: &rng)))
            }
            // Participants on every vertex (boundary: covered) of shells and holes.
            for p in parts {
                for v in (p.shell + p.holes.flatMap { $0 }) {
                    cols.append(id: Int64(cols.count + 1), x: v.x, y: v.y, country: .de)
                }
            }
            areas.append(parts)
        }
        let engine = try Engine(columns: cols)
        let context = engine.context
        let converter = try CoordinateConverter()
        let oracle = BruteForceScan(columns: cols)
        let strtree = try STRtreeIndex(columns: cols)
        var total = 0
        for (n, parts) in areas.enumerated() {
            let area = try PolygonArea(
                AreaGeometry(polygons: parts, crs: .rdNew, source: "polygon \(n)"), converter: converter,
                context: context)
            let incident = try area.centroid()
            let got = try engine.index.select(.polygon(area), incident: incident)
            let want = try oracle.select(.polygon(area), incident: incident)
            #expect(unrowed(got) == unrowed(want), "polygon \(n)")
            #expect(try strtree.select(.polygon(area), incident: incident) == want, "STRtree, polygon \(n)")
            total += got.count
            let selected = Set(want.map { RDPoint(x: cols.xs[Int($0.row)], y: cols.ys[Int($0.row)]) })
            for v in parts.flatMap({ $0.shell + $0.holes.flatMap { $0 } }) {
                #expect(selected.contains(RDPoint(x: v.x, y: v.y)), "polygon \(n): vertex \(v) must be covered")
            }
        }
        #expect(total > 5_000)
    }

    @Test func handComputedSquareWithHole() throws {
        // Square 0..1000 with hole 400..600; edges axis-aligned so "on the edge" is exact.
        let shell = [XY(0, 0), XY(1000, 0), XY(1000, 1000), XY(0, 1000), XY(0, 0)]
        let hole = [XY(400, 400), XY(400, 600), XY(600, 600), XY(600, 400), XY(400, 400)]
        let points: [(Int64, Double, Double, Bool)] = [
            (1, 100, 100, true),  // inside
            (2, 500, 500, false),  // in the hole
            (3, 500, 0, true),  // on the outer edge
            (4, 1000, 1000, true),  // on a corner
            (5, 400, 500, true),  // on the hole's edge (boundary of the polygon)
            (6, 1000.000001, 500, false),  // just outside
            (7, 450, 450, false),  // in the hole
            (8, -1, -1, false),
        ]
        var cols = ParticipantColumns()
        for p in points {
            cols.append(id: p.0, x: p.1 + 100_000, y: p.2 + 400_000, country: .nl)
        }
        let shifted = { (r: [XY]) in r.map { XY($0.x + 100_000, $0.y + 400_000) } }
        let engine = try Engine(columns: cols)
        let area = try PolygonArea(
            AreaGeometry(
                polygons: [PlanarPolygon(shell: shifted(shell), holes: [shifted(hole)])], crs: .rdNew, source: "square"),
            converter: try CoordinateConverter(), context: engine.context)
        let got = try engine.index.select(.polygon(area), incident: RDPoint(x: 100_000, y: 400_000))
        #expect(Set(got.map(\.id)) == Set(points.filter(\.3).map(\.0)))
        #expect(area.areaSquareMeters == 1_000_000 - 40_000)
    }
}

@Suite struct OutsideInTests {
    @Test func farthestFirstAndTiesByIdAscending() throws {
        var cols = ParticipantColumns()
        // (id, dx, dy) around centre (150000, 450000): distances 5, 5, 5, 3, 10, 0.
        let rows: [(Int64, Double, Double)] = [(30, 3, 4), (10, -5, 0), (20, 0, 5), (5, 3, 0), (99, 6, 8), (1, 0, 0)]
        for r in rows {
            cols.append(id: r.0, x: 150_000 + r.1, y: 450_000 + r.2, country: nil)
        }
        let c = try CircleArea(center: RDPoint(x: 150_000, y: 450_000), radiusMeters: 10)
        for index in [try STRtreeIndex(columns: cols) as any ParticipantSelector, GridIndex(columns: cols)] {
            let got = try index.select(.circle(c), incident: c.center)
            #expect(got.map(\.id) == [99, 10, 20, 30, 5, 1])
            #expect(got.map(\.distanceMeters) == [10, 5, 5, 5, 3, 0])
        }
    }
}
