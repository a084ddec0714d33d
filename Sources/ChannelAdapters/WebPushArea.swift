import Foundation
/// An action's area made small enough for a push: at most a given number of vertices over all
/// its polygons, so that an app can tell on the phone whether it is inside (as Burgernet's app
/// does) without asking the service.
///
/// Each polygon's outer ring is simplified with Douglas–Peucker under a vertex budget: starting
/// from the ring's first vertex and the vertex farthest from it, the vertex farthest from the
/// simplified ring is added until the budget is used or every vertex left is on it. Distances are
/// in degrees with longitude scaled by the cosine of the latitude (locally metric). Coordinates
/// are rounded to 5 decimals (about 1 m). Holes are left out (a phone in a hole counts as inside:
/// the alert errs on the side of reaching someone), and so are the smallest polygons when there
/// are more than the budget has room for (3 vertices each).
///
/// - Note: A simplified ring may cross itself where the original ring nearly touched itself; an
///   even-odd point-in-polygon test still gives an answer for every point.
enum WebPushArea {
    /// Decimal places kept: 5 (about 1.1 m of latitude).
    static let scale = 100_000.0

    /// `polygons` (each a ring of `[lon, lat]`, closed or not) with at most `maxVertices` distinct
    /// vertices in all, each ring closed again; vertices that are not two finite numbers in range
    /// are dropped, and rings with fewer than 3 vertices left.
    ///
    /// - Complexity: O(n · k) for n vertices and a budget of k.
    static func simplified(_ polygons: [[[Double]]], maxVertices: Int) -> [[[Double]]] {
        var rings: [[(x: Double, y: Double)]] = []
        for polygon in polygons {
            var ring: [(x: Double, y: Double)] = []
            for p in polygon {
                guard p.count == 2, p[0].isFinite, p[1].isFinite, abs(p[0]) <= 180, abs(p[1]) <= 90 else { continue }
                if let last = ring.last, last.x == p[0], last.y == p[1] { continue }
                ring.append((p[0], p[1]))
            }
            if ring.count > 1, let first = ring.first, let last = ring.last, first == last { ring.removeLast() }
            if ring.count >= 3 { rings.append(ring) }
        }
        guard !rings.isEmpty, maxVertices >= 3 else { return [] }
        // The largest polygons (by bounding box) that the budget has room for, in their order.
        let room = maxVertices / 3
        if rings.count > room {
            let bySize = rings.indices.sorted { boxArea(rings[$0]) > boxArea(rings[$1]) }
            let keep = Set(bySize.prefix(room))
            rings = rings.indices.filter { keep.contains($0) }.map { rings[$0] }
        }
        // 3 vertices each, the rest shared in proportion to what each ring has beyond 3.
        let spare = maxVertices - 3 * rings.count
        let extra = rings.map { $0.count - 3 }
        let extraTotal = extra.reduce(0, +)
        var out: [[[Double]]] = []
        for (i, ring) in rings.enumerated() {
            let share = extraTotal == 0 ? 0 : extra[i] * spare / extraTotal
            let kept = simplify(ring, keep: min(ring.count, 3 + share))
            var rounded: [[Double]] = []
            for p in kept {
                let q = [(p.x * scale).rounded() / scale, (p.y * scale).rounded() / scale]
                if rounded.last != q { rounded.append(q) }
            }
            if rounded.count > 1, rounded.first == rounded.last { rounded.removeLast() }
            guard rounded.count >= 3, let first = rounded.first else { continue }
            out.append(rounded + [first])
        }
        return out
    }

    /// The number of distinct vertices of `polygons` (closing vertices not counted).
    static func vertexCount(_ polygons: [[[Double]]]) -> Int {
        polygons.reduce(0) { $0 + max(0, $1.count - 1) }
    }

    private static func boxArea(_ ring: [(x: Double, y: Double)]) -> Double {
        let xs = ring.map(\.x)
        let ys = ring.map(\.y)
        return ((xs.max() ?? 0) - (xs.min() ?? 0)) * ((ys.max() ?? 0) - (ys.min() ?? 0))
    }

    /// Douglas–Peucker on an open ring (its last vertex joins its first) keeping `keep` vertices.
    static func simplify(_ ring: [(x: Double, y: Double)], keep: Int) -> [(x: Double, y: Double)] {
        let n = ring.count
        guard n > keep, keep >= 3 else { return ring }
        let meanLat = ring.reduce(0) { $0 + $1.y } / Double(n)
        let k = cos(meanLat * .pi / 180)
        let pts = ring.map { (x: $0.x * k, y: $0.y) }
        // The farthest vertex from the first splits the ring into two chains.
        var far = 1
        var farDistance = -1.0
        for i in 1..<n {
            let d = hypot(pts[i].x - pts[0].x, pts[i].y - pts[0].y)
            if d > farDistance { (far, farDistance) = (i, d) }
        }
        struct Segment {
            var from: Int
            var to: Int  // n stands for vertex 0 again
            var worst: Int
            var distance: Double
        }
        func segment(_ a: Int, _ b: Int) -> Segment {
            var worst = -1
            var distance = -1.0
            if b - a > 1 {
                for i in (a + 1)..<b {
                    let d = distanceToSegment(pts[i], pts[a % n], pts[b % n])
                    if d > distance { (worst, distance) = (i, d) }
                }
            }
            return Segment(from: a, to: b, worst: worst, distance: distance)
        }
        var segments = [segment(0, far), segment(far, n)]
        var kept = [0, far]
        while kept.count < keep {
            guard let i = segments.indices.max(by: { segments[$0].distance < segments[$1].distance }),
                segments[i].worst >= 0, segments[i].distance > 1e-9
            else { break }
            let s = segments[i]
            kept.append(s.worst)
            segments.replaceSubrange(i...i, with: [segment(s.from, s.worst), segment(s.worst, s.to)])
        }
        return kept.sorted().map { ring[$0] }
    }

    /// The distance from `p` to the segment `a`–`b`.
    private static func distanceToSegment(
        _ p: (x: Double, y: Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)
    ) -> Double {
        let dx = b.x - a.x
        let dy = b.y - a.y
        let length2 = dx * dx + dy * dy
        guard length2 > 0 else { return hypot(p.x - a.x, p.y - a.y) }
        let t = max(0, min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2))
        return hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy))
    }
}
