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

/// A scratch directory with a small generated registry, shared by the CLI tests.
struct CLIFixture {
    let dir: URL
    let db: String

    static let shared: Result<CLIFixture, any Error> = Result { try CLIFixture() }

    private init() throws {
        dir = try Fixtures.temporaryDirectory("cli")
        db = dir.appendingPathComponent("r.sqlite").path
        let gen = try CommandRunner.runBlocking(["generate", "--count", "20000", "--seed", "5", "--out", "p.csv"], in: dir)
        guard gen.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: ["stderr": gen.stderr]) }
        let imp = try CommandRunner.runBlocking(["import", "--db", db, "--csv", "p.csv"], in: dir)
        // The generator gives each participant its position's country: no warning, exit 0.
        guard imp.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: ["stderr": imp.stderr]) }
    }

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }
}

/// Parses `participant_id,distance_m,country` CSV.
func parseSelectionCSV(_ text: String) -> (header: String, rows: [(Int64, String, String)]) {
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.last == "" { lines.removeLast() }
    let rows = lines.dropFirst().map { line -> (Int64, String, String) in
        let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        return (Int64(f[0]) ?? -1, f[1], f.count > 2 ? f[2] : "?")
    }
    return (lines.first ?? "", rows)
}

@Suite(.serialized) struct CLITests {
    let fx: CLIFixture
    init() throws { fx = try CLIFixture.shared.get() }

    @Test func circleSelectionMatchesTheBruteForceOracle() async throws {
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--circle", "4.8930,52.3731,8000"])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = parseSelectionCSV(r.stdout)
        #expect(csv.header == "participant_id,distance_m,country")
        let engine = try Engine.open(registryAt: fx.db)
        let oracle = try engine.selectByBruteForce(
            SelectionRequest(area: .circle(center: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 8000)))
        #expect(csv.rows.count == oracle.participants.count)
        #expect(csv.rows.map(\.0) == oracle.participants.map(\.id))
        #expect(csv.rows.map(\.1) == oracle.participants.map { DecimalFormat.string($0.distanceMeters, decimals: 3) })
        #expect(csv.rows.allSatisfy { $0.1.split(separator: ".").last?.count == 3 })
        #expect(oracle.participants.count > 100, "Amsterdam should have participants")
        #expect(r.stderr.contains("selected \(thousands(oracle.participants.count)) participants"), "\(r.stderr)")
        #expect(r.stderr.contains("NL "))
    }

    @Test func polygonFromGeoJSONAndWKTGiveTheSameSelection() async throws {
        // A square of about 10 km around Utrecht, as GeoJSON and as WKT.
        let ring = "[5.05,52.05],[5.20,52.05],[5.20,52.14],[5.05,52.14],[5.05,52.05]"
        let gj = try fx.write(
            "sq.geojson",
            #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[["# + ring + "]]}}")
        let wkt = try fx.write("sq.wkt", "POLYGON ((5.05 52.05, 5.20 52.05, 5.20 52.14, 5.05 52.14, 5.05 52.05))")
        let a = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gj, "--incident", "5.1214,52.0908"])
        let b = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", wkt, "--incident", "5.1214,52.0908"])
        #expect(a.status == 0 && b.status == 0, "\(a.stderr) \(b.stderr)")
        #expect(a.stdout == b.stdout)
        #expect(parseSelectionCSV(a.stdout).rows.count > 50)
        let c = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gj])
        #expect(c.stderr.contains("incident point: polygon centroid"))
    }

    @Test func geojsonOutputToAFile() async throws {
        let out = fx.dir.appendingPathComponent("sel.geojson")
        let r = try await CommandRunner.run(
            ["select", "--db", fx.db, "--circle", "5.1214,52.0908,3000", "--format", "geojson", "--out", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: out)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let features = try #require(json["features"] as? [[String: Any]])
        #expect(!features.isEmpty)
        let first = try #require(features.first?["properties"] as? [String: Any])
        #expect(first["rank"] as? Int == 1)
        let coords = try #require((features.first?["geometry"] as? [String: Any])?["coordinates"] as? [Double])
        #expect(abs(coords[0] - 5.1214) < 0.1 && abs(coords[1] - 52.0908) < 0.1)
    }

    @Test(arguments: [
        (["--circle", "4.89,52.37,0"], "must be a positive number of metres"),
        (["--circle", "4.89,52.37,-5"], "must be a positive number of metres"),
        (["--circle", "4.89,52.37,600000"], "is absurd"),
        (["--circle", "52.37,4.89,1000"], "look swapped"),
        (["--circle", "4.89,52.37"], "--circle"),
        (["--circle", "4.89,52.37,100", "--polygon", "x.geojson"], "exactly one of"),
    ])
    func badCirclesAreRefused(args: [String], expected: String) async throws {
        let r = try await CommandRunner.run(["select", "--db", fx.db] + args)
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test(arguments: [
        ("bowtie.wkt", "POLYGON ((5.0 52.0, 5.1 52.1, 5.1 52.0, 5.0 52.1, 5.0 52.0))", "Self-intersection at 5.05"),
        (
            "unclosed.geojson", #"{"type":"Polygon","coordinates":[[[5.0,52.0],[5.1,52.0],[5.1,52.1],[5.0,52.1]]]}"#,
            "not closed"
        ),
        ("few.geojson", #"{"type":"Polygon","coordinates":[[[5.0,52.0],[5.1,52.0],[5.0,52.0]]]}"#, "3 points"),
        ("empty.geojson", "   \n", "empty file"),
        ("empty.wkt", "POLYGON EMPTY", "empty"),
        (
            "point.geojson", #"{"type":"Point","coordinates":[5.0,52.0]}"#,
            "expected a Polygon or MultiPolygon, got Point"
        ),
        (
            "two.geojson",
            #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null},{"type":"Feature","geometry":null}]}"#,
            "the FeatureCollection holds 2 features; an area is one feature"
        ),
        (
            "bad.geojson", #"{"type":"Polygon","coordinates":[[[5.0,"x"]]]}"#,
            "coordinates[0][0]: position values must be numbers"
        ),
        ("broken.geojson", #"{"type":"Polygon", "coordinates": [[[5.0,52.0],"#, "not valid JSON"),
        ("garbage.wkt", "POLYGUN ((1 2, 3 4))", "WKT"),
        ("line.wkt", "LINESTRING (5 52, 5.1 52.1)", "expected a Polygon or MultiPolygon"),
        ("nan.wkt", "POLYGON ((5.0 52.0, NaN 52.0, 5.1 52.1, 5.0 52.0))", "non-finite coordinate"),
    ])
    func badPolygonsAreRefusedWithReason(name: String, content: String, expected: String) async throws {
        let path = try fx.write(name, content)
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", path])
        #expect(r.status != 0)
        #expect(r.stderr.contains(expected), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    @Test func failedSelectionLeavesAnExistingOutputFileAlone() async throws {
        let out = fx.dir.appendingPathComponent("keep.csv")
        try "previous\n".write(to: out, atomically: true, encoding: .utf8)
        let bad = try fx.write("bowtie2.wkt", "POLYGON ((5.0 52.0, 5.1 52.1, 5.1 52.0, 5.0 52.1, 5.0 52.0))")
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", bad, "--out", out.path])
        #expect(r.status != 0)
        #expect(try String(contentsOf: out, encoding: .utf8) == "previous\n")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: fx.dir.path).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test func registryProblemsAreReported() async throws {
        let notDB = try fx.write("not.sqlite", String(repeating: "hello world\n", count: 200))
        let r1 = try await CommandRunner.run(["select", "--db", notDB, "--circle", "4.89,52.37,100"])
        #expect(r1.status == 3 && r1.stderr.contains("not an SQLite database"), "\(r1.stderr)")
        let r2 = try await CommandRunner.run([
            "select", "--db", fx.dir.appendingPathComponent("missing.sqlite").path, "--circle", "4.89,52.37,100",
        ])
        #expect(r2.status == 3 && r2.stderr.contains("no such registry"), "\(r2.stderr)")
    }

    @Test func importErrorsExitNonZeroAndKeepTheRegistry() async throws {
        let db = fx.dir.appendingPathComponent("imp.sqlite").path
        let good = try fx.write("good.csv", "id,lon,lat,phone\n1,4.9,52.3,+31612345678\n")
        #expect(try await CommandRunner.run(["import", "--db", db, "--csv", good]).status == 0)
        let bad = try fx.write("bad.csv", "id,lon,lat,phone\n2,4.9,52.3,+31612345679\n3,4.9,abc,+31612345670\n")
        let r = try await CommandRunner.run(["import", "--db", db, "--csv", bad])
        #expect(r.status == 3)
        #expect(r.stderr.contains("bad.csv:3: field 'lat': 'abc' is not a number"), "\(r.stderr)")
        #expect(!r.stderr.contains("+3161234567"), "no phone numbers in errors")
        #expect(try Registry.open(at: db).count() == 1)
        let unknown = try await CommandRunner.run(["import", "--db", db, "--csv", good, "--crs", "EPSG:999999"])
        #expect(unknown.status == 3 && unknown.stderr.contains("EPSG:999999"), "\(unknown.stderr)")
        let warn = try await CommandRunner.run([
            "import", "--db", db, "--csv", try fx.write("w.csv", "id,lon,lat,hobby\n5,4.9,52.3,chess\n"),
        ])
        #expect(warn.status == 1 && warn.stderr.contains("ignored unknown column(s): hobby"), "\(warn.stderr)")
    }

    @Test func importDerivesCountriesAndPrintsContradictionsWithTheLine() async throws {
        let db = fx.dir.appendingPathComponent("countries.sqlite").path
        let csv = try fx.write(
            "countries.csv",
            "id,lon,lat,country,phone\n1,4.92701,51.43626,NL,+31612345678\n2,4.92340,51.43890,,\n3,6.1296,49.6116,,\n")
        let r = try await CommandRunner.run(["import", "--db", db, "--csv", csv])
        #expect(r.status == 1, "\(r.stderr)")  // done, with warnings
        // Row 1 lies in the Belgian exclave H1 of Baarle-Hertog, 269 m from the Netherlands.
        #expect(r.stderr.contains("countries.csv:2: country NL given, but the position lies in BE, "), "\(r.stderr)")
        #expect(r.stderr.contains("1 row(s) without a country got it from the position"), "\(r.stderr)")
        #expect(r.stderr.contains("1 row(s) without a country lie outside NL, BE and DE"), "\(r.stderr)")
        #expect(!r.stderr.contains("+3161234567"), "no phone numbers in warnings")
    }

    @Test func rdInputWithCRS() async throws {
        let db = fx.dir.appendingPathComponent("rd.sqlite").path
        let csv = try fx.write("rd.csv", "id,x,y\n1,155000,463000\n2,155100,463000\n3,156000,463000\n")
        #expect(try await CommandRunner.run(["import", "--db", db, "--csv", csv, "--crs", "EPSG:28992"]).status == 0)
        // A WKT polygon in RD New around the first two points only.
        let wkt = try fx.write(
            "rd.wkt", "POLYGON ((154900 462900, 155100 462900, 155100 463100, 154900 463100, 154900 462900))")
        let r = try await CommandRunner.run([
            "select", "--db", db, "--polygon", wkt, "--crs", "EPSG:28992", "--incident", "5.3872,52.1552",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(parseSelectionCSV(r.stdout).rows.map(\.0) == [2, 1])  // 2 is on the boundary x = 155100
    }
}





