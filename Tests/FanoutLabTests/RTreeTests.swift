import Foundation
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import Participants
@testable import FanoutLab

/// The SQLite R*Tree comparison peer: exact circle membership on the stored doubles, outside-in
/// order, a registry file left as it was.
/// A registry in a fresh directory, with CSV files written beside it.
struct Scratch {
    let directory: URL
    let registry: Registry

    init(directory: URL) throws {
        self.directory = directory
        registry = try Registry.open(at: directory.appendingPathComponent("r.sqlite").path)
    }

    func csv(_ text: String, name: String = "p.csv") throws -> URL {
        URL(fileURLWithPath: try Fixtures.write(text, named: name, in: directory))
    }
}

@Suite struct RTreeTests {
    /// A registry with `rows` (`id, x, y, country`) imported as RD New, countries exactly as given
    /// (an empty one stays empty: nothing is derived from the borders).
    static func registry(_ rows: [(id: Int64, x: Double, y: Double, country: String)]) throws -> Scratch {
        let s = try Scratch(directory: Fixtures.temporaryDirectory("rtree"))
        let lines = rows.map { "\($0.id),\($0.x),\($0.y),\($0.country)" }
        _ = try s.registry.importCSV(
            try s.csv("id,x,y,country\n" + lines.joined(separator: "\n") + "\n"),
            options: ImportOptions(crs: .rdNew, countries: .off))
        return s
    }

    /// The oracle: the engine's circle test and outside-in order over every stored participant.
    static func expected(
        _ columns: ParticipantColumns, center: RDPoint, radiusMeters r: Double, incident: RDPoint
    ) -> [(Int64, Double)] {
        var out: [(Int64, Double)] = []
        for i in 0..<columns.count {
            let p = RDPoint(x: columns.xs[i], y: columns.ys[i])
            if p.squaredDistance(to: center) <= r * r { out.append((columns.ids[i], p.distance(to: incident))) }
        }
        return out.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }

    @Test func circleIncludesTheBoundaryAndOrdersOutsideIn() throws {
        let c = RDPoint(x: 150_000, y: 450_000)
        let s = try Self.registry([
            (1, 150_003, 450_004, "NL"),  // exactly 5 m: on the circle, inside
            (2, 150_003.000001, 450_004, "NL"),  // just outside
            (3, 150_004.9, 450_004.9, "BE"),  // in the bounding box, outside the circle
            (7, 149_998, 450_000, "DE"),  // 2 m, a household of three: ties by id
            (5, 149_998, 450_000, ""),
            (6, 149_998, 450_000, "NL"),
            (4, 150_000, 450_000, "NL"),  // the centre itself
        ])
        let got = try s.registry.selectWithRTree(circleCenter: c, radiusMeters: 5, incident: c)
        #expect(got.map(\.id) == [1, 5, 6, 7, 4])
        #expect(got.map(\.distanceMeters) == [5, 2, 2, 2, 0])
        #expect(got.map(\.country) == [.nl, nil, .nl, .de, .nl])  // imported with countries: .off
        #expect(got[0].rd == RDPoint(x: 150_003, y: 450_004))
    }

    @Test func randomCirclesEqualTheExactTestOnTheDoubles() throws {
        var rng = SeededRandom(seed: 17)
        var rows: [(id: Int64, x: Double, y: Double, country: String)] = []
        // Far from the origin, where 32-bit floats are 1/32 m apart, with positions in between.
        for id in Int64(1)...4_000 {
            let x = 280_000 + Double.random(in: 0..<3_000, using: &rng)
            let y = 600_000 + Double.random(in: 0..<3_000, using: &rng)
            rows.append((id, x, y, "NL"))
        }
        let s = try Self.registry(rows)
        let columns = try s.registry.loadColumns()
        for _ in 0..<60 {
            // Centres and radii that put participants right on the edge of the circle and its box.
            let p = rows[Int.random(in: 0..<rows.count, using: &rng)]
            let q = rows[Int.random(in: 0..<rows.count, using: &rng)]
            let center = RDPoint(x: p.x, y: p.y)
            let r = RDPoint(x: q.x, y: q.y).distance(to: center)
            guard r > 0 else { continue }
            let incident = RDPoint(x: q.x, y: p.y)
            let got = try s.registry.selectWithRTree(circleCenter: center, radiusMeters: r, incident: incident)
            let want = Self.expected(columns, center: center, radiusMeters: r, incident: incident)
            #expect(got.map(\.id) == want.map(\.0))
            #expect(got.map(\.distanceMeters) == want.map(\.1))
        }
    }

    @Test func envelopeCandidatesIncludeTheEdges() throws {
        let s = try Self.registry([
            (1, 100_000, 400_000, "NL"), (2, 100_010, 400_010, "NL"), (3, 100_010.000001, 400_005, "NL"),
            (4, 100_005, 399_999.999999, "NL"),
        ])
        let got = try s.registry.selectWithRTree(
            envelope: Envelope(minX: 100_000, minY: 400_000, maxX: 100_010, maxY: 400_010),
            incident: RDPoint(x: 100_000, y: 400_000))
        #expect(got.map(\.id) == [2, 1])
    }

    @Test func theTreeIsAnInMemorySnapshotAndTheFileKeepsItsSchema() throws {
        let s = try Self.registry([(1, 120_000, 480_000, "NL")])
        let tables = { () throws -> [String] in
            try s.registry.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
        }
        let before = try tables()
        #expect(try s.registry.buildRTreeIndex() == 1)
        #expect(try tables() == before)
        _ = try s.registry.importCSV(
            try s.csv("id,x,y\n2,120001,480000\n", name: "b.csv"), options: ImportOptions(crs: .rdNew))
        let c = RDPoint(x: 120_000, y: 480_000)
        #expect(try s.registry.selectWithRTree(circleCenter: c, radiusMeters: 10, incident: c).map(\.id) == [1])
        #expect(try s.registry.buildRTreeIndex() == 2)
        #expect(try s.registry.selectWithRTree(circleCenter: c, radiusMeters: 10, incident: c).map(\.id) == [2, 1])
        // A second registry object on the same file has no tree until it builds (or queries) one.
        let other = try Registry.open(at: s.registry.path)
        #expect(try other.selectWithRTree(circleCenter: c, radiusMeters: 10, incident: c).map(\.id) == [2, 1])
    }
}
