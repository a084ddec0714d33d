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

/// Z and M values an area file holds are dropped (areas are two-dimensional), and every command
/// that reads an area says so once per kind, `warning: FILE: Z values dropped from N vertices`,
/// and ends with exit status 1 where it would otherwise end with 0. N is counted by hand below,
/// closing vertices not counted.
@Suite struct DroppedOrdinatesTests {
    let fx: CLIFixture
    let dir: URL
    init() throws {
        fx = try CLIFixture.shared.get()
        dir = try Fixtures.temporaryDirectory("dropped-zm")
    }

    static let zSquare = "5.10 52.08 1, 5.12 52.08 1, 5.12 52.09 2, 5.10 52.09 2, 5.10 52.08 1"
    static let zHole = "5.11 52.083 0, 5.11 52.087 0, 5.115 52.087 0, 5.115 52.083 0, 5.11 52.083 0"

    /// File name, text, and the hand count of vertices that lose a Z and an M value.
    static let files: [(name: String, text: String, z: Int, m: Int)] = [
        (
            "z.geojson",
            #"{"type":"Polygon","coordinates":[[[5.10,52.08,1],[5.12,52.08,1],[5.12,52.09,2],[5.10,52.09,2],"#
                + #"[5.10,52.08,1]]]}"#, 4, 0
        ),
        // Only the first and third positions (and the closing one, not counted) have a height.
        (
            "some-z.geojson",
            #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[5.10,52.08,3],"#
                + #"[5.12,52.08],[5.12,52.09,4],[5.10,52.09],[5.10,52.08,3]]]}}"#, 2, 0
        ),
        ("hole-z.wkt", "POLYGON Z((\(zSquare)), (\(zHole)))\n", 8, 0),
        ("implicit-z.wkt", "POLYGON((\(zSquare)))\n", 4, 0),
        ("m.wkt", "POLYGON M((\(zSquare)))\n", 0, 4),
        ("zm.wkt", "POLYGON ZM((5.10 52.08 1 7, 5.12 52.08 1 7, 5.12 52.09 1 7, 5.10 52.08 1 7))\n", 3, 3),
    ]

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    func out(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The commands that read an area, each one that otherwise ends with 0 for these files.
    func commands(_ file: String) -> [[String]] {
        [
            ["area", "check", file], ["area", "fix", file, "--out", out("fixed.geojson")],
            ["area", "convert", file, "--out", out("converted.geojson")], ["area", "map", file, "--out", out("m.svg")],
            ["select", "--db", fx.db, "--polygon", file],
        ]
    }

    static func warnings(_ file: String, z: Int, m: Int) -> [String] {
        [("Z", z), ("M", m)].filter { $0.1 > 0 }.map {
            "warning: \(file): \($0.0) values dropped from \($0.1) vertices (areas are two-dimensional)"
        }
    }

    @Test(arguments: 0..<files.count)
    func everyCommandWarnsOnceAndEndsWithOne(_ index: Int) async throws {
        let c = Self.files[index]
        let file = try write(c.name, c.text)
        for args in commands(file) {
            let r = try await CommandRunner.run(args)
            #expect(r.status == 1, "\(args): \(r.status) \(r.stderr)")
            for w in Self.warnings(file, z: c.z, m: c.m) {
                #expect(r.stderr.components(separatedBy: w).count == 2, "\(args): '\(w)' once in: \(r.stderr)")
            }
            if c.z == 0 { #expect(!r.stderr.contains("Z values"), "\(args): \(r.stderr)") }
            if c.m == 0 { #expect(!r.stderr.contains("M values"), "\(args): \(r.stderr)") }
        }
    }

    @Test func aTwoDimensionalFileGetsNoWarning() async throws {
        let file = try write("flat.wkt", "POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.09, 5.10 52.08))\n")
        for args in commands(file) {
            let r = try await CommandRunner.run(args)
            #expect(r.status == 0 && !r.stderr.contains("dropped"), "\(args): \(r.status) \(r.stderr)")
        }
    }

    @Test(.enabled(if: ExternalTool.has("ogr2ogr"), "needs GDAL's ogr2ogr"))
    func aGeoPackageWithZAndOneWithMWarn() async throws {
        let source = try write("z-for-gpkg.geojson", Self.files[0].text)
        for (dim, z, m) in [("XYZ", 4, 0), ("XYM", 0, 4)] {
            let gpkg = out("\(dim).gpkg")
            let made = try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-dim", dim, gpkg, source])
            #expect(made.status == 0, "\(made.stderr)")
            for args in commands(gpkg) {
                let r = try await CommandRunner.run(args)
                #expect(r.status == 1, "\(args): \(r.stderr)")
                for w in Self.warnings(gpkg, z: z, m: m) { #expect(r.stderr.contains(w), "\(args): \(r.stderr)") }
            }
        }
    }

    @Test func actionStartWarnsAndEndsWithOne() async throws {
        let db = out("action.sqlite")
        try? FileManager.default.removeItem(atPath: db)
        try FileManager.default.copyItem(atPath: fx.db, toPath: db)
        let file = try write("action-z.geojson", Self.files[0].text)
        let r = try await CommandRunner.run(
            ["action", "start", "--db", db, "--incident-type", "burglary", "--message", "x", "--polygon", file])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains(Self.warnings(file, z: 4, m: 0)[0]), "\(r.stderr)")
        #expect(r.stdout.contains("action 1"), "\(r.stdout)")
    }

    @Test func aCAPPairWithAHeightIsRefusedNamingItsLine() async throws {
        let file = try write(
            "z.cap",
            "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><info><area><areaDesc>U</areaDesc>\n"
                + "<polygon>52.08,5.10,0 52.08,5.12 52.09,5.12 52.09,5.10 52.08,5.10</polygon></area></info></alert>")
        let r = try await CommandRunner.run(["area", "check", file])
        #expect(r.status == 3)
        #expect(r.stderr.contains("\(file): line 2: info 1, area 1, polygon 1: pair 1 '52.08,5.10,0'"), "\(r.stderr)")
        #expect(r.stderr.contains("a CAP pair has no height"), "\(r.stderr)")
    }
}
