import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// What GIS and office tools write that a strict reader would refuse: a UTF-8 byte-order mark, a
/// GeometryCollection of polygons, EMPTY holes, CRS names as URNs and URLs.
@Suite struct RealToolInputTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("real-tool-input") }

    static let bom = Data([0xEF, 0xBB, 0xBF])
    static let square = "[[5.1,52.0],[5.2,52.0],[5.2,52.1],[5.1,52.1],[5.1,52.0]]"
    static let squareXY = [XY(5.1, 52.0), XY(5.2, 52.0), XY(5.2, 52.1), XY(5.1, 52.1), XY(5.1, 52.0)]

    func read(_ text: String, _ name: String, bom: Bool = false, crs: CRS? = nil) throws -> AreaGeometry {
        let url = dir.appendingPathComponent(name)
        try ((bom ? Self.bom : Data()) + Data(text.utf8)).write(to: url)
        return try AreaReader.read(contentsOf: url, crs: crs, context: try GEOSContext())
    }

    func message(_ text: String, _ name: String) -> String {
        do {
            _ = try read(text, name)
            return "no error"
        } catch { return "\(error)" }
    }

    // MARK: - Byte-order mark

    @Test func aByteOrderMarkBeforeGeoJSONWKTAndCAPIsSkipped() throws {
        let geojson = #"{"type":"Polygon","coordinates":["# + Self.square + "]}"
        let wkt = "POLYGON((5.1 52, 5.2 52, 5.2 52.1, 5.1 52.1, 5.1 52))"
        let cap = try String(contentsOf: Fixtures.url("CLITests/Fixtures/cap/thunderstorm.cap"), encoding: .utf8)
        for (text, name) in [(geojson, "a.geojson"), (wkt, "a.wkt"), (cap, "a.cap")] {
            let plain = try read(text, "plain-" + name)
            let marked = try read(text, "bom-" + name, bom: true)
            #expect(marked.polygons == plain.polygons, "\(name)")
        }
        #expect(try read(geojson, "b.geojson", bom: true).polygons[0].shell == Self.squareXY)
        // CAP with a mark went to the WKT reader before; now its polygon (lat,lon swapped) comes out.
        #expect(try read(cap, "c.cap", bom: true).polygons[0].shell[0] == XY(-120.14, 38.47))
    }

    // MARK: - GeometryCollection

    @Test func aGeometryCollectionOfPolygonsIsAMultiPolygon() throws {
        let other = "[[6.1,52.0],[6.2,52.0],[6.2,52.1],[6.1,52.0]]"
        let collection =
            #"{"type":"Feature","properties":{"name":"Baarle-Hertog"},"geometry":{"type":"GeometryCollection","#
            + #""geometries":[{"type":"Polygon","coordinates":["# + Self.square + #"]},"#
            + #"{"type":"MultiPolygon","coordinates":[["# + other + "]]}]}}"
        let area = try read(collection, "gc.geojson")
        #expect(area.polygons.count == 2)
        #expect(area.polygons[0].shell == Self.squareXY && area.polygons[1].shell[0] == XY(6.1, 52.0))
    }

    @Test func aGeometryCollectionWithOtherMembersIsRefusedNamingTheMember() {
        let mixed =
            #"{"type":"GeometryCollection","geometries":[{"type":"Polygon","coordinates":["# + Self.square
            + #"]},{"type":"Point","coordinates":[5,52]}]}"#
        let m = message(mixed, "mixed.geojson")
        #expect(
            m.hasSuffix(
                "mixed.geojson: .geometries[1]: a GeometryCollection is an area only when all its members are "
                    + "Polygons or MultiPolygons; this one is a Point"), "\(m)")
    }

    // MARK: - EMPTY holes

    @Test func emptyHolesAreDropped() throws {
        let wkt = try read("POLYGON((5.1 52, 5.2 52, 5.2 52.1, 5.1 52.1, 5.1 52), EMPTY)", "eh.wkt")
        #expect(wkt.polygons == [PlanarPolygon(shell: Self.squareXY)])
        let multi = try read("MULTIPOLYGON(((5.1 52, 5.2 52, 5.2 52.1, 5.1 52.1, 5.1 52), EMPTY, EMPTY))", "ehm.wkt")
        #expect(multi.polygons == [PlanarPolygon(shell: Self.squareXY)])
        let json = try read(#"{"type":"Polygon","coordinates":["# + Self.square + ",[]]}", "eh.geojson")
        #expect(json.polygons == [PlanarPolygon(shell: Self.squareXY)])
        // And the polygon is valid, as GEOS and JTS say.
        let context = try GEOSContext()
        #expect(try context.makeMultiPolygon(wkt.polygons).validity().isValid)
    }

    // MARK: - CRS names

    @Test(arguments: [
        ("EPSG:28992", 28992), ("epsg:28992", 28992), ("28992", 28992),
        ("http://www.opengis.net/def/crs/EPSG/0/28992", 28992),
        ("https://www.opengis.net/def/crs/EPSG/0/3812", 3812),
        ("urn:ogc:def:crs:EPSG::28992", 28992), ("urn:ogc:def:crs:EPSG:6.18:31370", 31370),
        ("URN:OGC:DEF:CRS:EPSG::4326", 4326),
        ("urn:ogc:def:crs:OGC:1.3:CRS84", 4326), ("urn:ogc:def:crs:OGC::CRS84", 4326),
        ("http://www.opengis.net/def/crs/OGC/1.3/CRS84", 4326), ("OGC:CRS84", 4326), ("CRS84", 4326),
    ])
    func crsNamesInEveryForm(text: String, epsg: Int) {
        #expect(CRS(parsing: text) == CRS(epsg: epsg), "\(text)")
    }

    @Test(arguments: [
        "", "EPSG:", "EPSG:abc", "EPSG:-1", "Amersfoort", "urn:ogc:def:crs:EPSG:28992",
        "urn:ogc:def:crs:ACME::28992", "http://www.opengis.net/def/crs/EPSG/0/", "EPSG:CRS84", "EPSG:28992:1",
        "http://example.com/def/crs/EPSG/0/28992",
    ])
    func otherTextIsNotACRS(text: String) {
        #expect(CRS(parsing: text) == nil, "\(text)")
    }

    @Test func theGeoJSONCRSMemberTakesTheSameForms() throws {
        for name in ["urn:ogc:def:crs:EPSG::28992", "http://www.opengis.net/def/crs/EPSG/0/28992", "EPSG:28992"] {
            let json =
                #"{"type":"Polygon","crs":{"type":"name","properties":{"name":""# + name
                + #""}},"coordinates":[[[120000,480000],[121000,480000],[121000,481000],[120000,480000]]]}"#
            #expect(try read(json, "rd.geojson").crs == .rdNew, "\(name)")
        }
    }
}
