import Foundation
import GeoTestSupport
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// Area files with several features: the list, one feature by id, and the union of all.
///
/// The refusal that lists them, `--feature` by GeoPackage fid and GeoJSON id, and the union of
/// all features, on GeoPackages made by GDAL's `ogr2ogr` from GeoJSON written here, and on the
/// GeoJSON itself. Areas are in RD New (EPSG:28992) metres, so
/// the expected areas are computed by hand.
@Suite struct FeatureChoiceTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("features") }

    // MARK: - Fixtures

    /// A square polygon's GeoJSON geometry, counter-clockwise from its south-west corner.
    static func square(_ x: Double, _ y: Double, _ side: Double) -> String {
        #"{"type":"Polygon","coordinates":["# + ring(x, y, side) + "]}"
    }

    static func ring(_ x: Double, _ y: Double, _ side: Double) -> String {
        let r = rectangle(x, y, x + side, y + side)
        return "[" + r.map { "[\($0.x),\($0.y)]" }.joined(separator: ",") + "]"
    }

    /// A Feature; `id` is raw JSON (`7`, `"zuid"`) or `nil` for none.
    static func feature(id: String?, _ properties: String, _ geometry: String) -> String {
        #"{"type":"Feature","# + (id.map { #""id":\#($0),"# } ?? "") + #""properties":"# + properties
            + #","geometry":"# + geometry + "}"
    }

    /// A FeatureCollection in RD New (the legacy `crs` member, which ogr2ogr and the reader honour).
    static func collection(_ features: [String]) -> String {
        #"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::28992"}},"#
            + #""features":["# + features.joined(separator: ",\n") + "]}"
    }

    /// Three disjoint districts, one of them drawn in two parts.
    ///
    /// Noord 1 × 1 km (1 km²), Zuid 2 × 2 km (4 km²), and Oost drawn in two parts of 500 × 500 m
    /// (0.5 km² together). Their union is 5.5 km² in 4 polygons.
    static let districts = collection([
        feature(id: "7", #"{"statnaam":"Noord"}"#, square(100_000, 400_000, 1000)),
        feature(id: #""zuid""#, #"{"statnaam":"Zuid"}"#, square(103_000, 400_000, 2000)),
        feature(
            id: "9", #"{"statnaam":"Oost"}"#,
            #"{"type":"MultiPolygon","coordinates":[["# + ring(106_000, 400_000, 500) + "],["
                + ring(107_000, 400_000, 500) + "]]}"),
    ])

    /// Three parts of one action area that overlap and touch.
    ///
    /// P and Q (2 × 2 km each) overlap in 1 × 1 km, R (1 × 1 km) shares an edge with P. Union: 4 + 4 − 1 + 1 = 8 km², one polygon.
    static let overlapping = collection([
        feature(id: "1", #"{"name":"P"}"#, square(100_000, 400_000, 2000)),
        feature(id: "2", #"{"name":"Q"}"#, square(101_000, 401_000, 2000)),
        feature(id: "3", #"{"name":"R"}"#, square(99_000, 400_000, 1000)),
    ])

    func gdalFile(_ geoJSON: String, _ name: String, layer: String = "districts") async throws -> String {
        try await ExternalTool.geoPackage(fromGeoJSON: geoJSON, layer: layer, named: name, in: dir)
    }

    func geoJSONFile(_ text: String, _ name: String) throws -> String {
        let url = dir.appendingPathComponent(name + ".geojson")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func read(_ path: String, _ choice: FeatureChoice, context: GEOSContext? = nil) throws -> AreaGeometry {
        try AreaReader.read(
            contentsOf: URL(fileURLWithPath: path), crs: nil, features: choice, context: context ?? GEOSContext())
    }

    func error(_ path: String, _ choice: FeatureChoice) -> GeoError? {
        geoError { _ = try read(path, choice) }
    }

    /// The area in the file's units squared (m² for RD New), computed by GEOS.
    func area(_ a: AreaGeometry) throws -> Double {
        try GEOSContext().makeMultiPolygon(a.polygons).area
    }

    static func id(_ text: String) -> FeatureChoice {
        guard let id = FeatureID(text) else { preconditionFailure("bad test id \(text)") }
        return .id(id)
    }

    // MARK: - Several features and no choice

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func severalFeaturesAreRefusedWithAListThatSaysHowToChoose() async throws {
        let gpkg = try await gdalFile(Self.districts, "districts")
        let e = try #require(error(gpkg, .single))
        #expect(e.code == .featureChoice)
        #expect(e.message.hasPrefix("\(gpkg): layer 'districts' holds 3 features"), "\(e)")
        for line in ["  fid 1: statnaam 'Noord'", "  fid 2: statnaam 'Zuid'", "  fid 3: statnaam 'Oost'"] {
            #expect(e.message.contains(line + "\n"), "\(e)")
        }
        #expect(e.message.contains("choose one by its FID (FeatureChoice.id)"), "\(e)")
        #expect(e.message.contains("(FeatureChoice.all)") && !e.message.contains("--"), "\(e)")

        let json = try geoJSONFile(Self.districts, "districts")
        let j = try #require(error(json, .single))
        #expect(j.code == .featureChoice)
        #expect(j.message.hasPrefix("\(json): the FeatureCollection holds 3 features"), "\(j)")
        for line in ["  id 7: statnaam 'Noord'", #"  id "zuid": statnaam 'Zuid'"#, "  id 9: statnaam 'Oost'"] {
            #expect(j.message.contains(line + "\n"), "\(j)")
        }
        #expect(j.message.contains("choose one by its ID (FeatureChoice.id)"), "\(j)")
        #expect(j.message.contains("(FeatureChoice.all)") && !j.message.contains("--"), "\(j)")
        #expect(!j.message.contains("without an \"id\""), "every feature has an id: \(j)")
    }

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func theListStopsAtTenAndFindsNameLikeAttributes() async throws {
        // 12 features; the name attribute spelled NAME, next to a less telling 'label'.
        let features = (0..<12).map { i in
            Self.feature(
                id: nil, #"{"label":"L\#(i)","NAME":"Wijk \#(i)"}"#,
                Self.square(100_000 + Double(i) * 2000, 400_000, 1000))
        }
        let gpkg = try await gdalFile(Self.collection(features), "twelve", layer: "wijken")
        let e = try #require(error(gpkg, .single))
        #expect(e.message.contains("layer 'wijken' holds 12 features"), "\(e)")
        #expect(e.message.contains("  fid 10: NAME 'Wijk 9'\n  … and 2 more\n"), "\(e)")
        #expect(!e.message.contains("fid 11"), "\(e)")
        // GeoJSON features without an id: listed by position, with a hint.
        let json = try geoJSONFile(Self.collection(features), "twelve")
        let j = try #require(error(json, .single))
        #expect(j.message.contains("  features[0] (no id; '#1'): NAME 'Wijk 0'\n"), "\(j)")
        #expect(j.message.contains("are chosen by their position in the file: '#N'"), "\(j)")
    }

    @Test func aFeatureWithoutAnIDIsChosenByItsPosition() throws {
        // Three squares without ids, 1, 2 and 3 km wide, so each position gives a known shell.
        let features = (1...3).map { i in
            Self.feature(id: nil, "{}", Self.square(100_000 + Double(i) * 10_000, 400_000, Double(i) * 1000))
        }
        let json = try geoJSONFile(Self.collection(features), "positions")
        for n in 1...3 {
            let area = try AreaReader.read(
                contentsOf: URL(fileURLWithPath: json), crs: nil, features: .id(try #require(FeatureID("#\(n)"))),
                context: try GEOSContext())
            let xs = area.polygons[0].shell.map(\.x)
            #expect(xs.min() == 100_000 + Double(n) * 10_000 && xs.max() == 100_000 + Double(n) * 11_000, "#\(n)")
        }
        for bad in ["#0", "#4", "#-1", "#x"] {
            let id = try #require(FeatureID(bad))
            let e = try #require(error(json, .id(id)), "\(bad)")
            #expect(e.message.contains("has no feature with id \(bad);"), "\(e)")
        }
        // A feature whose id is literally "#2" wins over the position.
        let literal = try geoJSONFile(
            Self.collection([
                Self.feature(id: nil, "{}", Self.square(100_000, 400_000, 1000)),
                Self.feature(id: nil, "{}", Self.square(110_000, 400_000, 1000)),
                Self.feature(id: ##""#2""##, "{}", Self.square(120_000, 400_000, 1000)),
            ]), "literal")
        let chosen = try AreaReader.read(
            contentsOf: URL(fileURLWithPath: literal), crs: nil, features: .id(try #require(FeatureID("#2"))),
            context: try GEOSContext())
        #expect(chosen.polygons[0].shell.map(\.x).min() == 120_000)
    }

    @Test func nameAttributesAreMatchedWithoutCaseInTheirOrder() {
        #expect(AreaFeatures.nameAttribute(among: ["fid", "Label", "NAAM"]) == "NAAM")
        #expect(AreaFeatures.nameAttribute(among: ["statnaam", "name"]) == "name")
        #expect(AreaFeatures.nameAttribute(among: ["code", "area"]) == nil)
        #expect(AreaFeatures.clean("a\u{1B}[31mb") == "a?[31mb")
        #expect(AreaFeatures.clean(String(repeating: "x", count: 100)).count == 60)
    }

    // MARK: - One feature by id

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func featureByFidGivesThatFeaturesCoordinates() async throws {
        let gpkg = try await gdalFile(Self.districts, "byfid")
        let zuid = try read(gpkg, Self.id("2"))
        #expect(zuid.polygons == [PlanarPolygon(shell: rectangle(103_000, 400_000, 105_000, 402_000))])
        #expect(zuid.crs == .rdNew)
        let oost = try read(gpkg, Self.id("3"))
        #expect(
            oost.polygons == [
                PlanarPolygon(shell: rectangle(106_000, 400_000, 106_500, 400_500)),
                PlanarPolygon(shell: rectangle(107_000, 400_000, 107_500, 400_500)),
            ])

        let unknown = try #require(error(gpkg, Self.id("5")))
        #expect(unknown.code == .featureChoice)
        #expect(unknown.message.hasPrefix("\(gpkg): layer 'districts' has no feature with fid 5"), "\(unknown)")
        #expect(unknown.message.contains("  fid 1: statnaam 'Noord'"), "\(unknown)")
        let word = try #require(error(gpkg, Self.id("zuid")))
        #expect(word.message.contains("feature zuid: a GeoPackage feature is chosen by its fid"), "\(word)")
    }

    @Test func featureByGeoJSONIdTakesStringsAndNumbers() throws {
        let json = try geoJSONFile(Self.districts, "byid")
        let zuid = try read(json, Self.id("zuid"))
        #expect(zuid.polygons == [PlanarPolygon(shell: rectangle(103_000, 400_000, 105_000, 402_000))])
        #expect(zuid.crs == .rdNew)
        for text in ["7", "7.0", " 7 "] {
            #expect(
                try read(json, Self.id(text)).polygons == [
                    PlanarPolygon(shell: rectangle(100_000, 400_000, 101_000, 401_000))
                ])
        }
        // Not the number 7 under another spelling, and not a string "7" for the number.
        let hex = try #require(error(json, Self.id("0x7")))
        #expect(hex.message.contains("has no feature with id 0x7"), "\(hex)")
        let missing = try #require(error(json, Self.id("west")))
        #expect(missing.code == .featureChoice)
        #expect(missing.message.hasPrefix("\(json): the FeatureCollection has no feature with id west"), "\(missing)")
        #expect(FeatureID("7").map { $0.matches(.string("7")) } == true)
        #expect(FeatureID("7").map { $0.matches(.number(7)) } == true)
        #expect(FeatureID("zuid").map { $0.matches(.number(7)) } == false)
        #expect(FeatureID("  ") == nil)

        let twice = try geoJSONFile(
            Self.collection([
                Self.feature(id: "1", "{}", Self.square(0, 0, 1)), Self.feature(id: "1", "{}", Self.square(2, 0, 1)),
            ]), "twice")
        #expect(
            error(twice, Self.id("1"))?.message.contains("2 features have id 1 (.features[0], .features[1])") == true)
    }

    // MARK: - The union of all features

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func allFeaturesOfDisjointDistrictsAddUp() async throws {
        let gpkg = try await gdalFile(Self.districts, "all")
        let json = try geoJSONFile(Self.districts, "all")
        for path in [gpkg, json] {
            let all = try read(path, .all)
            // 1 + 4 + 0.25 + 0.25 km².
            #expect(abs(try area(all) - 5_500_000) < 1e-6, "\(path)")
            #expect(all.polygons.count == 4 && all.crs == .rdNew)
            // Shells counter-clockwise (RFC 7946), whatever GEOS's union returned.
            #expect(all.polygons.allSatisfy { RingOrientation.signedDoubleArea($0.shell) > 0 })
        }
    }

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func allFeaturesOfOverlappingPartsAreDissolved() async throws {
        let gpkg = try await gdalFile(Self.overlapping, "overlap", layer: "parts")
        try withCheckedContext { context in
            let all = try read(gpkg, .all, context: context)
            // 4 + 4 − 1 (the overlap) + 1 (R, sharing an edge with P) km², one polygon, no hole.
            #expect(abs(try context.makeMultiPolygon(all.polygons).area - 8_000_000) < 1e-6)
            #expect(all.polygons.count == 1 && all.polygons[0].holes.isEmpty)
            #expect(try context.makePolygon(all.polygons[0]).validity() == .valid)
        }
    }

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func allFeaturesIsAllOrNothingAndNamesTheFeaturesInTheWay() async throws {
        let bowtie = #"{"type":"Polygon","coordinates":[[[0,0],[10,10],[10,0],[0,10],[0,0]]]}"#
        let text = Self.collection([
            Self.feature(id: "1", #"{"naam":"goed"}"#, Self.square(100_000, 400_000, 1000)),
            Self.feature(id: "2", #"{"naam":"leeg"}"#, "null"),
            Self.feature(id: "3", #"{"naam":"punt"}"#, #"{"type":"Point","coordinates":[100000,400000]}"#),
            Self.feature(id: "4", #"{"naam":"strik"}"#, bowtie),
        ])
        let gpkg = try await gdalFile(text, "bad", layer: "mixed")
        let e = try #require(error(gpkg, .all))
        #expect(e.code == .unsupportedGeometry)
        #expect(e.message.hasPrefix("\(gpkg): layer 'mixed': 3 of 4 features cannot be part of the area"), "\(e)")
        #expect(e.message.contains("  fid 2: no geometry (NULL)\n"), "\(e)")
        #expect(e.message.contains("  fid 3: expected a Polygon or MultiPolygon, got Point\n"), "\(e)")
        #expect(e.message.contains("  fid 4: invalid polygon: Self-intersection at 5.0,5.0\n"), "\(e)")
        #expect(!e.message.contains("fid 1"), "\(e)")

        // The same in GeoJSON, plus an empty polygon, which GDAL would have turned into NULL.
        let json = try geoJSONFile(
            Self.collection([
                Self.feature(id: #""a""#, "{}", Self.square(100_000, 400_000, 1000)),
                Self.feature(id: #""b""#, "{}", #"{"type":"Polygon","coordinates":[]}"#),
                Self.feature(id: nil, "{}", "null"),
            ]), "bad")
        let j = try #require(error(json, .all))
        #expect(j.message.hasPrefix("\(json): the FeatureCollection: 2 of 3 features cannot be part"), "\(j)")
        #expect(j.message.contains(#"  id "b": .features[1].geometry.coordinates: the polygon is empty"#), "\(j)")
        #expect(j.message.contains("  features[2] (no id; '#3'): .features[2].geometry: the Feature has no geometry"), "\(j)")

        // Only invalid polygons: the code says so.
        let invalid = try geoJSONFile(Self.collection([Self.feature(id: "1", "{}", bowtie)]), "invalid")
        #expect(error(invalid, .all)?.code == .invalidGeometry)
    }

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func anEmptyGeoPackageGeometryIsNamed() async throws {
        let gpkg = try await gdalFile(Self.districts, "empty")
        // POLYGON EMPTY with the empty flag: GDAL writes NULL instead, so it is put in by hand.
        let empty = GeoPackageBinary(srsID: 28992, envelope: nil, isEmpty: true, wkb: [1, 3, 0, 0, 0, 0, 0, 0, 0])
        try alterGeoPackage(gpkg, "UPDATE districts SET geom = ? WHERE fid = 3", arguments: [Data(empty.encoded())])
        #expect(error(gpkg, .all)?.message.contains("  fid 3: the geometry is empty\n") == true)
        #expect(
            error(gpkg, Self.id("3"))?.message.contains("layer 'districts', feature 3: the geometry is empty") == true)
    }

    @Test func otherFormatsAndBareGeometries() throws {
        let wkt = dir.appendingPathComponent("a.wkt")
        try "POLYGON((0 0,1 0,1 1,0 0))".write(to: wkt, atomically: true, encoding: .utf8)
        // A WKT file's geometries are its features, chosen by position (see WKTFileTests).
        #expect(try read(wkt.path, .all).polygons.count == 1)
        #expect(error(wkt.path, Self.id("1"))?.message.contains("WKT geometries have no ids") == true)
        let cap = dir.appendingPathComponent("a.cap")
        // A CAP alert's areas are its features (see CLITests/CAPFeatureTests).
        let alert =
            #"<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>a</areaDesc>"#
            + "<polygon>0,0 0,1 1,1 0,0</polygon></area></info></alert>"
        try alert.write(to: cap, atomically: true, encoding: .utf8)
        #expect(try read(cap.path, .all).polygons.count == 1)
        #expect(try read(cap.path, Self.id("a")).polygons.count == 1)
        let bare = try geoJSONFile(Self.square(0, 0, 1), "bare")
        #expect(error(bare, Self.id("1"))?.message.contains("a bare geometry, without features or ids") == true)
        #expect(try read(bare, .all).polygons == [PlanarPolygon(shell: rectangle(0, 0, 1, 1))])
        let one = try geoJSONFile(Self.feature(id: "4", "{}", Self.square(0, 0, 1)), "one")
        #expect(try read(one, Self.id("4")).polygons.count == 1)
        #expect(error(one, Self.id("5"))?.message.contains("the file has no feature with id 5") == true)
        let none = try geoJSONFile(Self.collection([]), "none")
        #expect(error(none, .all)?.message.contains("the FeatureCollection is empty (no features)") == true)
    }

    @Test(.enabled(if: ExternalTool.hasGDAL, "ogr2ogr missing: install gdal-bin (tools/test.sh does)"))
    func everyGEOSHandleIsFreedOnEveryPath() async throws {
        let gpkg = try await gdalFile(Self.overlapping, "leak", layer: "parts")
        let bad = try geoJSONFile(
            Self.collection([
                Self.feature(id: "1", "{}", Self.square(0, 0, 1)),
                Self.feature(id: "2", "{}", #"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#),
            ]), "leak")
        try withCheckedContext { context in
            _ = try read(gpkg, .all, context: context)
            _ = try read(gpkg, Self.id("2"), context: context)
            #expect(throws: GeoError.self) { try read(gpkg, .single, context: context) }
            #expect(throws: GeoError.self) { try read(bad, .all, context: context) }
        }
    }
}
