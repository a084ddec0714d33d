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

/// `fanout area convert` keeps a feature's attributes and name through GeoJSON, GeoPackage and
/// CAP, through the real binary; the GeoPackage is read back by GDAL (`ogrinfo`), the JSON by
/// Foundation's `JSONSerialization`, both independent of the readers under test.
@Suite struct AreaAttributeTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("attributes") }

    /// A counter-clockwise square at Kerkrade with a clockwise hole (RFC 7946 orientation).
    static let geometry = """
        {"type":"Polygon","coordinates":[[[6.05,50.87],[6.08,50.87],[6.08,50.89],[6.05,50.89],[6.05,50.87]],\
        [[6.06,50.875],[6.06,50.88],[6.07,50.88],[6.07,50.875],[6.06,50.875]]]}
        """
    /// Properties of every type a GeoPackage column holds, text with quotes and non-ASCII letters.
    static let properties = """
        {"name":"Kerkrade Noord","code":928,"share":0.25,"ok":true,"closed":false,"note":null,\
        "remark":"\\"Oost\\" & Bleijerheide, Übach"}
        """

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The square without its hole (CAP holds no holes).
    static let plain =
        #"{"type":"Polygon","coordinates":[[[6.05,50.87],[6.08,50.87],[6.08,50.89],[6.05,50.89],[6.05,50.87]]]}"#

    func feature(properties: String, geometry: String = geometry) -> String {
        #"{"type":"Feature","properties":"# + properties + #","geometry":"# + geometry + "}"
    }

    /// A GeoJSON file's Feature object, decoded by Foundation.
    func json(_ file: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func convert(_ args: [String]) async throws -> CommandResult {
        try await CommandRunner.run(["area", "convert"] + args)
    }

    @Test func geoJSONToGeoPackageAndBackKeepsPropertiesAndNamesTheLayer() async throws {
        let source = try write("noord.geojson", feature(properties: Self.properties))
        let gpkg = path("noord.gpkg")
        let r1 = try await convert([source, "--out", gpkg])
        #expect(r1.status == 0, "\(r1.stderr)")
        if AreaConvertTests.gdal {
            // GDAL: the layer is the name made a table name, the identifier the name itself, and
            // every attribute a typed column with its value.
            let summary = try await ExternalTool.run("ogrinfo", ["-ro", "-so", gpkg])
            #expect(summary.stdout.contains("1: Kerkrade_Noord (Polygon)"), "\(summary.stdout)")
            let info = try await ExternalTool.run("ogrinfo", ["-ro", "-al", "-q", gpkg])
            for line in [
                "IDENTIFIER=Kerkrade Noord", "name (String) = Kerkrade Noord", "code (Integer64) = 928",
                "share (Real) = 0.25", "ok (Integer(Boolean)) = 1", "closed (Integer(Boolean)) = 0",
                "note (String) = (null)", "remark (String) = \"Oost\" & Bleijerheide, Übach",
            ] {
                #expect(info.stdout.contains(line), "\(line) in \(info.stdout)")
            }
            #expect(!info.stdout.contains("source (String)"), "no column that was not an attribute")
        }
        let back = path("back.geojson")
        let r2 = try await convert([gpkg, "--out", back])
        #expect(r2.status == 0, "\(r2.stderr)")
        let original = try json(source)
        let returned = try json(back)
        let a = try #require(original["properties"] as? NSDictionary)
        let b = try #require(returned["properties"] as? NSDictionary)
        #expect(a == b, "\(b)")
        #expect((returned["geometry"] as? NSDictionary) == (original["geometry"] as? NSDictionary))
    }

    @Test func layerNameOptionOverridesTheNameAndAnIntegerFidBecomesTheFid() async throws {
        let source = try write("w.geojson", feature(properties: #"{"name":"Wijk 7","fid":42}"#))
        let gpkg = path("w.gpkg")
        let r = try await convert([source, "--out", gpkg, "--layer-name", "wijk_7"])
        #expect(r.status == 0, "\(r.stderr)")
        if AreaConvertTests.gdal {
            let summary = try await ExternalTool.run("ogrinfo", ["-ro", "-so", gpkg])
            #expect(summary.stdout.contains("1: wijk_7 (Polygon)"), "\(summary.stdout)")
            let info = try await ExternalTool.run("ogrinfo", ["-ro", "-al", "-q", gpkg])
            #expect(info.stdout.contains("OGRFeature(wijk_7):42"), "\(info.stdout)")
            #expect(info.stdout.contains("name (String) = Wijk 7"), "\(info.stdout)")
        }
        // A name that is no table name, or --layer-name for another format: usage errors.
        let bad = try await convert([source, "--out", path("x.gpkg"), "--layer-name", "wijk 7"])
        #expect(bad.status == 64 && bad.stderr.contains("--layer-name"), "\(bad.stderr)")
        let notGPKG = try await convert([source, "--out", path("x.wkt"), "--layer-name", "wijk_7"])
        #expect(notGPKG.status == 64 && notGPKG.stderr.contains("GeoPackage output"), "\(notGPKG.stderr)")
        #expect(!FileManager.default.fileExists(atPath: path("x.gpkg")))
    }

    @Test(arguments: [
        (#"{"geom":1}"#, "property 'geom' has the name of the layer's geometry column"),
        (#"{"Name":"a","name":"b"}"#, "differ only in case"),
        (#"{"fid":"seven"}"#, "not an integer fid"),
    ])
    func attributesAGeoPackageCannotHoldAreRefused(properties: String, message: String) async throws {
        let source = try write("bad.geojson", feature(properties: properties))
        let out = path("bad.gpkg")
        let r = try await convert([source, "--out", out])
        #expect(r.status == 2 && r.stderr.contains(source) && r.stderr.contains(message), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing half-written")
    }

    @Test func geoJSONToCAPAndBackCarriesTheNameAsAreaDesc() async throws {
        let plain = Self.plain
        let source = try write(
            "c.geojson",
            #"{"type":"Feature","properties":{"name":"Kerkrade <Noord>","code":928},"geometry":"#
                + plain + "}")
        let cap = path("c.cap")
        let r1 = try await convert([source, "--out", cap])
        #expect(r1.status == 0, "\(r1.stderr)")
        let xml = try String(contentsOfFile: cap, encoding: .utf8)
        #expect(xml.contains("<areaDesc>Kerkrade &lt;Noord&gt;</areaDesc>"), "\(xml)")
        let back = path("c-back.geojson")
        let r2 = try await convert([cap, "--out", back])
        #expect(r2.status == 0, "\(r2.stderr)")
        // CAP holds the name only: it comes back as the `name` property, alone.
        let properties = try #require(try json(back)["properties"] as? NSDictionary)
        #expect(properties == ["name": "Kerkrade <Noord>"] as NSDictionary, "\(properties)")
        // --area-desc still wins; without a name the file's name is the areaDesc, as before.
        let given = path("given.cap")
        #expect(try await convert([source, "--out", given, "--area-desc", "Noord"]).status == 0)
        #expect(try String(contentsOfFile: given, encoding: .utf8).contains("<areaDesc>Noord</areaDesc>"))
        let unnamed = try write("unnamed-area.geojson", plain)
        let u = path("u.cap")
        #expect(try await convert([unnamed, "--out", u]).status == 0)
        #expect(try String(contentsOfFile: u, encoding: .utf8).contains("<areaDesc>unnamed-area</areaDesc>"))
    }

    @Test func aGDALGeoPackageBringsItsAttributeColumnsAndNameAlong() async throws {
        guard ExternalTool.hasGDAL else { return }
        let gpkg = try await ExternalTool.geoPackage(
            fromGeoJSON: #"{"type":"FeatureCollection","features":["#
                + feature(properties: #"{"naam":"Wijk Oost","inwoners":1234}"#, geometry: Self.plain) + "]}",
            layer: "wijken", named: "gdal", in: dir)
        let out = path("from-gdal.geojson")
        let r = try await convert([gpkg, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let properties = try #require(try json(out)["properties"] as? NSDictionary)
        #expect(properties == ["naam": "Wijk Oost", "inwoners": 1234] as NSDictionary, "\(properties)")
        // Its name (the `naam` column) names the CAP area.
        let cap = path("gdal.cap")
        #expect(try await convert([gpkg, "--out", cap]).status == 0)
        #expect(try String(contentsOfFile: cap, encoding: .utf8).contains("<areaDesc>Wijk Oost</areaDesc>"))
    }
}
