import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// `fanout area … --json`: each document validated against its schema in docs/schemas with
/// Python's jsonschema, and its figures checked against hand counts and independent readers.
@Suite(.serialized) struct AreaJSONTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("area-json") }

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    /// Runs `fanout ARGS --json`, checks the exit `status` and the schema of `kind`.
    func document(_ kind: String, _ arguments: [String], status: Int32 = 0) async throws -> [String: Any] {
        let r = try await CommandRunner.run(arguments + ["--json"], in: dir)
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: kind, json: r.stdout) == [], "\(r.stdout)")
        let o = try jsonObject(r.stdout)
        #expect(o["kind"] as? String == kind && o["schema_version"] as? Int == 1)
        return o
    }

    @Test func checkCountsTheVerticesByHandAndKeepsItsKeys() async throws {
        // A square with a square hole: 4 + 4 vertices (closing points not counted), 1 hole.
        let shell = [(5.05, 52.05), (5.20, 52.05), (5.20, 52.14), (5.05, 52.14), (5.05, 52.05)]
        let hole = [(5.10, 52.08), (5.10, 52.10), (5.12, 52.10), (5.12, 52.08), (5.10, 52.08)]
        let file = try write("holed.geojson", geoJSONPolygon([shell, hole]))
        let o = try await document("area-check", ["area", "check", file])
        let m = try #require(o["measures"] as? [String: Any])
        #expect(m["vertices"] as? Int == (shell.count - 1) + (hole.count - 1))
        #expect(m["polygons"] as? Int == 1 && m["holes"] as? Int == 1)
        #expect(o["verdict"] as? String == "valid" && o["exit_status"] as? Int == 0)
        #expect(o["countries"] as? [String] == ["NL"])
        // The keys it had before the schema, unchanged.
        #expect(Set(m.keys) == ["area_km2", "perimeter_km", "vertices", "polygons", "holes", "bbox_lon_lat", "bbox_rd"])
        let box = try #require(m["bbox_lon_lat"] as? [String: Double])
        #expect(box == ["min_lon": 5.05, "min_lat": 52.05, "max_lon": 5.20, "max_lat": 52.14])

        // An invalid bowtie: exit 2, and the document still conforms.
        let bow = try write("bow.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))")
        let invalid = try await document("area-check", ["area", "check", bow], status: 2)
        #expect((invalid["validity"] as? [String: Any])?["valid"] as? Bool == false)
    }

    @Test func fixConvertSuggestAndMapDocuments() async throws {
        let bow = try write("bow.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))")
        let fixedPath = dir.appendingPathComponent("fixed.geojson").path
        let fix = try await document("area-fix", ["area", "fix", bow, "--out", fixedPath, "--method", "linework"])
        #expect(fix["valid_before"] as? Bool == false && fix["valid_after"] as? Bool == true)
        #expect(fix["parts_after"] as? Int == 2, "a bowtie becomes two triangles")
        #expect(fix["output"] as? String == fixedPath)

        // convert: the GeoJSON written, counted by GDAL's ogrinfo where installed, else by hand.
        let square = try write("square.wkt", "POLYGON((5.05 52.05, 5.20 52.05, 5.20 52.14, 5.05 52.14, 5.05 52.05))")
        let out = dir.appendingPathComponent("square.geojson").path
        let convert = try await document("area-convert", ["area", "convert", square, "--out", out])
        #expect(convert["format"] as? String == "geojson" && convert["polygons"] as? Int == 1)
        #expect(convert["vertices"] as? Int == 4, "distinct vertices: the closing point is not counted")
        let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as? Int
        #expect(convert["bytes"] as? Int == size)
        let cap = dir.appendingPathComponent("circle.cap").path
        let circle = try await document("area-convert", ["area", "convert", "--circle", "5.1214,52.0908,2500", "--out", cap])
        #expect(circle["input"] is NSNull && circle["circles"] as? Int == 1 && circle["crs"] as? String == "EPSG:4326")

        // suggest: speed × time, by hand from the table's row.
        let table = try write("travel.csv", "incident_type,mode,speed_kmh,cap_m\nmissing-child,foot,4,3000\n")
        let suggest = try await document(
            "area-suggest",
            ["area", "suggest", "--incident-type", "missing-child", "--mode", "foot", "--minutes", "30", "--table", table,
             "--at", "5.1214,52.0908"])
        let uncapped = try #require(suggest["uncapped_m"] as? Double)
        #expect(abs(uncapped - 2000) < 1e-9, "4 km/h for half an hour")
        #expect(suggest["radius_m"] as? Double == 2000 && suggest["capped"] as? Bool == false)
        #expect(suggest["circle"] as? String == "5.1214,52.0908,2000")

        // map with a registry: the participants inside equal the selection's.
        let fx = try CLIFixture.shared.get()
        let svg = dir.appendingPathComponent("map.svg").path
        let map = try await document("area-map", ["area", "map", square, "--db", fx.db, "--out", svg])
        let engine = try Engine.open(registryAt: fx.db)
        let area = try engine.readArea(contentsOf: URL(fileURLWithPath: square))
        let inside = try engine.selectByBruteForce(SelectionRequest(area: .polygon(area))).participants.count
        #expect((map["participants"] as? [String: Any])?["total"] as? Int == inside && inside > 0)
        #expect(map["written"] as? [String] == [svg])
    }
}
