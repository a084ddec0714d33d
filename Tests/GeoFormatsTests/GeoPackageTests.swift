import Foundation
import GeoTestSupport
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// GeoPackage writing and reading: the file against the standard's required contents (read
/// back with plain SQL), against GDAL's `ogrinfo`, and every error the reader names.
@Suite struct GeoPackageTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("gpkg") }

    /// A 10 km square near Utrecht with a hole, and a triangle: coordinates with all their digits.
    static let area = AreaGeometry(
        polygons: [
            PlanarPolygon(
                shell: [
                    XY(5.050000001, 52.05), XY(5.2012345678901, 52.05), XY(5.2012345678901, 52.14),
                    XY(5.05, 52.1400000009), XY(5.050000001, 52.05),
                ],
                holes: [[XY(5.1, 52.08), XY(5.1, 52.1), XY(5.12, 52.1), XY(5.12, 52.08), XY(5.1, 52.08)]]),
            PlanarPolygon(shell: [XY(5.3, 52.2), XY(5.31, 52.2), XY(5.31, 52.21), XY(5.3, 52.2)]),
        ], crs: .wgs84, source: "utrecht.geojson")

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func write(_ area: AreaGeometry, _ name: String) throws -> String {
        let p = path(name)
        let context = try GEOSContext()
        try GeoPackageWriter.writeArea(area, layer: "area", to: p, context: context)
        return p
    }

    func read(_ p: String, layer: String? = nil, crs: CRS? = nil) throws -> AreaGeometry {
        try GeoPackageReader.readArea(
            contentsOf: URL(fileURLWithPath: p), layer: layer, crs: crs, context: try GEOSContext())
    }

    func error(_ p: String, layer: String? = nil, crs: CRS? = nil) -> String {
        do {
            _ = try read(p, layer: layer, crs: crs)
            return "no error"
        } catch { return "\(error)" }
    }

    @Test func writtenAreaHasTheRequiredGeoPackageContents() throws {
        let p = try write(Self.area, "a.gpkg")
        let queue = try DatabaseQueue(path: p)
        try queue.read { db in
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == 0x4750_4B47)  // 'GPKG'
            #expect(try Int32.fetchOne(db, sql: "PRAGMA user_version") == 10300)
            #expect(
                try Int.fetchAll(db, sql: "SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id") == [-1, 0, 4326])
            let contents = try #require(try Row.fetchOne(db, sql: "SELECT * FROM gpkg_contents"))
            let table: String? = contents["table_name"]
            let dataType: String? = contents["data_type"]
            let srs: Int? = contents["srs_id"]
            let minX: Double? = contents["min_x"]
            let maxY: Double? = contents["max_y"]
            #expect(table == "area" && dataType == "features" && srs == 4326)
            #expect(minX == 5.05 && maxY == 52.21)
            let columns = try #require(try Row.fetchOne(db, sql: "SELECT * FROM gpkg_geometry_columns"))
            let type: String? = columns["geometry_type_name"]
            let column: String? = columns["column_name"]
            let z: Int? = columns["z"]
            let m: Int? = columns["m"]
            #expect(type == "MULTIPOLYGON" && column == "geom")
            #expect(z == 0 && m == 0)
            let blob = try #require(try Data.fetchOne(db, sql: "SELECT geom FROM area"))
            #expect(Array(blob.prefix(4)) == [0x47, 0x50, 0x00, 0x03])
        }
        try queue.close()
        let back = try read(p)
        #expect(back.polygons == Self.area.polygons && back.crs == .wgs84)
    }

    @Test func rdNewAreaKeepsItsCRS() throws {
        let rd = AreaGeometry(
            polygons: [
                PlanarPolygon(shell: [XY(155000, 463000), XY(156000, 463000), XY(156000, 464000), XY(155000, 463000)])
            ],
            crs: .rdNew, source: "rd.geojson")
        let p = try write(rd, "rd.gpkg")
        let back = try read(p)
        #expect(back.crs == .rdNew && back.polygons == rd.polygons)
        let queue = try DatabaseQueue(path: p)
        let orgs = try queue.read {
            try Row.fetchAll(
                $0,
                sql:
                    "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = 28992"
            )
        }
        try queue.close()
        let organization: String? = orgs.first?["organization"]
        let definition: String? = orgs.first?["definition"]
        #expect(orgs.count == 1 && organization == "EPSG")
        #expect(definition?.contains("Amersfoort") == true)
        #expect(error(p, crs: .wgs84).contains("is in EPSG:28992, but the CRS given is EPSG:4326; leave it out"))
        let given = #expect(throws: GeoError.self) { _ = try read(p, crs: .wgs84) }
        #expect(given?.remedies == [.dropCRS])
    }

    @Test(.enabled(if: ExternalTool.has("ogrinfo"), "ogrinfo missing: install gdal-bin (tools/test.sh does)"))
    func gdalOpensTheAreaFileAndPrintsTheSameCoordinates() async throws {
        let p = try write(Self.area, "gdal.gpkg")
        let r = try await ExternalTool.run("ogrinfo", ["-ro", "-al", p])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("ERROR") && !r.stderr.contains("Warning"), "\(r.stderr)")
        #expect(r.stdout.contains("Layer name: area"))
        #expect(r.stdout.contains("Geometry: Multi Polygon"))
        #expect(r.stdout.contains("Feature Count: 1"))
        #expect(r.stdout.contains("ID[\"EPSG\",4326]"), "\(r.stdout)")
        // The file it came from is in the layer's description, not an attribute column.
        #expect(r.stdout.contains("DESCRIPTION=area from utrecht.geojson"), "\(r.stdout)")
        #expect(!r.stdout.contains("(String) ="), "\(r.stdout)")
        let printed = try #require(r.stdout.split(separator: "\n").first { $0.contains("MULTIPOLYGON (((") })
        let numbers = printed.split(whereSeparator: { " (),".contains($0) }).compactMap { Double($0) }
        let expected = Self.area.polygons.flatMap { ([$0.shell] + $0.holes).flatMap { $0.flatMap { [$0.x, $0.y] } } }
        #expect(numbers.count == expected.count)
        for (a, b) in zip(numbers, expected) { #expect(abs(a - b) <= 1e-9, "\(a) vs \(b)") }
    }

    @Test(
        .enabled(
            if: ExternalTool.geoPackageValidator != nil,
            "GDAL's validate_gpkg.py missing: install python3-gdal (gdal-bin depends on it)"))
    func gdalsGeoPackageValidatorAcceptsEveryKindOfFile() async throws {
        let rd = AreaGeometry(
            polygons: [
                PlanarPolygon(shell: [XY(155000, 463000), XY(156000, 463000), XY(156000, 464000), XY(155000, 463000)])
            ],
            crs: .rdNew, source: "rd.geojson")
        let one = AreaGeometry(polygons: [Self.area.polygons[0]], crs: .wgs84, source: "one.geojson")
        let points = path("points.gpkg")
        try GeoPackageWriter.writePoints(count: 3, layer: "participants", description: "", to: points) { i in
            GeoPackagePoint(
                position: LonLat(lon: 5 + Double(i) / 10, lat: 52), participantID: Int64(10 - i), rank: i + 1,
                distanceMeters: 100 - Double(i), country: i == 1 ? nil : "NL")
        }
        for file in [try write(Self.area, "v1.gpkg"), try write(rd, "v2.gpkg"), try write(one, "v3.gpkg"), points] {
            let r = try await ExternalTool.validateGeoPackage(file)
            #expect(r.status == 0 && r.stdout.isEmpty && r.stderr.isEmpty, "\(file): \(r.stdout)\(r.stderr)")
        }
        // The validator can fail: a wrong user_version is reported.
        let broken = try write(one, "v4.gpkg")
        try alter(broken, "PRAGMA user_version = 0")
        let r = try await ExternalTool.validateGeoPackage(broken)
        #expect(r.status != 0 && r.stderr.contains("user_version"))
    }

    @Test func readerNamesWhatIsWrong() throws {
        let text = path("text.gpkg")
        try "POLYGON((0 0, 1 0, 1 1, 0 0))".write(toFile: text, atomically: true, encoding: .utf8)
        #expect(error(text).contains("not a SQLite file"))

        let plain = path("plain.sqlite")
        try DatabaseQueue(path: plain).write { try $0.execute(sql: "CREATE TABLE t (x)") }
        #expect(error(plain).contains("a SQLite database but not a GeoPackage (application_id 0"))

        let noColumns = try write(Self.area, "nocols.gpkg")
        try alter(noColumns, "DROP TABLE gpkg_geometry_columns")
        #expect(error(noColumns).contains("missing table gpkg_geometry_columns"))

        let empty = try write(Self.area, "empty.gpkg")
        try alter(empty, "DELETE FROM area")
        #expect(error(empty).contains("layer 'area' is empty (no features)"))

        let two = try write(Self.area, "two.gpkg")
        try alter(two, "INSERT INTO area (geom) SELECT geom FROM area")
        #expect(error(two).contains("layer 'area' holds 2 features; an area is one feature, so say which:\n  fid 1\n"))

        let nullGeometry = try write(Self.area, "null.gpkg")
        try alter(nullGeometry, "UPDATE area SET geom = NULL")
        #expect(error(nullGeometry).contains("feature 1: no geometry (NULL)"))

        let badBlob = try write(Self.area, "blob.gpkg")
        try alter(badBlob, "UPDATE area SET geom = x'0102030405060708'")
        #expect(
            error(badBlob).contains("feature 1: not a GeoPackage geometry: does not start with the GeoPackage magic"))

        let undefined = try write(Self.area, "undef.gpkg")
        try alter(undefined, "UPDATE gpkg_geometry_columns SET srs_id = 0; UPDATE gpkg_contents SET srs_id = 0")
        #expect(error(undefined).hasSuffix("srs_id 0 is an undefined coordinate system; give its CRS"))
        #expect((#expect(throws: GeoError.self) { _ = try read(undefined) })?.remedies == [.giveCRS(nil)])

        let custom = try write(Self.area, "custom.gpkg")
        try alter(
            custom,
            """
            INSERT INTO gpkg_spatial_ref_sys VALUES ('my grid', 100000, 'ACME', 7, 'LOCAL_CS["x"]', '');
            UPDATE gpkg_geometry_columns SET srs_id = 100000; UPDATE gpkg_contents SET srs_id = 100000
            """)
        #expect(error(custom).contains("srs_id 100000 ('my grid') is defined by 'ACME' code 7, not by EPSG"))

        let unknown = try write(Self.area, "unknown.gpkg")
        try alter(
            unknown,
            """
            INSERT INTO gpkg_spatial_ref_sys VALUES ('nothing', 999999, 'EPSG', 999999, 'undefined', '');
            UPDATE gpkg_geometry_columns SET srs_id = 999999; UPDATE gpkg_contents SET srs_id = 999999
            """)
        #expect(error(unknown).contains("EPSG:999999 is not a coordinate reference system PROJ knows"))
    }

    @Test func readingAndWritingFreeEveryGEOSHandle() throws {
        let p = path("leak.gpkg")
        let point = path("leak-point.gpkg")
        try withCheckedContext { context in
            try GeoPackageWriter.writeArea(Self.area, layer: "area", to: p, context: context)
            let back = try GeoPackageReader.readArea(
                contentsOf: URL(fileURLWithPath: p), layer: nil, crs: nil, context: context)
            #expect(back.polygons == Self.area.polygons)
        }
        // The error path after GEOS has parsed the WKB (a point where an area is needed).
        try FileManager.default.copyItem(atPath: p, toPath: point)
        try alter(point, "UPDATE area SET geom = x'47500001E61000000101000000000000000000F03F0000000000000040'")
        try withCheckedContext { context in
            #expect(throws: GeoError.self) {
                try GeoPackageReader.readArea(
                    contentsOf: URL(fileURLWithPath: point), layer: nil, crs: nil, context: context)
            }
        }
    }

    @Test func layerChoice() throws {
        let p = try write(Self.area, "layers.gpkg")
        // A second polygon layer (a copy) and a point layer.
        try alter(
            p,
            """
            CREATE TABLE other (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POLYGON);
            INSERT INTO other (geom) SELECT geom FROM area;
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('other', 'features', 'other', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('other', 'geom', 'POLYGON', 4326, 0, 0);
            CREATE TABLE pts (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom POINT);
            INSERT INTO pts (geom) VALUES (x'47500001E61000000101000000000000000000F03F0000000000000040');
            INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('pts', 'features', 'pts', 4326);
            INSERT INTO gpkg_geometry_columns VALUES ('pts', 'geom', 'POINT', 4326, 0, 0);
            """)
        #expect(error(p).contains("2 layers could hold the area (area, other); choose one by its name (the layer to read)"))
        #expect(try read(p, layer: "other").polygons == Self.area.polygons)
        #expect(error(p, layer: "pts").contains("layer 'pts' holds POINT geometries"))
        #expect(
            error(p, layer: "nope").contains(
                "no feature layer 'nope'; it has area (MULTIPOLYGON), other (POLYGON), pts (POINT)"))
        // A layer declared GEOMETRY that holds a point: the geometry itself is checked.
        try alter(p, "UPDATE gpkg_geometry_columns SET geometry_type_name = 'GEOMETRY' WHERE table_name = 'pts'")
        #expect(error(p, layer: "pts").contains("feature 1: expected a Polygon or MultiPolygon, got Point"))
    }

    @Test func writerRefusesAnExistingFileAndBadLayerNames() throws {
        let p = try write(Self.area, "exists.gpkg")
        let context = try GEOSContext()
        #expect(throws: GeoError.self) {
            try GeoPackageWriter.writeArea(Self.area, layer: "area", to: p, context: context)
        }
        for bad in ["", "1a", "a b", "gpkg_x", "x\"y"] {
            #expect(throws: GeoError.self) {
                try GeoPackageWriter.writeArea(Self.area, layer: bad, to: path("n\(bad.count).gpkg"), context: context)
            }
        }
    }

    /// Runs SQL on a GeoPackage (to break it on purpose), with the functions the spatial index
    /// triggers call.
    func alter(_ p: String, _ sql: String) throws { try alterGeoPackage(p, sql) }
}
