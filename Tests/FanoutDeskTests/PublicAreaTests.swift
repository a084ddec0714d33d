@testable import FanoutDesk
import Foundation
import Geo
import Testing

/// The public feeds' generalised area covers every point of the real one, shows neither the
/// incident point nor the drawn vertices, and is one convex ring however the area was drawn.
/// Coverage is checked with an independent measure: the haversine distance, and for polygons
/// points sampled along every edge of the real area.
@Suite struct PublicAreaTests {
    static func haversine(_ a: LonLat, _ b: LonLat) -> Double {
        let r = 6_371_008.8
        let (p1, p2) = (a.lat * .pi / 180, b.lat * .pi / 180)
        let h = pow(sin((p2 - p1) / 2), 2) + cos(p1) * cos(p2) * pow(sin((b.lon - a.lon) * .pi / 360), 2)
        return 2 * r * asin(min(1, h.squareRoot()))
    }

    @Test func circlesKeepTheWholeAreaInsideWithTheirCentreRounded() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let lon = Double.random(in: 3.3...7.2, using: &rng)
            let lat = Double.random(in: 50.7...53.6, using: &rng)
            let r = Double.random(in: 50...20_000, using: &rng)
            guard case .circle(let c, let radius) = PublicArea.generalising(.circle(lon: lon, lat: lat, radiusMeters: r))
            else { Issue.record("a circle became a polygon"); return }
            // Every point of the real circle is within `radius` of the public centre, with the margin.
            #expect(Self.haversine(c, LonLat(lon: lon, lat: lat)) + r + 240 <= radius, "\(lon) \(lat) \(r) → \(c) \(radius)")
            #expect(radius.truncatingRemainder(dividingBy: 100) == 0)
            #expect(Self.onGrid(c.lon, 100) && Self.onGrid(c.lat, 100), "\(c)")
        }
    }

    @Test func polygonsBecomeOneConvexRingAroundEveryPointOfTheRealArea() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            // A star-shaped polygon (concave), sometimes two of them (a MultiPolygon).
            let parts = Int.random(in: 1...2, using: &rng)
            var rings: [[[Double]]] = []
            for _ in 0..<parts {
                let lon = Double.random(in: 4...6.5, using: &rng)
                let lat = Double.random(in: 51...53, using: &rng)
                let n = Int.random(in: 3...12, using: &rng)
                var ring = (0..<n).map { k -> [Double] in
                    let t = 2 * Double.pi * Double(k) / Double(n)
                    let d = Double.random(in: 0.002...0.03, using: &rng)
                    return [lon + d * cos(t) * 1.6, lat + d * sin(t)]
                }
                ring.append(ring[0])
                rings.append(ring)
            }
            let area = PublicArea.generalising(.rings(rings))
            guard case .polygon(let ring) = area else { Issue.record("a polygon became a circle"); return }
            #expect(ring.first == ring.last && ring.count >= 4)
            for p in ring.dropLast() {
                #expect(Self.onGrid(p.lon, 1000) && Self.onGrid(p.lat, 1000), "\(p)")
            }
            // Points along every real edge are inside, and at least about 100 m from the public ring.
            for real in rings {
                for (a, b) in zip(real, real.dropFirst()) {
                    for s in stride(from: 0.0, through: 1.0, by: 0.125) {
                        let p = LonLat(lon: a[0] + (b[0] - a[0]) * s, lat: a[1] + (b[1] - a[1]) * s)
                        #expect(area.contains(p), "\(p) is outside the public area")
                        let nearest = zip(ring, ring.dropFirst()).map { Self.distance(p, $0, $1) }.min() ?? 0
                        #expect(nearest >= 100, "\(p) is \(nearest) m from the public ring")
                    }
                }
            }
        }
    }

    /// Whether `v` is a whole multiple of 1/`steps` (to within floating-point error).
    static func onGrid(_ v: Double, _ steps: Double) -> Bool { abs(v * steps - (v * steps).rounded()) < 1e-9 }

    /// Metres from `p` to the segment `a`–`b` (locally flat, haversine-scaled).
    static func distance(_ p: LonLat, _ a: LonLat, _ b: LonLat) -> Double {
        let kx = haversine(LonLat(lon: p.lon, lat: p.lat), LonLat(lon: p.lon + 0.01, lat: p.lat)) / 0.01
        let ky = haversine(LonLat(lon: p.lon, lat: p.lat), LonLat(lon: p.lon, lat: p.lat + 0.01)) / 0.01
        let (ax, ay) = ((a.lon - p.lon) * kx, (a.lat - p.lat) * ky)
        let (bx, by) = ((b.lon - p.lon) * kx, (b.lat - p.lat) * ky)
        let (dx, dy) = (bx - ax, by - ay)
        let t = max(0, min(1, -(ax * dx + ay * dy) / max(dx * dx + dy * dy, 1e-12)))
        let (x, y) = (ax + t * dx, ay + t * dy)
        return (x * x + y * y).squareRoot()
    }
}
