import Foundation
import GeoTestSupport
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// The spatial index of every GeoPackage the writer makes (the RTree Spatial Indexes extension of
/// GeoPackage 1.3): declared, filled with each feature's bounding box, kept current by the
/// standard triggers when others edit the file, and found and used by GDAL.
@Suite struct GeoPackageSpatialIndexTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("rtree") }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func writeArea(_ name: String) throws -> String {
        let p = path(name)
        try GeoPackageWriter.writeArea(GeoPackageTests.area, layer: "area", to: p, context: try GEOSContext())
        return p
    }

    static let points = [LonLat(lon: 5.1, lat: 52.2), LonLat(lon: 4.9, lat: 52.4), LonLat(lon: 6.0, lat: 51.8)]

    func writePoints(_ name: String) throws -> String {
        let p = path(name)
        try GeoPackageWriter.writePoints(count: Self.points.count, layer: "participants", description: "", to: p) { i in
            GeoPackagePoint(
                position: Self.points[i], participantID: Int64(100 + i), rank: i + 1, distanceMeters: 10,
                country: "NL")
        }
        return p
    }

    /// The index rows: id and box.
    func rtree(_ p: String, _ table: String) throws -> [Int64: Envelope] {
        let queue = try DatabaseQueue(path: p)
        defer { try? queue.close() }
        let rows = try queue.read { try Row.fetchAll($0, sql: "SELECT id, minx, maxx, miny, maxy FROM \(table)") }
        return Dictionary(
            uniqueKeysWithValues: rows.map {
                ($0[0], Envelope(minX: $0[1], minY: $0[3], maxX: $0[2], maxY: $0[4]))
            })
    }

    /// Whether `box` (32-bit floats, which SQLite rounds outward) holds `e` and is at most a
    /// float's rounding larger.
    func expectBox(_ box: Envelope?, around e: Envelope, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let box else {
            Issue.record("no index row", sourceLocation: sourceLocation)
            return
        }
        #expect(box.minX <= e.minX && box.maxX >= e.maxX, "\(box) vs \(e)", sourceLocation: sourceLocation)
        #expect(box.minY <= e.minY && box.maxY >= e.maxY, "\(box) vs \(e)", sourceLocation: sourceLocation)
        for (a, b) in [(box.minX, e.minX), (box.maxX, e.maxX), (box.minY, e.minY), (box.maxY, e.maxY)] {
            #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "\(a) vs \(b)", sourceLocation: sourceLocation)
        }
    }

    // MARK: - Contents

    @Test func writtenFilesDeclareAndFillTheirSpatialIndex() throws {
        let area = try writeArea("a.gpkg")
        let points = try writePoints("p.gpkg")
        for (p, table) in [(area, "area"), (points, "participants")] {
            let queue = try DatabaseQueue(path: p)
            try queue.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM gpkg_extensions"))
                let values: [String?] = ["table_name", "column_name", "extension_name", "definition", "scope"].map {
                    row[$0]
                }
                #expect(
                    values == [
                        table, "geom", "gpkg_rtree_index", "http://www.geopackage.org/spec130/#extension_rtree",
                        "write-only",
                    ])
                // The exact statement the standard's abstract test compares with.
                #expect(
                    try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'rtree_\(table)_geom'")
                        == "CREATE VIRTUAL TABLE \"rtree_\(table)_geom\" USING rtree(id, minx, maxx, miny, maxy)")
                let triggers = try String.fetchAll(
                    db, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
                // SQLite's own consistency check of the R*Tree structure.
                #expect(try String.fetchOne(db, sql: "SELECT rtreecheck('rtree_\(table)_geom')") == "ok")
                #expect(
                    triggers
                        == ["delete", "insert", "update1", "update2", "update3", "update4"].map {
                            "rtree_\(table)_geom_\($0)"
                        })
            }
            try queue.close()
        }
        let areaIndex = try rtree(area, "rtree_area_geom")
        #expect(areaIndex.count == 1)
        let envelope = try GEOSContext().makeMultiPolygon(GeoPackageTests.area.polygons).envelope()
        expectBox(areaIndex[1], around: envelope)
        let pointIndex = try rtree(points, "rtree_participants_geom")
        #expect(pointIndex.count == Self.points.count)
        for (i, p) in Self.points.enumerated() {
            expectBox(pointIndex[Int64(i + 1)], around: Envelope(minX: p.lon, minY: p.lat, maxX: p.lon, maxY: p.lat))
        }
    }

    // MARK: - Triggers

    @Test func theTriggersKeepTheIndexCurrentWhenTheLayerIsEdited() throws {
        let p = try writeArea("edit.gpkg")
        let square = GeoPackageBinary(
            srsID: 4326, envelope: nil,
            wkb: try GEOSContext().makePolygon(PlanarPolygon(shell: rectangle(4, 51, 4.5, 51.5))).toWKB())
        let point = GeoPackageBinary(srsID: 4326, envelope: nil, wkb: GeoPackageBinary.pointWKB(x: 6, y: 53))
        let squareBox = Envelope(minX: 4, minY: 51, maxX: 4.5, maxY: 51.5)
        let pointBox = Envelope(minX: 6, minY: 53, maxX: 6, maxY: 53)

        // insert: a new feature is indexed with its own box (from GEOS, not from a blob header).
        try alterGeoPackage(p, "INSERT INTO area (geom) VALUES (?)", arguments: [Data(square.encoded())])
        expectBox(try rtree(p, "rtree_area_geom")[2], around: squareBox)
        // update1: a new geometry, same fid.
        try alterGeoPackage(p, "UPDATE area SET geom = ? WHERE fid = 2", arguments: [Data(point.encoded())])
        expectBox(try rtree(p, "rtree_area_geom")[2], around: pointBox)
        // update3: the fid changes.
        try alterGeoPackage(p, "UPDATE area SET fid = 7 WHERE fid = 2")
        var index = try rtree(p, "rtree_area_geom")
        #expect(index[2] == nil)
        expectBox(index[7], around: pointBox)
        // update2: the geometry becomes NULL.
        try alterGeoPackage(p, "UPDATE area SET geom = NULL WHERE fid = 7")
        #expect(try rtree(p, "rtree_area_geom")[7] == nil)
        // update4: the fid changes and the geometry is NULL; then delete.
        try alterGeoPackage(p, "UPDATE area SET fid = 8 WHERE fid = 7; DELETE FROM area WHERE fid = 1")
        index = try rtree(p, "rtree_area_geom")
        #expect(index.isEmpty, "\(index)")
        // delete of an indexed feature.
        try alterGeoPackage(p, "INSERT INTO area (fid, geom) VALUES (9, ?)", arguments: [Data(square.encoded())])
        #expect(try rtree(p, "rtree_area_geom").keys.sorted() == [9])
        try alterGeoPackage(p, "DELETE FROM area WHERE fid = 9")
        #expect(try rtree(p, "rtree_area_geom").isEmpty)
    }

    // MARK: - GDAL

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogrinfo missing: install gdal-bin (tools/test.sh does)"))
    func gdalFindsAndUsesTheIndex() async throws {
        let area = try writeArea("gdal-area.gpkg")
        let points = try writePoints("gdal-points.gpkg")
        for (p, table) in [(area, "area"), (points, "participants")] {
            let r = try await ExternalTool.run(
                "ogrinfo", ["-ro", "-dialect", "SQLite", "-sql", "SELECT HasSpatialIndex('\(table)', 'geom')", p])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("HasSpatialIndex (Integer) = 1"), "\(r.stdout)")
        }
        // A spatial filter is answered through the R*Tree (GDAL's debug output shows the join),
        // inside the first part and outside everything.
        let inside = try await ExternalTool.run(
            "ogrinfo", ["-ro", "--debug", "on", "-so", area, "area", "-spat", "5.06", "52.06", "5.07", "52.07"])
        #expect(inside.stderr.contains("rtree_area_geom"), "\(inside.stderr)")
        #expect(inside.stdout.contains("Feature Count: 1"), "\(inside.stdout)")
        let outside = try await ExternalTool.run(
            "ogrinfo", ["-ro", "-so", area, "area", "-spat", "7", "53", "7.1", "53.1"])
        #expect(outside.stdout.contains("Feature Count: 0"), "\(outside.stdout)")
        let nearPoint = try await ExternalTool.run(
            "ogrinfo", ["-ro", "-so", points, "participants", "-spat", "4.89", "52.39", "4.91", "52.41"])
        #expect(nearPoint.stdout.contains("Feature Count: 1"), "\(nearPoint.stdout)")
    }

    @Test(
        .enabled(
            if: ExternalTool.hasGDAL && ExternalTool.geoPackageValidator != nil,
            "GDAL missing: install gdal-bin and python3-gdal (tools/test.sh does)"))
    func gdalAppendingGoesThroughTheTriggersAndTheFileStaysValid() async throws {
        let p = try writeArea("append.gpkg")
        let extra = dir.appendingPathComponent("extra.geojson")
        try
            #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[4,51],[4.5,51],[4.5,51.5],[4,51]]]}}"#
            .write(to: extra, atomically: true, encoding: .utf8)
        let r = try await ExternalTool.run(
            "ogr2ogr", ["-update", "-append", p, extra.path, "-nln", "area", "-nlt", "MULTIPOLYGON"])
        #expect(r.status == 0, "\(r.stderr)")
        let index = try rtree(p, "rtree_area_geom")
        #expect(index.keys.sorted() == [1, 2])
        expectBox(index[2], around: Envelope(minX: 4, minY: 51, maxX: 4.5, maxY: 51.5))
        let v = try await ExternalTool.validateGeoPackage(p)
        #expect(v.status == 0 && v.stdout.isEmpty && v.stderr.isEmpty, "\(v.stdout)\(v.stderr)")
    }

    @Test(
        .enabled(
            if: ExternalTool.geoPackageValidator != nil,
            "GDAL's validate_gpkg.py missing: install python3-gdal (gdal-bin depends on it)"))
    func theValidatorChecksTheIndex() async throws {
        // Without one trigger, or without the extension row, GDAL's validator objects: so its
        // silence on the files written here means something.
        let noTrigger = try writeArea("no-trigger.gpkg")
        try alterGeoPackage(noTrigger, "DROP TRIGGER rtree_area_geom_update3")
        let r1 = try await ExternalTool.validateGeoPackage(noTrigger)
        #expect(r1.status != 0 && r1.stderr.contains("rtree_area_geom_update3 trigger missing"), "\(r1.stderr)")
        let undeclared = try writeArea("undeclared.gpkg")
        try alterGeoPackage(undeclared, "DELETE FROM gpkg_extensions")
        let r2 = try await ExternalTool.validateGeoPackage(undeclared)
        #expect(r2.status != 0 && r2.stderr.contains("has a RTree, but not declared"), "\(r2.stderr)")
    }
}
