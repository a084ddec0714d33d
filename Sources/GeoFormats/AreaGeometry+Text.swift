import Foundation
import Geo

// MARK: - Writing areas as text

extension AreaGeometry {
    /// The area as GeoJSON: a Feature with the area's ``properties`` holding a Polygon or
    /// MultiPolygon, with a legacy `crs` member when the CRS is not WGS84 (as QGIS writes;
    /// ``AreaReader`` reads it back).
    ///
    /// Rings are written as RFC 7946 §3.1.6 wants them: shells counter-clockwise, holes
    /// clockwise (a ring drawn the other way, as CAP or WKT may have it, is reversed). Coordinates
    /// are written with Swift's shortest round-trip representation, so reading the file back
    /// gives the same doubles.
    public func geoJSONText() -> String {
        func ring(_ r: [XY]) -> String { "[" + r.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]" }
        func polygon(_ p: PlanarPolygon) -> String {
            "[" + ([p.shell] + p.holes).map(ring).joined(separator: ",") + "]"
        }
        let polygons = polygons.map(\.orientedRFC7946)
        let geometry =
            polygons.count == 1
            ? #"{"type":"Polygon","coordinates":"# + polygon(polygons[0]) + "}"
            : #"{"type":"MultiPolygon","coordinates":["# + polygons.map(polygon).joined(separator: ",") + "]}"
        let crsMember = crs == .wgs84 ? "" : #","crs":{"type":"name","properties":{"name":"EPSG:\#(crs.epsg)"}}"#
        return #"{"type":"Feature","properties":"# + properties.geoJSONObject + #","geometry":"# + geometry + crsMember
            + "}\n"
    }

    /// The area as WKT (`POLYGON`, `MULTIPOLYGON`, or `MULTIPOLYGON EMPTY`), coordinates in its CRS.
    public func wktText() -> String {
        func ring(_ r: [XY]) -> String { "(" + r.map { "\($0.x) \($0.y)" }.joined(separator: ", ") + ")" }
        func polygon(_ p: PlanarPolygon) -> String {
            "(" + ([p.shell] + p.holes).map(ring).joined(separator: ", ") + ")"
        }
        if polygons.isEmpty { return "MULTIPOLYGON EMPTY\n" }
        if polygons.count == 1 { return "POLYGON " + polygon(polygons[0]) + "\n" }
        return "MULTIPOLYGON (" + polygons.map(polygon).joined(separator: ", ") + ")\n"
    }
}
