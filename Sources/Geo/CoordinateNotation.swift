/// How an area file writes a position, for messages that quote one back to its author.
///
/// GeoJSON, WKT and GeoPackage put x (longitude) first; CAP writes `lat,lon` pairs. A message
/// that shows a position shows it the way the file's format writes it, so that a hint about
/// swapped coordinates shows what the author wrote and what they should write instead.
public enum CoordinateNotation: String, Sendable, Equatable, Codable {
    /// `[x, y]` (RFC 7946: `[lon, lat]`).
    case geoJSON
    /// `x y` (`lon lat` for WGS84).
    case wkt
    /// `lat,lon` (CAP `<polygon>` and `<circle>`).
    case cap
    /// `x, y` as stored (longitude first for WGS84).
    case geoPackage

    /// The position `p` (x = longitude for WGS84) as the format writes it: `[5.1, 52.08]`,
    /// `5.1 52.08`, `52.08,5.1` (CAP) or `5.1, 52.08`.
    public func written(_ p: XY) -> String {
        switch self {
        case .geoJSON: "[\(p.x), \(p.y)]"
        case .wkt: "\(p.x) \(p.y)"
        case .cap: "\(p.y),\(p.x)"
        case .geoPackage: "\(p.x), \(p.y)"
        }
    }

    /// The format and its WGS84 axis order, for messages: `CAP polygons are lat,lon`.
    public var orderText: String {
        switch self {
        case .geoJSON: "GeoJSON positions are [lon, lat]"
        case .wkt: "WKT points are lon lat"
        case .cap: "CAP polygons are lat,lon pairs"
        case .geoPackage: "GeoPackage WGS84 points are x = lon, y = lat"
        }
    }

    /// What to say when the latitude and longitude of `p` (as read: x = longitude) look swapped:
    /// the format's order, what to write and what was written.
    public func swapHint(_ p: XY) -> String {
        "latitude and longitude look swapped (\(orderText): write \(written(XY(p.y, p.x))), not \(written(p)))"
    }
}

extension CoordinateNotation {
    /// How files of `format` write positions; GeoJSON's for an area made in code (`nil`).
    public init(_ format: AreaFormat?) {
        switch format {
        case .wkt: self = .wkt
        case .cap: self = .cap
        case .gpkg: self = .geoPackage
        case .geojson, nil: self = .geoJSON
        }
    }
}
