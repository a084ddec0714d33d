/// The file formats of action areas: what `fanout area convert` writes, and what a read area came from.
public enum AreaFormat: String, Sendable, CaseIterable {
    /// RFC 7946 GeoJSON (a Feature; a legacy `crs` member when not WGS84).
    case geojson
    /// WKT `POLYGON`/`MULTIPOLYGON` (the CRS is not stored).
    case wkt
    /// An OASIS CAP 1.2 alert with the area as `<polygon>`s (always WGS84).
    case cap
    /// An OGC GeoPackage 1.3 with one polygon layer.
    case gpkg

    /// The format a file name's extension implies: `.geojson`/`.json`, `.wkt`, `.cap`/`.xml`, `.gpkg`.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "geojson", "json": self = .geojson
        case "wkt": self = .wkt
        case "cap", "xml": self = .cap
        case "gpkg": self = .gpkg
        default: return nil
        }
    }

    /// Whether the format prescribes a ring orientation.
    ///
    /// Only GeoJSON does: RFC 7946 §3.1.6 wants exterior rings counter-clockwise and holes
    /// clockwise (parsers must still accept either). CAP 1.2 polygons are a list of points with
    /// no direction; WKT and GeoPackage geometries follow OGC Simple Features, where GEOS, GDAL
    /// and PostGIS accept either direction and validity does not depend on it.
    public var prescribesRingOrientation: Bool { self == .geojson }
}
