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

/// Every command counts vertices the same way: distinct vertices, a ring's closing vertex (the
/// repeat of its first) not counted. The expectations are hand counts of the files below.
@Suite struct VertexCountTests {
    let fx: CLIFixture
    init() throws { fx = try CLIFixture.shared.get() }

    /// A square near Utrecht with a square hole: 4 + 4 = 8 vertices (10 positions written).
    static let withHoleGeoJSON = """
        {"type":"Polygon","coordinates":[[[5.10,52.08],[5.14,52.08],[5.14,52.11],[5.10,52.11],[5.10,52.08]],\
        [[5.11,52.09],[5.11,52.10],[5.12,52.10],[5.12,52.09],[5.11,52.09]]]}
        """
    static let withHoleWKT = """
        POLYGON((5.10 52.08, 5.14 52.08, 5.14 52.11, 5.10 52.11, 5.10 52.08),
        (5.11 52.09, 5.11 52.10, 5.12 52.10, 5.12 52.09, 5.11 52.09))
        """

    /// `measures.vertices` of `area check --json`.
    func checkedVertices(_ args: [String]) async throws -> Int? {
        let r = try await CommandRunner.run(["area", "check", "--json"] + args)
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        return (json?["measures"] as? [String: Any])?["vertices"] as? Int
    }

    @Test func checkConvertAndTheMisplacementMessagesCountTheSame() async throws {
        let json = try fx.write("vc-hole.geojson", Self.withHoleGeoJSON)
        let wkt = try fx.write("vc-hole.wkt", Self.withHoleWKT)
        let gpkg = fx.dir.appendingPathComponent("vc-hole.gpkg").path
        try? FileManager.default.removeItem(atPath: gpkg)
        let toGPKG = try await CommandRunner.run(["area", "convert", json, "--out", gpkg])
        #expect(toGPKG.stdout.contains("1 polygon, 1 hole, 8 vertices"), "\(toGPKG.stdout)\(toGPKG.stderr)")
        for file in [json, wkt, gpkg] {
            #expect(try await checkedVertices([file]) == 8, "\(file)")
            let human = try await CommandRunner.run(["area", "check", file])
            #expect(human.stdout.contains("vertices: 8 in 1 polygon, 1 hole"), "\(human.stdout)")
            let out = fx.dir.appendingPathComponent("vc-out.wkt").path
            let converted = try await CommandRunner.run(["area", "convert", file, "--out", out])
            #expect(converted.stdout.contains("1 polygon, 1 hole, 8 vertices"), "\(converted.stdout)")
        }
        // Degrees read as RD New metres: every vertex lies outside, counted the same way by
        // `area check`'s finding, `select`, `action start` and `area map`.
        let check = try await CommandRunner.run(["area", "check", wkt, "--crs", "EPSG:28992"])
        #expect(check.stdout.contains("8 of 8 vertices lie outside the service region"), "\(check.stdout)")
        let select = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", wkt, "--crs", "EPSG:28992"])
        #expect(select.stderr.contains("8 of 8 vertices lie outside the service region"), "\(select.stderr)")
        let map = try await CommandRunner.run(
            ["area", "map", wkt, "--crs", "EPSG:28992", "--out", fx.dir.appendingPathComponent("vc.svg").path])
        #expect(map.stderr.contains("8 of 8 vertices lie outside the service region"), "\(map.stderr)")
    }

    @Test func aCAPSquareHasFourVerticesInTheFeatureListAndTheCheck() async throws {
        let ns = "urn:oasis:names:tc:emergency:cap:1.2"
        let square = "52.08,5.10 52.08,5.12 52.09,5.12 52.09,5.10 52.08,5.10"
        let other = "52.18,5.10 52.18,5.12 52.19,5.12 52.19,5.10 52.18,5.10"
        let two = try fx.write(
            "vc-two.cap",
            "<alert xmlns=\"\(ns)\"><info><area><areaDesc>A</areaDesc><polygon>\(square)</polygon></area>"
                + "<area><areaDesc>B</areaDesc><polygon>\(other)</polygon></area></info></alert>")
        let listed = try await CommandRunner.run(["area", "check", two])
        #expect(listed.stderr.contains("'A': polygon (4 vertices)"), "\(listed.stderr)")
        #expect(try await checkedVertices([two, "--feature", "#1"]) == 4)
    }
}
