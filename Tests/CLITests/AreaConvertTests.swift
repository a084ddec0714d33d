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

/// `fanout area convert`, GeoPackage input everywhere and `select --gpkg`, through the real
/// binary, checked with GDAL (`ogrinfo`, `ogr2ogr`) and xmllint.
@Suite struct AreaConvertTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("convert") }

    static let gdal = ExternalTool.has("ogrinfo") && ExternalTool.has("ogr2ogr")
    static let xsd = Fixtures.url("CLITests/Fixtures/cap/CAP-v1.2.xsd").path

    /// Two parts near Utrecht, coordinates with many digits; the first has a hole.
    static let withHole = """
        {"type":"MultiPolygon","coordinates":[[[[5.050000001,52.05],[5.2012345678901,52.05],[5.2012345678901,52.14],\
        [5.05,52.1400000009],[5.050000001,52.05]],[[5.1,52.08],[5.1,52.1],[5.12,52.1],[5.12,52.08],[5.1,52.08]]],\
        [[[5.3,52.2],[5.31,52.2],[5.31,52.21],[5.3,52.2]]]]}
        """
    static let noHole = """
        {"type":"MultiPolygon","coordinates":[[[[5.050000001,52.05],[5.2012345678901,52.05],[5.2012345678901,52.14],\
        [5.05,52.1400000009],[5.050000001,52.05]]],[[[5.3,52.2],[5.31,52.2],[5.31,52.21],[5.3,52.2]]]]}
        """

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func coordinates(_ file: String) throws -> [XY] {
        let area = try AreaConverter().read(contentsOf: URL(fileURLWithPath: file))
        return area.polygons.flatMap { ([$0.shell] + $0.holes).flatMap { $0 } }
    }

    func expectClose(
        _ a: [XY], _ b: [XY], within tolerance: Double = 1e-9, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(a.count == b.count, sourceLocation: sourceLocation)
        let worst = zip(a, b).map { max(abs($0.x - $1.x), abs($0.y - $1.y)) }.max() ?? .infinity
        #expect(worst <= tolerance, "largest difference \(worst)°", sourceLocation: sourceLocation)
    }

    func convert(_ args: [String]) async throws -> CommandResult { try await CommandRunner.run(["area", "convert"] + args) }

    @Test func roundTripsThroughEveryFormatKeepTheCoordinates() async throws {
        let source = try write("src.geojson", Self.withHole)
        let original = try coordinates(source)
        for (ext, to) in [("gpkg", nil), ("wkt", nil), ("json", "geojson")] as [(String, String?)] {
            let mid = path("mid.\(ext)")
            let r1 = try await convert([source, "--out", mid] + (to.map { ["--to", $0] } ?? []))
            #expect(r1.status == 0, "\(r1.stderr)")
            #expect(r1.stdout.contains("wrote \(mid): \(to ?? ext), 2 polygons, 1 hole, 11 vertices"), "\(r1.stdout)")
            let back = path("back-\(ext).geojson")
            let r2 = try await convert([mid, "--out", back])
            #expect(r2.status == 0, "\(r2.stderr)")
            expectClose(try coordinates(back), original, within: 0)
        }
        // CAP has no holes: the hole-free area goes through CAP and back.
        let plain = try write("plain.geojson", Self.noHole)
        let cap = path("plain.cap")
        let r3 = try await convert([plain, "--out", cap])
        #expect(r3.status == 0, "\(r3.stderr)")
        let back = path("back-cap.geojson")
        await #expect(try convert([cap, "--out", back]).status == 0)
        expectClose(try coordinates(back), try coordinates(plain))
        // With a hole, CAP is refused (exit 2) and nothing is written.
        let refused = try await convert([source, "--out", path("hole.cap")])
        #expect(refused.status == 2 && refused.stderr.contains("a CAP <polygon> is a single ring"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("hole.cap")))
    }

    @Test func convertNeverOverwritesItsInputAndNeedsAFormat() async throws {
        let source = try write("in.geojson", Self.noHole)
        let before = try String(contentsOfFile: source, encoding: .utf8)
        let same = try await convert([source, "--out", source])
        #expect(same.status == 2 && same.stderr.contains("is the input file"))
        let unknown = try await convert([source, "--out", path("x.shp")])
        #expect(unknown.status == 64 && unknown.stderr.contains("cannot tell the format from '.shp'"))
        #expect(try String(contentsOfFile: source, encoding: .utf8) == before)
        for out in [path("no/such/dir/x.gpkg"), path("no/such/dir/x.geojson")] {
            let unwritable = try await convert([source, "--out", out])
            #expect(unwritable.status == 70 && unwritable.stderr.contains("cannot write \(out)"), "\(unwritable.stderr)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasSuffix(".tmp") })
        let capOption = try await convert([source, "--out", path("x.wkt"), "--identifier", "a"])
        #expect(capOption.status == 64 && capOption.stderr.contains("apply to CAP output"))
    }

    @Test(.enabled(if: gdal, "ogrinfo/ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func gdalOpensWhatConvertWrites() async throws {
        let source = try write("g.geojson", Self.withHole)
        let out = path("g.gpkg")
        await #expect(try convert([source, "--out", out]).status == 0)
        let info = try await ExternalTool.run("ogrinfo", ["-ro", "-al", "-so", out])
        #expect(info.status == 0 && !info.stderr.contains("ERROR"), "\(info.stderr)")
        #expect(info.stdout.contains("Geometry: Multi Polygon") && info.stdout.contains("Feature Count: 1"))
        #expect(info.stdout.contains("ID[\"EPSG\",4326]"))
        // An RD New area keeps its CRS: GDAL sees EPSG:28992.
        let rd = try write(
            "rd.geojson",
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:28992"}},"coordinates":[[[155000,463000],[156000,463000],[156000,464000],[155000,463000]]]}"#
        )
        let rdOut = path("rd.gpkg")
        let r = try await convert([rd, "--out", rdOut])
        #expect(r.status == 0 && r.stdout.contains("EPSG:28992"), "\(r.stdout)\(r.stderr)")
        let rdInfo = try await ExternalTool.run("ogrinfo", ["-ro", "-al", rdOut])
        #expect(rdInfo.stdout.contains("Amersfoort / RD New") && rdInfo.stdout.contains("ID[\"EPSG\",28992]"))
        #expect(
            rdInfo.stdout.contains("POLYGON ((155000 463000,156000 463000,156000 464000,155000 463000))"),
            "\(rdInfo.stdout)")
        // area fix writes a GeoPackage too: a bowtie repaired into two triangles.
        let bow = try write("bow.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))")
        let fixed = path("fixed.gpkg")
        let fix = try await CommandRunner.run(["area", "fix", bow, "--out", fixed, "--method", "linework"])
        #expect(fix.status == 0, "\(fix.stderr)")
        let fixedInfo = try await ExternalTool.run("ogrinfo", ["-ro", "-al", fixed])
        #expect(fixedInfo.status == 0 && fixedInfo.stdout.contains("Geometry: Multi Polygon"), "\(fixedInfo.stderr)")
        #expect(fixedInfo.stdout.contains("Feature Count: 1") && fixedInfo.stdout.contains("MULTIPOLYGON ((("))
    }

    @Test(.enabled(if: gdal, "ogrinfo/ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func gdalWrittenGeoPackagesAreRead() async throws {
        let source = try write("q.geojson", Self.withHole)
        let gpkg = path("q.gpkg")
        let made = try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", gpkg, source])
        #expect(made.status == 0, "\(made.stderr)")
        let check = try await CommandRunner.run(["area", "check", gpkg])
        #expect(check.status <= 1, "\(check.stdout)\(check.stderr)")
        let back = path("q-back.geojson")
        let r = try await convert([gpkg, "--out", back])
        #expect(r.status == 0, "\(r.stderr)")
        expectClose(try coordinates(back), try coordinates(source))
        // Reprojected by GDAL to RD New: the layer's srs_id is honoured.
        let rd = path("q-rd.gpkg")
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-t_srs", "EPSG:28992", rd, source]).status == 0)
        let rdBack = try await convert([rd, "--out", path("q-rd.geojson")])
        #expect(rdBack.status == 0 && rdBack.stdout.contains("EPSG:28992"), "\(rdBack.stdout)\(rdBack.stderr)")
        // A point layer written by GDAL is not an area; two layers need --layer.
        let pts = try write("p.geojson", #"{"type":"Point","coordinates":[5.1,52.1]}"#)
        let both = path("both.gpkg")
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", both, pts, "-nln", "points"]).status == 0)
        let onlyPoints = try await CommandRunner.run(["area", "check", both])
        #expect(
            onlyPoints.status == 2 && onlyPoints.stderr.contains("no polygon layer; it has points (POINT)"),
            "\(onlyPoints.stderr)")
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-update", both, source, "-nln", "a1"]).status == 0)
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-update", both, source, "-nln", "a2"]).status == 0)
        // A polygon stored as a CurvePolygon (GDAL writes WKB type 10): named, not a GEOS parse error.
        let square = try write(
            "square.geojson", #"{"type":"Polygon","coordinates":[[[5,52],[5.1,52],[5.1,52.1],[5,52]]]}"#)
        let curved = path("curved.gpkg")
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-nlt", "CURVEPOLYGON", curved, square]).status == 0)
        let curve = try await CommandRunner.run(["area", "check", curved])
        #expect(curve.status == 2 && curve.stderr.contains("a curved geometry (CurvePolygon)"), "\(curve.stderr)")
        let several = try await CommandRunner.run(["area", "check", both])
        #expect(several.status == 2 && several.stderr.contains("choose one with --layer NAME"), "\(several.stderr)")
        #expect(try await CommandRunner.run(["area", "check", both, "--layer", "a2"]).status <= 1)
    }

    /// GDAL reprojects a Brussels square into each CRS; our reader maps the layer's srs_id and CAP
    /// output transforms back. Belgian Lambert 72 comes back 4e-9° off: GDAL and PROJ's default
    /// pick different BD72 datum shifts (a few tenths of a millimetre), so it gets 1e-8°. RD New
    /// comes back through RDNAPTRANS2018 while GDAL went there with PROJ's grid-less Helmert
    /// (up to 0.25 m apart; 9e-8° here), so it gets 5e-6° (0.35 m).
    @Test(
        .enabled(if: gdal, "ogrinfo/ogr2ogr missing: install gdal-bin (tools/test.sh does)"),
        arguments: [(3812, 1e-9), (4258, 1e-9), (25832, 1e-9), (28992, 5e-6), (31370, 1e-8)])
    func geoPackagesInOtherCRSsComeBackToWGS84(epsg: Int, tolerance: Double) async throws {
        let source = try write(
            "be\(epsg).geojson",
            #"{"type":"Polygon","coordinates":[[[4.35,50.84],[4.37,50.84],[4.37,50.86],[4.35,50.86],[4.35,50.84]]]}"#)
        let gpkg = path("be\(epsg).gpkg")
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", "-t_srs", "EPSG:\(epsg)", gpkg, source]).status == 0)
        let cap = path("be\(epsg).cap")
        let r = try await convert([gpkg, "--out", cap])
        #expect(r.status == 0 && r.stdout.contains("transformed from EPSG:\(epsg) to WGS84"), "\(r.stdout)\(r.stderr)")
        expectClose(try coordinates(cap), try coordinates(source), within: tolerance)
    }

    @Test func selectTakesAGeoPackagePolygon() async throws {
        let fx = try CLIFixture.shared.get()
        let source = try write("sel.geojson", Self.withHole)
        let gpkg = path("sel-area.gpkg")
        await #expect(try convert([source, "--out", gpkg]).status == 0)
        let fromJSON = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", source])
        let fromGPKG = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gpkg, "--layer", "area"])
        #expect(fromJSON.status == 0 && fromGPKG.status == 0, "\(fromGPKG.stderr)")
        let rows = parseSelectionCSV(fromGPKG.stdout).rows
        #expect(rows.count > 0 && rows.map(\.0) == parseSelectionCSV(fromJSON.stdout).rows.map(\.0))
        let wrongLayer = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gpkg, "--layer", "nope"])
        #expect(
            wrongLayer.status == 2 && wrongLayer.stderr.contains("no feature layer 'nope'; it has area (MULTIPOLYGON)"))
        let gpkgIsInput = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gpkg, "--gpkg", gpkg])
        #expect(gpkgIsInput.status == 2 && gpkgIsInput.stderr.contains("is the --polygon file \(gpkg)"))
    }

    @Test func geoPackageErrorsReachTheCommandLine() async throws {
        let fake = try write("fake.gpkg", "not a database")
        let r1 = try await CommandRunner.run(["area", "check", fake])
        #expect(r1.status == 3 && r1.stderr.contains("not a SQLite file"), "\(r1.stderr)")
        let fx = try CLIFixture.shared.get()
        let r2 = try await CommandRunner.run(["area", "check", fx.db])
        #expect(r2.status == 3 && r2.stderr.contains("a SQLite database but not a GeoPackage"), "\(r2.stderr)")
        let wkt = try write("a.wkt", "POLYGON((5 52, 5.1 52, 5.1 52.1, 5 52))")
        let r3 = try await CommandRunner.run(["area", "check", wkt, "--layer", "x"])
        #expect(r3.status == 3 && r3.stderr.contains("applies to GeoPackage (.gpkg) input only"), "\(r3.stderr)")
    }

    @Test(.enabled(if: ExternalTool.has("xmllint"), "xmllint missing: install libxml2-utils (tools/test.sh does)"))
    func capFromTheCommandLineValidates() async throws {
        let source = try write("c.geojson", Self.noHole)
        let out = path("c.cap")
        let r = try await convert([
            source, "--out", out, "--languages", "nl,fr,de", "--msg-type", "Update", "--references",
            "fanout@burgernet.example,a-1,2026-11-29T23:00:00+01:00", "--identifier", "a-2", "--sent",
            "2026-11-29T23:40:00+01:00", "--headline", "nl=Vermist kind & fiets", "--area-desc", "Utrecht <oost>",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let lint = try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, out])
        #expect(lint.status == 0, "\(lint.stderr)")
        let xml = try String(contentsOfFile: out, encoding: .utf8)
        #expect(xml.contains("<sent>2026-11-29T23:40:00+01:00</sent>") && xml.contains("<msgType>Update</msgType>"))
        #expect(xml.contains("<headline>Vermist kind &amp; fiets</headline>"))
        #expect(xml.contains("<language>fr-BE</language>") && xml.contains("<event>Bürgeralarm</event>"))
        #expect(xml.contains("<areaDesc>Utrecht &lt;oost&gt;</areaDesc>"))
        let alert = try CAPReader.parse(Data(xml.utf8), name: out)
        #expect(alert.areas.count == 3 && alert.areas.allSatisfy { $0.polygons.count == 2 })
        // A circular action: one <circle> per language, read back as the same centre and radius.
        let circleOut = path("circle.cap")
        let c = try await convert([
            "--circle", "4.8930123456789,52.3731,2500", "--out", circleOut, "--languages", "nl,de", "--msg-type",
            "Cancel", "--references", "x,a-1,2026-11-29T23:00:00+01:00",
        ])
        #expect(c.status == 0 && c.stdout.contains("1 circle (2.5 km)"), "\(c.stdout)\(c.stderr)")
        #expect(try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, circleOut]).status == 0)
        let circleAlert = try CAPReader.parse(try Data(contentsOf: URL(fileURLWithPath: circleOut)), name: circleOut)
        #expect(
            circleAlert.areas.map(\.circles)
                == Array(
                    repeating: [CAPCircle(center: LonLat(lon: 4.8930123456789, lat: 52.3731), radiusKm: 2.5)], count: 2)
        )
        let circleAsGPKG = try await convert(["--circle", "4.89,52.37,2500", "--out", path("circle.gpkg")])
        #expect(circleAsGPKG.status == 64 && circleAsGPKG.stderr.contains("written as CAP only"))
        let badID = try await convert([source, "--out", path("e.cap"), "--identifier", "a b"])
        #expect(
            badID.status == 64 && badID.stderr.contains("identifier 'a b' may not contain spaces"), "\(badID.stderr)")
        let noRef = try await convert([source, "--out", path("d.cap"), "--msg-type", "Cancel"])
        #expect(noRef.status == 64 && noRef.stderr.contains("needs --references"), "\(noRef.stderr)")
    }

    @Test(.enabled(if: ExternalTool.has("ogrinfo"), "ogrinfo missing: install gdal-bin (tools/test.sh does)"))
    func selectionExportsAPointLayerGDALOpens() async throws {
        let fx = try CLIFixture.shared.get()
        let gpkg = path("sel.gpkg")
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--circle", "4.8930,52.3731,3000", "--gpkg", gpkg])
        #expect(r.status == 0, "\(r.stderr)")
        let csv = parseSelectionCSV(r.stdout)
        #expect(csv.rows.count > 10)
        let info = try await ExternalTool.run("ogrinfo", ["-ro", "-al", gpkg])
        #expect(info.status == 0 && !info.stderr.contains("ERROR"), "\(info.stderr)")
        #expect(info.stdout.contains("Geometry: Point") && info.stdout.contains("Feature Count: \(csv.rows.count)"))
        #expect(info.stdout.contains("ID[\"EPSG\",4326]"))
        #expect(!info.stdout.contains("phone") && !info.stdout.contains("email") && !info.stdout.contains("@example"))
        if ExternalTool.geoPackageValidator != nil {
            let valid = try await ExternalTool.validateGeoPackage(gpkg)
            #expect(valid.status == 0 && valid.stderr.isEmpty, "\(valid.stderr)")
        }
        // Feature 1 is the first row of the CSV, rank 1, at the engine's lon/lat for it.
        let first = info.stdout.components(separatedBy: "OGRFeature(participants):1\n").last ?? ""
        #expect(first.contains("participant_id (Integer64) = \(csv.rows[0].0)"), "\(first.prefix(300))")
        #expect(first.contains("rank (Integer64) = 1"))
        let distanceLine = first.split(separator: "\n").first { $0.contains("distance_m (Real) = ") } ?? ""
        let distance = Double(distanceLine.split(separator: "=").last?.trimmingCharacters(in: .whitespaces) ?? "")
        #expect(abs((distance ?? -1) - (Double(csv.rows[0].1) ?? -2)) <= 0.0005, "\(distanceLine)")
        let engine = try Engine.open(registryAt: fx.db)
        let result = try engine.select(
            SelectionRequest(area: .circle(center: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 3000)))
        let ll = try engine.lonLats(of: result, precision: .coarsened)[0]
        let point = try #require(first.split(separator: "\n").first { $0.contains("POINT (") })
        let xy = point.split(whereSeparator: { " ()".contains($0) }).compactMap { Double($0) }
        #expect(xy.count == 2 && abs(xy[0] - ll.lon) <= 1e-9 && abs(xy[1] - ll.lat) <= 1e-9, "\(point) vs \(ll)")
    }
}
