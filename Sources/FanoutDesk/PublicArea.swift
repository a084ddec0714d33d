import Foundation
import Geo

/// An action's area as the public sees it: coarse enough that the incident point (often a home)
/// cannot be read from it, and still covering every point of the real area.
///
/// - A circle: its centre rounded to 0.01° (about 1.1 km north–south, 0.7 km east–west here), its
///   radius grown by the distance the centre moved plus ``margin``, rounded up to whole 100 m.
/// - Polygons: the convex hull of all their vertices, widened by ``margin`` (the Minkowski sum with
///   an octagon around a circle of that radius), vertices rounded away from the middle to 0.001°
///   (which moves an edge by at most 131 m, inside the margin). One ring, whatever was drawn.
///
/// Distances use a sphere of 111,320 m per degree: the margin absorbs its error.
public enum PublicArea: Sendable, Equatable {
    case circle(center: LonLat, radiusMeters: Double)
    /// One closed ring, counter-clockwise.
    case polygon([LonLat])

    /// How far the public area reaches past the real one, at least (metres).
    public static let margin = 250.0

    /// The public area of a recorded area.
    static func generalising(_ area: RecordedArea) -> PublicArea {
        switch area {
        case .circle(let lon, let lat, let r):
            let center = LonLat(lon: (lon * 100).rounded() / 100, lat: (lat * 100).rounded() / 100)
            let moved = distance(LonLat(lon: lon, lat: lat), center)
            return .circle(center: center, radiusMeters: ((r + moved + margin) / 100).rounded(.up) * 100)
        case .rings(let rings):
            let points = rings.flatMap { $0 }.map { LonLat(lon: $0[0], lat: $0[1]) }
            let lat0 = points.map(\.lat).reduce(0, +) / Double(max(points.count, 1))
            let dLat = margin / cos(Double.pi / 8) / RecordedArea.metresPerDegree
            let dLon = dLat / cos(lat0 * .pi / 180)
            // The octagon's corners lie outside the margin's circle: its edges are `margin` away.
            let octagon = (0..<8).map { k -> (Double, Double) in
                let t = Double.pi / 8 + Double(k) * Double.pi / 4
                return (dLon * cos(t), dLat * sin(t))
            }
            let widened = hull(points).flatMap { p in octagon.map { LonLat(lon: p.lon + $0.0, lat: p.lat + $0.1) } }
            // Round away from the middle, so rounding never pulls the ring inwards.
            let c = centroid(of: widened)
            func outward(_ v: Double, _ mid: Double) -> Double {
                (v >= mid ? (v * 1000).rounded(.up) : (v * 1000).rounded(.down)) / 1000
            }
            let ring = hull(hull(widened).map { LonLat(lon: outward($0.lon, c.lon), lat: outward($0.lat, c.lat)) })
            return .polygon(ring + [ring[0]])
        }
    }

    /// Whether `p` lies in the public area (for tests: every point of the real area must).
    public func contains(_ p: LonLat) -> Bool {
        switch self {
        case .circle(let center, let r): return Self.distance(center, p) <= r
        case .polygon(let ring):
            // Counter-clockwise convex ring: `p` is left of (or on) every edge.
            return zip(ring, ring.dropFirst()).allSatisfy { a, b in
                (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon) >= -1e-12
            }
        }
    }

    /// The distance in metres on the sphere of ``RecordedArea/metresPerDegree`` (equirectangular:
    /// exact enough over the few kilometres of an action).
    static func distance(_ a: LonLat, _ b: LonLat) -> Double {
        let k = RecordedArea.metresPerDegree
        let dx = (b.lon - a.lon) * k * cos((a.lat + b.lat) / 2 * .pi / 180)
        let dy = (b.lat - a.lat) * k
        return (dx * dx + dy * dy).squareRoot()
    }

    private static func centroid(of points: [LonLat]) -> LonLat {
        let n = Double(max(points.count, 1))
        return LonLat(lon: points.map(\.lon).reduce(0, +) / n, lat: points.map(\.lat).reduce(0, +) / n)
    }

    /// The convex hull, counter-clockwise, without repeating the first point (Andrew's monotone chain).
    static func hull(_ points: [LonLat]) -> [LonLat] {
        let sorted = Set(points).sorted { ($0.lon, $0.lat) < ($1.lon, $1.lat) }
        guard sorted.count > 2 else { return sorted }
        func cross(_ o: LonLat, _ a: LonLat, _ b: LonLat) -> Double {
            (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon)
        }
        var lower: [LonLat] = []
        for p in sorted {
            while lower.count >= 2, cross(lower[lower.count - 2], lower[lower.count - 1], p) <= 0 { lower.removeLast() }
            lower.append(p)
        }
        var upper: [LonLat] = []
        for p in sorted.reversed() {
            while upper.count >= 2, cross(upper[upper.count - 2], upper[upper.count - 1], p) <= 0 { upper.removeLast() }
            upper.append(p)
        }
        return Array(lower.dropLast() + upper.dropLast())
    }
}
