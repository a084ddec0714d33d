import Foundation

/// An action's area as the audit recorded it, read back: a circle
/// (`circle around POINT (lon lat), radius r m`) or the outer rings of a WGS84 GeoJSON
/// Polygon or MultiPolygon. `nil` for anything else (an area in another CRS, an area too large to
/// be recorded): what uses it then leaves the area out rather than guess.
enum RecordedArea: Equatable {
    case circle(lon: Double, lat: Double, radiusMeters: Double)
    /// Outer rings of `[lon, lat]` pairs, each closed and at least 4 points.
    case rings([[[Double]]])

    init?(_ text: String?) {
        guard let text else { return nil }
        if text.hasPrefix("circle around POINT (") {
            let numbers = text.split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
            guard numbers.count >= 3 else { return nil }
            let (lon, lat, r) = (numbers[0], numbers[1], numbers[2])
            guard abs(lon) <= 180, abs(lat) < 90, r > 0, r.isFinite else { return nil }
            self = .circle(lon: lon, lat: lat, radiusMeters: r)
            return
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return nil }
        let geometry = (object["geometry"] as? [String: Any]) ?? object
        if object["crs"] != nil || geometry["crs"] != nil { return nil }  // not WGS84 longitude, latitude
        let polygons: [[[[Double]]]]
        switch geometry["type"] as? String {
        case "Polygon": polygons = [(geometry["coordinates"] as? [[[Double]]]) ?? []]
        case "MultiPolygon": polygons = (geometry["coordinates"] as? [[[[Double]]]]) ?? []
        default: return nil
        }
        let rings = polygons.compactMap(\.first).filter { ring in
            ring.count >= 4 && ring.allSatisfy { $0.count >= 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 }
        }
        guard !rings.isEmpty, rings.count == polygons.count else { return nil }
        self = .rings(rings.map { $0.map { [$0[0], $0[1]] } })
    }

    /// Metres per degree of latitude, and of longitude at the equator (a sphere of the WGS84
    /// equator's circumference: for drawing and generalising, not for selecting).
    static let metresPerDegree = 111_320.0

    /// The area as rings; a circle as a regular polygon of `sides` sides.
    func rings(sides: Int = 32) -> [[[Double]]] {
        switch self {
        case .rings(let rings): return rings
        case .circle(let lon, let lat, let r):
            let dLat = r / Self.metresPerDegree
            let dLon = r / (Self.metresPerDegree * cos(lat * .pi / 180))
            return [
                (0...sides).map { k -> [Double] in
                    let t = 2 * Double.pi * Double(k % sides) / Double(sides)
                    return [lon + dLon * cos(t), lat + dLat * sin(t)]
                }
            ]
        }
    }
}
