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

/// `select` writes home positions coarsened to the centre of the 250 m RD New cell unless asked
/// for exact ones, and says so in the file (GeoJSON and GeoPackage).
@Suite struct PositionPrivacyTests {
    static let gdal = ExternalTool.hasGDAL
    let dir: URL

    /// Participants at known RD New positions, with the cell centres computed by hand:
    /// floor(v / 250) * 250 + 125.
    static let participants: [(id: Int64, x: Double, y: Double, cellX: Double, cellY: Double)] = [
        (1, 155_000.3, 463_000.9, 155_125, 463_125),
        (2, 155_249.99, 463_250.0, 155_125, 463_375),  // y exactly on a cell edge: the cell above
        (3, 154_999.5, 462_999.5, 154_875, 462_875),
        (4, 155_611.0, 463_388.0, 155_625, 463_375),
    ]

    init() throws { dir = try Fixtures.temporaryDirectory("privacy") }

    /// Imports the participants (RD New x,y) and returns the registry's path.
    private func registry() async throws -> String {
        let csv = dir.appendingPathComponent("p.csv")
        let rows = Self.participants.map { "\($0.id),\($0.x),\($0.y),NL" }
        try (["id,x,y,country"] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("r.sqlite").path
        let r = try await CommandRunner.run(["import", "--db", db, "--csv", csv.path, "--crs", "EPSG:28992"])
        #expect(r.status == 0, "\(r.stderr)")
        return db
    }

    private func polygon() throws -> String {
        let url = dir.appendingPathComponent("area.geojson")
        try rdGeoJSON([
            (154_000, 462_000), (157_000, 462_000), (157_000, 464_500), (154_000, 464_500), (154_000, 462_000),
        ])
        .write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// The WGS84 position of an RD New point, through the same transformation as the engine.
    private func lonLat(_ x: Double, _ y: Double) throws -> LonLat {
        try CoordinateConverter().toLonLat([RDPoint(x: x, y: y)])[0]
    }

    /// Each feature's participant id and coordinates, and the collection's `fanout:positions`.
    private func features(_ path: String) throws -> (positions: String?, points: [Int64: (Double, Double)]) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
        let root = try #require(json as? [String: Any])
        var points: [Int64: (Double, Double)] = [:]
        for f in try #require(root["features"] as? [[String: Any]]) {
            let id = try #require((f["properties"] as? [String: Any])?["participant_id"] as? Int)
            let c = try #require((f["geometry"] as? [String: Any])?["coordinates"] as? [Double])
            points[Int64(id)] = (c[0], c[1])
        }
        return (root["fanout:positions"] as? String, points)
    }

    @Test func geoJSONPositionsAreTheCellCentresByDefaultAndExactOnRequest() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try await registry()
        let area = try polygon()
        for exact in [false, true] {
            let out = dir.appendingPathComponent("s-\(exact).geojson").path
            let r = try await CommandRunner.run(
                ["select", "--db", db, "--polygon", area, "--format", "geojson", "--out", out]
                    + (exact ? ["--exact-positions"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            let (statement, points) = try features(out)
            #expect(
                statement
                    == (exact ? "exact, as registered" : "coarsened to the centre of the 250 m RD New cell"))
            #expect(points.count == Self.participants.count)
            for p in Self.participants {
                let expected = exact ? try lonLat(p.x, p.y) : try lonLat(p.cellX, p.cellY)
                let got = try #require(points[p.id])
                // 7 decimals in the file: within half a unit of the 7th.
                #expect(abs(got.0 - expected.lon) <= 0.6e-7 && abs(got.1 - expected.lat) <= 0.6e-7, "\(p.id): \(got)")
            }
        }
    }

    @Test(.enabled(if: gdal, "ogrinfo/ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func geoPackagePositionsAreTheCellCentresByDefaultAndSaySo() async throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = try await registry()
        let area = try polygon()
        for exact in [false, true] {
            let gpkg = dir.appendingPathComponent("s-\(exact).gpkg").path
            let r = try await CommandRunner.run(
                [
                    "select", "--db", db, "--polygon", area, "--out", dir.appendingPathComponent("s.csv").path,
                    "--gpkg", gpkg,
                ] + (exact ? ["--exact-positions"] : []))
            #expect(r.status == 0, "\(r.stderr)")
            let description = try await ExternalTool.run(
                "ogrinfo", ["-ro", "-q", "-sql", "SELECT description FROM gpkg_contents", gpkg])
            #expect(
                description.stdout.contains(
                    exact
                        ? "positions exact, as registered" : "coarsened to the centre of the 250 m RD New cell"
                ),
                "\(description.stdout)")
            // GDAL reads the GeoPackage back to GeoJSON: an independent reader of the geometries.
            let json = dir.appendingPathComponent("from-gpkg-\(exact).geojson").path
            let converted = try await ExternalTool.run("ogr2ogr", ["-f", "GeoJSON", json, gpkg])
            #expect(converted.status == 0, "\(converted.stderr)")
            let (_, points) = try features(json)
            #expect(points.count == Self.participants.count)
            for p in Self.participants {
                let expected = exact ? try lonLat(p.x, p.y) : try lonLat(p.cellX, p.cellY)
                let got = try #require(points[p.id])
                #expect(abs(got.0 - expected.lon) <= 1e-9 && abs(got.1 - expected.lat) <= 1e-9, "\(p.id): \(got)")
            }
        }
    }
}
