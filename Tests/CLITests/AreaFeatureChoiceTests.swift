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

/// `--feature ID` and `--all-features` on every command that reads an area file.
///
/// `area check`, `fix`, `convert`, `map` and `select --polygon`, through the real binary, on
/// GeoPackages made by GDAL's `ogr2ogr` from GeoJSON written here. Areas are squares in RD New, so the expected areas
/// and memberships are known by hand; every GeoPackage written is checked with GDAL.
@Suite struct AreaFeatureChoiceTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("feature-choice") }

    static func square(_ x: Double, _ y: Double, _ side: Double) -> String {
        "[[[\(x),\(y)],[\(x + side),\(y)],[\(x + side),\(y + side)],[\(x),\(y + side)],[\(x),\(y)]]]"
    }

    static func collection(_ features: [String]) -> String {
        #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"#
            + #""features":["# + features.joined(separator: ",\n") + "]}"
    }

    /// Noord 1 × 1 km, Zuid 2 × 2 km, Oost two parts of 500 × 500 m: 5.5 km² in 4 polygons.
    static let districts = collection([
        #"{"type":"Feature","id":7,"properties":{"statnaam":"Noord"},"geometry":{"type":"Polygon","coordinates":"#
            + square(100_000, 400_000, 1000) + "}}",
        #"{"type":"Feature","id":"zuid","properties":{"statnaam":"Zuid"},"geometry":{"type":"Polygon","coordinates":"#
            + square(103_000, 400_000, 2000) + "}}",
        #"{"type":"Feature","id":9,"properties":{"statnaam":"Oost"},"geometry":{"type":"MultiPolygon","coordinates":["#
            + square(106_000, 400_000, 500) + "," + square(107_000, 400_000, 500) + "]}}",
    ])

    /// P and Q (2 × 2 km) overlapping in 1 km², R (1 km²) touching P: 8 km² in one polygon.
    static let overlapping = collection(
        [(100_000.0, 400_000.0, 2000.0), (101_000, 401_000, 2000), (99_000, 400_000, 1000)].map {
            #"{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":"# + square($0.0, $0.1, $0.2)
                + "}}"
        })

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func fanout(_ arguments: [String]) async throws -> CommandResult { try await CommandRunner.run(arguments) }

    /// `area check --json`'s measures.
    func measures(_ arguments: [String]) async throws -> (status: Int32, areaKm2: Double?, polygons: Int?) {
        let r = try await fanout(["area", "check", "--json"] + arguments)
        let object = try? JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let m = object?["measures"] as? [String: Any]
        return (r.status, (m?["area_km2"] as? NSNumber)?.doubleValue, (m?["polygons"] as? NSNumber)?.intValue)
    }

    /// Checks a GeoPackage the engine wrote with GDAL: it opens, has `features` features and a
    /// spatial index, and passes GDAL's validator.
    func expectGDALAccepts(
        _ gpkg: String, layer: String, features: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let info = try await ExternalTool.run("ogrinfo", ["-ro", "-so", gpkg, layer])
        #expect(info.status == 0, "\(info.stderr)", sourceLocation: sourceLocation)
        #expect(info.stdout.contains("Feature Count: \(features)\n"), "\(info.stdout)", sourceLocation: sourceLocation)
        let index = try await ExternalTool.run(
            "ogrinfo", ["-ro", "-dialect", "SQLite", "-sql", "SELECT HasSpatialIndex('\(layer)', 'geom')", gpkg])
        #expect(
            index.stdout.contains("HasSpatialIndex (Integer) = 1"), "\(index.stdout)", sourceLocation: sourceLocation)
        let valid = try await ExternalTool.validateGeoPackage(gpkg)
        #expect(
            valid.status == 0 && valid.stdout.isEmpty && valid.stderr.isEmpty, "\(valid.stdout)\(valid.stderr)",
            sourceLocation: sourceLocation)
    }

    static let gdal = ExternalTool.hasGDAL && ExternalTool.geoPackageValidator != nil
    static let gdalMissing: Comment = "GDAL missing: install gdal-bin and python3-gdal (tools/test.sh does)"

    // MARK: - area check

    @Test(.enabled(if: gdal, gdalMissing))
    func checkListsTheFeaturesAndTakesOneOrAll() async throws {
        let gpkg = try await ExternalTool.geoPackage(
            fromGeoJSON: Self.districts, layer: "districts", named: "districts", in: dir)
        let refused = try await fanout(["area", "check", gpkg])
        #expect(refused.status == 2, "\(refused.stderr)")  // read, but the feature must be chosen
        #expect(refused.stderr.hasPrefix("error: \(gpkg): layer 'districts' holds 3 features"), "\(refused.stderr)")
        for line in ["  fid 1: statnaam 'Noord'", "  fid 2: statnaam 'Zuid'", "  fid 3: statnaam 'Oost'"] {
            #expect(refused.stderr.contains(line + "\n"), "\(refused.stderr)")
        }
        #expect(refused.stderr.contains("--feature FID") && refused.stderr.contains("--all-features"))

        let zuid = try await measures([gpkg, "--feature", "2"])
        #expect(zuid.status == 0 && zuid.polygons == 1)
        #expect(abs((zuid.areaKm2 ?? 0) - 4) < 1e-9, "\(zuid)")
        // The union: 1 + 4 + 0.25 + 0.25 km², valid and without orientation warnings (exit 0).
        let all = try await measures([gpkg, "--all-features"])
        #expect(all.status == 0 && all.polygons == 4, "\(all)")
        #expect(abs((all.areaKm2 ?? 0) - 5.5) < 1e-9, "\(all)")

        let parts = try await ExternalTool.geoPackage(
            fromGeoJSON: Self.overlapping, layer: "parts", named: "parts", in: dir)
        let union = try await measures([parts, "--all-features"])
        #expect(union.status == 0 && union.polygons == 1, "\(union)")
        #expect(abs((union.areaKm2 ?? 0) - 8) < 1e-9, "\(union)")

        let json = path("districts.geojson")  // written by ExternalTool.geoPackage
        let byID = try await measures([json, "--feature", "zuid"])
        #expect(abs((byID.areaKm2 ?? 0) - 4) < 1e-9, "\(byID)")
        let jsonAll = try await measures([json, "--all-features"])
        #expect(abs((jsonAll.areaKm2 ?? 0) - 5.5) < 1e-9, "\(jsonAll)")

        let unknown = try await fanout(["area", "check", gpkg, "--feature", "12"])
        #expect(unknown.status == 2, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("\(gpkg): layer 'districts' has no feature with fid 12"), "\(unknown.stderr)")
        let unknownID = try await fanout(["area", "check", json, "--feature", "west"])
        #expect(unknownID.stderr.contains("\(json): the FeatureCollection has no feature with id west"))
        let both = try await fanout(["area", "check", gpkg, "--feature", "1", "--all-features"])
        #expect(both.status == 64 && both.stderr.contains("give --feature ID or --all-features, not both"))
    }

    // MARK: - area convert, fix, map

    @Test(.enabled(if: gdal, gdalMissing))
    func convertFixAndMapTakeTheChoice() async throws {
        let gpkg = try await ExternalTool.geoPackage(
            fromGeoJSON: Self.districts, layer: "districts", named: "districts", in: dir)
        // One feature: Oost's two parts, coordinates as given.
        let oost = path("oost.geojson")
        let c1 = try await fanout(["area", "convert", gpkg, "--feature", "3", "--out", oost])
        #expect(c1.status == 0 && c1.stdout.contains("2 polygons, 8 vertices, EPSG:28992"), "\(c1.stdout)\(c1.stderr)")
        let back = try AreaConverter().read(contentsOf: URL(fileURLWithPath: oost))
        #expect(back.polygons.map(\.shell) == [ring(106_000, 400_000, 500), ring(107_000, 400_000, 500)])
        #expect(back.crs == .rdNew)
        // All features, as a GeoPackage: one MultiPolygon feature of 5.5 km² with a spatial index.
        let all = path("all.gpkg")
        let c2 = try await fanout(["area", "convert", gpkg, "--all-features", "--out", all])
        #expect(c2.status == 0 && c2.stdout.contains("gpkg, 4 polygons"), "\(c2.stdout)\(c2.stderr)")
        // The union has no attributes; the layer it came from names it.
        try await expectGDALAccepts(all, layer: "districts", features: 1)
        let allBack = try await measures([all])
        #expect(abs((allBack.areaKm2 ?? 0) - 5.5) < 1e-9, "\(allBack)")
        let refused = try await fanout(["area", "convert", gpkg, "--out", path("x.gpkg")])
        #expect(refused.status == 2 && refused.stderr.contains("holds 3 features"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("x.gpkg")))
        let circle = try await fanout([
            "area", "convert", "--circle", "4.6,51.6,500", "--out", path("c.cap"), "--feature", "1",
        ])
        #expect(circle.status == 64 && circle.stderr.contains("--feature applies to an area FILE, not to --circle"))

        let fixed = path("fixed.gpkg")
        let f = try await fanout(["area", "fix", gpkg, "--all-features", "--out", fixed])
        #expect(f.status == 0, "\(f.stdout)\(f.stderr)")
        try await expectGDALAccepts(fixed, layer: "districts", features: 1)

        let map = path("noord.svg")
        let m = try await fanout(["area", "map", gpkg, "--feature", "1", "--out", map])
        #expect(m.status == 0 && FileManager.default.fileExists(atPath: map), "\(m.stderr)")
        let noChoice = try await fanout(["area", "map", gpkg, "--out", path("none.svg")])
        #expect(noChoice.status == 2 && noChoice.stderr.contains("holds 3 features"), "\(noChoice.stderr)")
    }

    func ring(_ x: Double, _ y: Double, _ side: Double) -> [XY] {
        [XY(x, y), XY(x + side, y), XY(x + side, y + side), XY(x, y + side), XY(x, y)]
    }

    // MARK: - select --polygon

    @Test(.enabled(if: gdal, gdalMissing))
    func selectTakesOneFeatureOrTheUnion() async throws {
        let gpkg = try await ExternalTool.geoPackage(
            fromGeoJSON: Self.districts, layer: "districts", named: "districts", in: dir)
        // Participants placed by hand in RD New: 1 in Noord, 2 in Zuid, 3 and 4 in Oost's two
        // parts, 5 between Noord and Zuid, 6 far away.
        let csv = """
            id,x,y
            1,100500,400500
            2,104000,401000
            3,106250,400250
            4,107250,400250
            5,102000,400500
            6,110000,410000
            """
        try csv.write(toFile: path("p.csv"), atomically: true, encoding: .utf8)
        let db = path("r.sqlite")
        let imp = try await fanout(["import", "--db", db, "--csv", path("p.csv"), "--crs", "EPSG:28992"])
        #expect(imp.status == 0, "\(imp.stderr)")

        func selected(_ arguments: [String]) async throws -> (status: Int32, ids: Set<Int64>, stderr: String) {
            let r = try await fanout(["select", "--db", db, "--polygon"] + arguments)
            return (r.status, Set(parseSelectionCSV(r.stdout).rows.map(\.0)), r.stderr)
        }
        let none = try await selected([gpkg])
        #expect(none.status == 2 && none.stderr.contains("layer 'districts' holds 3 features"), "\(none.stderr)")
        #expect(try await selected([gpkg, "--feature", "2"]).ids == [2])
        #expect(try await selected([gpkg, "--feature", "3"]).ids == [3, 4])
        #expect(try await selected([path("districts.geojson"), "--feature", "7"]).ids == [1])
        let out = path("sel.gpkg")
        let all = try await selected([gpkg, "--all-features", "--gpkg", out])
        #expect(all.ids == [1, 2, 3, 4], "\(all.stderr)")
        try await expectGDALAccepts(out, layer: "participants", features: 4)

        let circle = try await fanout(["select", "--db", db, "--circle", "4.6,51.6,500", "--all-features"])
        #expect(circle.status == 64 && circle.stderr.contains("--all-features applies to --polygon only"))
    }

    // MARK: - fanout action start/enlarge --polygon

    @Test(.enabled(if: gdal, gdalMissing))
    func actionsTakeOneFeatureOrTheUnionAndAuditTheAreaUsed() async throws {
        let gpkg = try await ExternalTool.geoPackage(
            fromGeoJSON: Self.districts, layer: "districts", named: "districts", in: dir)
        // As in selectTakesOneFeatureOrTheUnion, each with a phone number (needed for SMS).
        let csv = """
            id,x,y,phone
            1,100500,400500,+31600000001
            2,104000,401000,+31600000002
            3,106250,400250,+31600000003
            4,107250,400250,+31600000004
            5,102000,400500,+31600000005
            6,110000,410000,+31600000006
            """
        try csv.write(toFile: path("a.csv"), atomically: true, encoding: .utf8)
        let db = path("a.sqlite")
        let imp = try await fanout(["import", "--db", db, "--csv", path("a.csv"), "--crs", "EPSG:28992"])
        #expect(imp.status == 0, "\(imp.stderr)")
        let request = ["--incident-type", "burglary", "--message", "Look out for a red van", "--channels", "sms"]

        let none = try await fanout(["action", "start", "--db", db, "--polygon", gpkg] + request)
        #expect(none.status == 2 && none.stderr.contains("layer 'districts' holds 3 features"), "\(none.stderr)")
        let circle = try await fanout(
            ["action", "start", "--db", db, "--lon", "4.6", "--lat", "51.6", "--radius", "500", "--feature", "3"]
                + request)
        #expect(circle.status == 64 && circle.stderr.contains("--feature applies to --polygon only"), "\(circle.stderr)")

        // Oost (fid 3, two squares): participants 3 and 4.
        let start = try await fanout(["action", "start", "--db", db, "--polygon", gpkg, "--feature", "3"] + request)
        #expect(start.status == 0, "\(start.stderr)")
        let ledger = try Ledger.open(at: db)
        let id = ActionID(rawValue: 1)
        #expect(Set(try ledger.messages(of: id).map(\.key.person)) == [3, 4])
        // The union enlarges it by Noord and Zuid's participants.
        let enlarge = try await fanout(["action", "enlarge", "1", "--db", db, "--polygon", gpkg, "--all-features"])
        #expect(enlarge.status == 0, "\(enlarge.stderr)")
        #expect(Set(try ledger.messages(of: id).map(\.key.person)) == [1, 2, 3, 4])

        // The audit holds the areas used, in RD New: Oost's two squares, then all four.
        let areas = try ledger.explain(action: id, person: 1).areas
        #expect(areas.map(\.version) == [1, 2])
        let first = try #require(areas.first?.geometry)
        #expect(first.contains(#""type":"MultiPolygon""#) && first.contains("EPSG:28992"), "\(first)")
        #expect(first.contains("[106000.0,400000.0]") && first.contains("[107500.0,400500.0]"), "\(first)")
        #expect(!first.contains("[100000.0,400000.0]"))
        let second = try #require(areas.last?.geometry)
        #expect(second.contains("[100000.0,400000.0]") && second.contains("[105000.0,402000.0]"), "\(second)")
        for r in [none, circle, start, enlarge] { #expect(!(r.stdout + r.stderr).contains("+3160")) }
    }
}
