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

/// CBS's municipality code GM0998 ("Buitenland") marks land abroad: the Baarle-Hertog enclaves
/// inside Baarle-Nassau. `area check` reports it under its country (BE), never as a Dutch
/// municipality. The expected area comes from GDAL: `ogr2ogr` clips the file's GM0998 feature to
/// the test box and reprojects it to RD New, and its area is summed here with the shoelace formula.
@Suite struct AbroadLandTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("abroad") }

    static let municipalities = Fixtures.packageRoot.appendingPathComponent("data/municipalities-nl.geojson").path

    /// A box around Baarle-Nassau and Baarle-Hertog (lon 4.90…4.96, lat 51.42…51.46).
    static let box = (minLon: 4.90, minLat: 51.42, maxLon: 4.96, maxLat: 51.46)

    func write(_ name: String, box b: (minLon: Double, minLat: Double, maxLon: Double, maxLat: Double)) throws -> String {
        let ring = [(b.minLon, b.minLat), (b.maxLon, b.minLat), (b.maxLon, b.maxLat), (b.minLon, b.maxLat)]
        let url = dir.appendingPathComponent(name)
        try geoJSONPolygon([ring + [ring[0]]]).write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func check(_ file: String) async throws -> [String: Any] {
        let r = try await CommandRunner.run(["area", "check", "--json", file])
        #expect(r.status <= 1, "\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "area-check", json: r.stdout) == [], "\(r.stdout)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// GM0998's land inside the box in km² (RD New), by ogr2ogr.
    func gdalAbroadKm2() async throws -> Double {
        let out = dir.appendingPathComponent("gm0998.geojson").path
        let b = Self.box
        let r = try await ExternalTool.run(
            "ogr2ogr",
            ["-f", "GeoJSON", "-t_srs", "EPSG:28992", "-where", "code='GM0998'", "-clipsrc", "\(b.minLon)",
             "\(b.minLat)", "\(b.maxLon)", "\(b.maxLat)", out, Self.municipalities])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        func area(_ ring: [[Double]]) -> Double {
            abs(zip(ring, ring.dropFirst()).reduce(0) { $0 + $1.0[0] * $1.1[1] - $1.1[0] * $1.0[1] }) / 2
        }
        var total = 0.0
        for f in doc?["features"] as? [[String: Any]] ?? [] {
            let g = f["geometry"] as? [String: Any]
            let polygons =
                g?["type"] as? String == "Polygon"
                ? [g?["coordinates"] as? [[[Double]]] ?? []] : g?["coordinates"] as? [[[[Double]]]] ?? []
            for p in polygons { total += area(p[0]) - p.dropFirst().reduce(0) { $0 + area($1) } }
        }
        return total / 1e6
    }

    @Test(.enabled(if: ExternalTool.has("ogr2ogr"), "needs GDAL's ogr2ogr"))
    func anAreaAcrossBaarleReportsTheEnclavesUnderBelgium() async throws {
        let expected = try await gdalAbroadKm2()
        #expect(expected > 1)  // the file's GM0998 land near Baarle: about 1.4 km²
        let report = try await check(try write("baarle.geojson", box: Self.box))
        let municipalities = try #require(report["municipalities"] as? [[String: Any]])
        #expect(!municipalities.contains { $0["code"] as? String == "GM0998" }, "\(municipalities)")
        #expect(municipalities.contains { $0["code"] as? String == "GM0744" })  // Baarle-Nassau
        let abroad = try #require(report["abroad"] as? [[String: Any]])
        #expect(abroad.count == 1 && abroad[0]["country"] as? String == "BE", "\(abroad)")
        let km2 = try #require(abroad[0]["area_km2"] as? Double)
        #expect(abs(km2 - expected) / expected < 1e-4, "\(km2) km² vs GDAL's \(expected) km²")
        let total = try #require((report["measures"] as? [String: Any])?["area_km2"] as? Double)
        #expect(abs((abroad[0]["share"] as? Double ?? 0) - km2 / total) < 1e-9)
        #expect((report["countries"] as? [String])?.contains("BE") == true)
        let text = try await CommandRunner.run(["area", "check", dir.appendingPathComponent("baarle.geojson").path])
        #expect(!text.stdout.contains("Buitenland (GM0998)") && text.stdout.contains("abroad, BE"), "\(text.stdout)")
    }

    @Test func anAreaInsideTheEnclaveIsBelgianWithNoDutchMunicipality() async throws {
        // Inside the file's GM0998 polygon (lon 4.918…4.940, lat 51.431…51.443), around Baarle-Hertog's centre.
        let report = try await check(try write("enclave.geojson", box: (4.926, 51.435, 4.930, 51.438)))
        #expect((report["municipalities"] as? [Any])?.isEmpty == true, "\(report)")
        #expect(report["countries"] as? [String] == ["BE"], "\(report)")
        let abroad = try #require(report["abroad"] as? [[String: Any]])
        #expect(abroad.first?["country"] as? String == "BE" && abs((abroad.first?["share"] as? Double ?? 0) - 1) < 1e-9)
        let svg = dir.appendingPathComponent("enclave.svg").path
        let map = try await CommandRunner.run(["area", "map", dir.appendingPathComponent("enclave.geojson").path, "--out", svg])
        #expect(map.status == 0, "\(map.stderr)")
        #expect(!(try String(contentsOfFile: svg, encoding: .utf8)).contains("Buitenland"))
    }
}
