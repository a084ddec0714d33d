import Foundation
import GeoTestSupport
import Testing

@testable import Geo
@testable import GeoFormats

@Suite struct AreaReaderTests {
    func parse(_ json: String) throws -> AreaGeometry {
        try AreaReader.parseGeoJSON(Data(json.utf8), name: "a.geojson")
    }

    func message(_ json: String) -> String {
        do {
            _ = try parse(json)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func polygonFeatureAndCollectionGiveTheSameRings() throws {
        let ring = "[[5,52],[5.1,52],[5.1,52.1],[5,52.1],[5,52]]"
        let hole = "[[5.02,52.02],[5.02,52.05],[5.05,52.05],[5.05,52.02],[5.02,52.02]]"
        let polygon = #"{"type":"Polygon","coordinates":["# + ring + "," + hole + "]}"
        let a = try parse(polygon)
        let b = try parse(#"{"type":"Feature","properties":{"name":"x"},"geometry":"# + polygon + "}")
        let c = try parse(
            #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":null,"geometry":"# + polygon
                + "}]}")
        #expect(a.polygons == b.polygons && b.polygons == c.polygons)
        #expect(a.crs == .wgs84)
        #expect(a.polygons.count == 1 && a.polygons[0].shell.count == 5 && a.polygons[0].holes.count == 1)
        #expect(a.polygons[0].shell[1] == XY(5.1, 52))
    }

    @Test func multiPolygonKeepsEveryPart() throws {
        let g = try parse(
            #"{"type":"MultiPolygon","coordinates":[[[[5,52],[5.1,52],[5.1,52.1],[5,52]]],[[[6,51],[6.1,51],[6.1,51.1],[6,51]]]]}"#
        )
        #expect(g.polygons.count == 2)
        #expect(g.polygons[1].shell[0] == XY(6, 51))
    }

    @Test func legacyCRSMemberIsHonoured() throws {
        let g = try parse(
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"coordinates":[[[1,2],[3,2],[3,4],[1,2]]]}"#
        )
        #expect(g.crs == .rdNew)
        let h = try parse(
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:OGC:1.3:CRS84"}},"coordinates":[[[1,2],[3,2],[3,4],[1,2]]]}"#
        )
        #expect(h.crs == .wgs84)
    }

    @Test(arguments: [
        (
            #"{"type":"Polygon","coordinates":[[[5,true],[5.1,52],[5,52]]]}"#,
            "coordinates[0][0]: position values must be numbers"
        ),
        (
            #"{"type":"Polygon","coordinates":[[[5],[5.1,52],[5,52]]]}"#,
            "coordinates[0][0]: expected a position [lon, lat]"
        ),
        (#"{"type":"Polygon","coordinates":[]}"#, "the polygon is empty"),
        (#"{"type":"MultiPolygon","coordinates":[]}"#, "the MultiPolygon is empty"),
        (#"{"type":"LineString","coordinates":[[5,52],[6,52]]}"#, "expected a Polygon or MultiPolygon, got LineString"),
        (#"{"type":"GeometryCollection","geometries":[]}"#, ".geometries: the GeometryCollection is empty"),
        (#"{"type":"Feature","geometry":null}"#, "the Feature has no geometry"),
        (#"{"type":"FeatureCollection","features":[]}"#, "the FeatureCollection is empty (no features)"),
        (#"{"type":"Circle"}"#, "unknown GeoJSON type"),
        (#"{"coordinates":[]}"#, "missing \"type\""),
        (#"[1,2]"#, "top level: expected a JSON object"),
        (#"{"type":"Polygon","coordinates":[[[5,52]"#, "not valid JSON"),
        (
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"Amersfoort"}},"coordinates":[[[1,2],[3,2],[3,4],[1,2]]]}"#,
            "'Amersfoort' is not a CRS name this reader knows (EPSG:NNNN, urn:ogc:def:crs:EPSG::NNNN"
        ),
    ])
    func badGeoJSONNamesThePlace(json: String, expected: String) {
        let m = message(json)
        #expect(m.contains(expected), "\(m)")
        #expect(m.hasPrefix("a.geojson: "), "\(m)")
    }
}
