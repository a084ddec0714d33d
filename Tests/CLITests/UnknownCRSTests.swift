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

/// An EPSG code PROJ does not know gets one message and exit status 3 (input unreadable) in every
/// command, wherever the code was named: `--crs`, a GeoJSON `crs` member, a GeoPackage layer's
/// `srs_id`, a CSV `crs` field.
@Suite struct UnknownCRSTests {
    let fx: CLIFixture
    let dir: URL
    init() throws {
        fx = try CLIFixture.shared.get()
        dir = try Fixtures.temporaryDirectory("unknown-crs")
    }

    static let code = "EPSG:999999"
    static let said = "EPSG:999999 is not a coordinate reference system PROJ knows (proj_create: crs not found)"
    static let square = "[[[5.10,52.08],[5.12,52.08],[5.12,52.09],[5.10,52.09],[5.10,52.08]]]"

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    func out(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Every command that reads an area, with the file and extra arguments.
    func areaCommands(_ file: String, _ extra: [String], db: String) -> [[String]] {
        [
            ["area", "check", file], ["area", "fix", file, "--out", out("fixed.geojson")],
            ["area", "convert", file, "--out", out("converted.wkt")], ["area", "map", file, "--out", out("map.svg")],
            ["select", "--db", db, "--polygon", file],
            ["action", "start", "--db", db, "--incident-type", "burglary", "--message", "x", "--polygon", file],
        ].map { $0 + extra }
    }

    /// A copy of the shared registry, so that an `action start` that wrongly ran touches no other test.
    func registryCopy() throws -> String {
        let copy = out("registry.sqlite")
        try? FileManager.default.removeItem(atPath: copy)
        try FileManager.default.copyItem(atPath: fx.db, toPath: copy)
        return copy
    }

    @Test func everyCommandSaysTheSameForAnUnknownCode() async throws {
        let db = try registryCopy()
        let wkt = try write("square.wkt", "POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.09, 5.10 52.08))\n")
        let json = try write("square.geojson", #"{"type":"Polygon","coordinates":"# + Self.square + "}")
        let member = try write(
            "member.geojson",
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:999999"}},"coordinates":"#
                + Self.square + "}")
        var cases: [(args: [String], message: String)] = []
        for file in [wkt, json] {
            cases += areaCommands(file, ["--crs", Self.code], db: db).map { ($0, "error: --crs: \(Self.said)") }
        }
        cases += areaCommands(member, [], db: db).map { ($0, "error: \(member): crs.properties.name: \(Self.said)") }
        let csv = try write("p.csv", "id,lon,lat\n1,5.11,52.085\n")
        let rows = try write("rows.csv", "id,x,y,crs\n1,136000,455000,EPSG:999999\n")
        cases.append((["import", "--db", out("new.sqlite"), "--csv", csv, "--crs", Self.code], "error: --crs: \(Self.said)"))
        cases.append((["import", "--db", out("new2.sqlite"), "--csv", rows], "\(rows):2: field 'crs': \(Self.said)"))
        for c in cases {
            let r = try await CommandRunner.run(c.args)
            #expect(r.status == 3, "\(c.args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(c.message), "\(c.args): \(r.stderr)")
            #expect(!r.stderr.contains("service region"), "\(c.args): \(r.stderr)")
        }
        for written in ["fixed.geojson", "converted.wkt", "map.svg"] {
            #expect(!FileManager.default.fileExists(atPath: out(written)), "\(written) was written")
        }
    }

    @Test(.enabled(if: ExternalTool.has("sqlite3"), "needs the sqlite3 shell"))
    func aGeoPackageLayerInAnUnknownCodeNamesTheFileAndLayer() async throws {
        let json = try write("for-gpkg.geojson", #"{"type":"Polygon","coordinates":"# + Self.square + "}")
        let gpkg = out("unknown.gpkg")
        let made = try await CommandRunner.run(["area", "convert", json, "--out", gpkg])
        #expect(made.status == 0, "\(made.stderr)")
        let edit = try await ExternalTool.run(
            "sqlite3", [gpkg, "UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = 999999 WHERE srs_id = 4326"])
        #expect(edit.status == 0, "\(edit.stderr)")
        let db = try registryCopy()
        for args in areaCommands(gpkg, [], db: db) {
            let r = try await CommandRunner.run(args)
            #expect(r.status == 3, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("error: \(gpkg): layer 'area', srs_id 4326: \(Self.said)"), "\(args): \(r.stderr)")
        }
    }
}
