import Foundation

// Area shapes as plain lon/lat rings, for tests that write area files or check membership by hand.

/// A GeoJSON polygon from lon/lat rings.
public func geoJSONPolygon(_ rings: [[(Double, Double)]]) -> String {
    let body = rings.map { r in "[" + r.map { "[\($0.0),\($0.1)]" }.joined(separator: ",") + "]" }.joined(
        separator: ",")
    return #"{"type":"Polygon","coordinates":["# + body + "]}"
}

/// A counter-clockwise square around Utrecht (about 10 × 10 km).
public let utrecht: [(Double, Double)] = [(5.05, 52.05), (5.20, 52.05), (5.20, 52.14), (5.05, 52.14), (5.05, 52.05)]

/// Even-odd point-in-polygon over a set of rings.
public func evenOdd(_ rings: [[(Double, Double)]], _ x: Double, _ y: Double) -> Bool {
    var inside = false
    for ring in rings where ring.count > 2 {
        var j = ring.count - 1
        for i in 0..<ring.count {
            let (xi, yi) = ring[i]
            let (xj, yj) = ring[j]
            if (yi > y) != (yj > y), x < (xj - xi) * (y - yi) / (yj - yi) + xi { inside.toggle() }
            j = i
        }
    }
    return inside
}

/// A polygon approximating a circle of `radius` metres around a lon/lat point (72 vertices).
public func circleRing(lon: Double, lat: Double, radius: Double) -> [(Double, Double)] {
    var ring: [(Double, Double)] = (0..<72).map { k in
        let a = 2 * Double.pi * Double(k) / 72
        return (
            lon + radius * cos(a) / (111_320 * cos(lat * .pi / 180)), lat + radius * sin(a) / 110_950
        )
    }
    ring.append(ring[0])
    return ring
}
