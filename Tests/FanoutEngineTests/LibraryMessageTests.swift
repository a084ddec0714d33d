import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic
import TestSupport
import Testing

/// Library error messages name no command-line flag or command: they say what is wrong and what
/// the choices are in the library's terms (a service has no `--feature`); the `fanout` command
/// adds its flags (`CLITests/ErrorHintTests`). Each case here used to name a flag.
@Suite struct LibraryMessageTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("library-messages") }

    static let square = "[[[5.10,52.08],[5.12,52.08],[5.12,52.09],[5.10,52.09],[5.10,52.08]]]"
    static let wkt =
        "POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.08))\nPOLYGON((5.20 52.08, 5.22 52.08, 5.22 52.09, 5.20 52.08))\n"
    static let features =
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":"#
        + square + #"}},{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":"# + square + "}}]}"

    func areaError(_ text: String, _ name: String, layer: String? = nil, features: FeatureChoice = .single) throws
        -> GeoError
    {
        let file = try Fixtures.write(text, named: name, in: dir)
        return try #require(throws: GeoError.self) {
            try AreaReader.read(
                contentsOf: URL(fileURLWithPath: file), crs: nil, layer: layer, features: features,
                context: try GEOSContext())
        }
    }

    func importError(_ csv: String) throws -> RegistryError {
        let file = try Fixtures.write(csv, named: "p.csv", in: dir)
        let registry = try Registry.open(at: dir.appendingPathComponent("r-\(UUID()).sqlite").path)
        return try #require(throws: RegistryError.self) {
            try registry.importCSV(URL(fileURLWithPath: file), options: ImportOptions(countries: .off))
        }
    }

    @Test func areaFeatureAndLayerChoicesAreSaidInLibraryTerms() throws {
        let id = try #require(FeatureID("zuid"))
        let cases: [(error: GeoError, says: String)] = [
            (try areaError(Self.features, "several.geojson"), "(FeatureChoice.all)"),
            (try areaError(Self.features, "several.geojson"), "chosen by their position in the file: '#N'"),
            (try areaError(Self.wkt, "several.wkt"), "choose one by its '#N' (FeatureChoice.id)"),
            (try areaError(Self.wkt, "id.wkt", features: .id(id)), "choose one by its position in the file, '#N'"),
            (
                try areaError(#"{"type":"Polygon","coordinates":"# + Self.square + "}", "bare.geojson", features: .id(id)),
                "feature zuid: the file is a bare geometry"
            ),
            (
                try areaError(#"{"type":"Polygon","coordinates":"# + Self.square + "}", "layer.geojson", layer: "wijken"),
                "layer wijken: a layer applies to GeoPackage (.gpkg) input only"
            ),
        ]
        for (error, says) in cases {
            #expect(error.message.contains(says), "\(error.message)")
            #expect(!error.message.contains("--"), "\(error.message)")
        }
        #expect(cases[5].error.location?.field == "layer")
    }

    @Test func importHeaderProblemsAreSaidInLibraryTerms() throws {
        let xy = try importError("id,x,y\n1,155000,463000\n")
        #expect(xy.message.contains("columns x,y need a CRS (ImportOptions.crs)"), "\(xy.message)")
        #expect(xy.location?.line == 1 && xy.location?.field == "crs")
        let noID = try importError("lon,lat\n5.1,52.1\n")
        #expect(noID.message.contains("with a CRS given, id,x,y"), "\(noID.message)")
        for error in [xy, noID] { #expect(!error.message.contains("--"), "\(error.message)") }
    }
}

/// The CRS, CAP-circle, output and configuration advice of the library: in library terms, with
/// what the command line needs as data (the location's field, ``ErrorRemedy``).
@Suite struct LibraryAdviceTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("library-advice") }

    static let said = "EPSG:999999 is not a coordinate reference system PROJ knows (proj_create: crs not found)"
    static let utrechtRD = "POLYGON((136000 455000, 137000 455000, 137000 456000, 136000 455000))\n"

    func file(_ text: String, _ name: String) throws -> URL {
        URL(fileURLWithPath: try Fixtures.write(text, named: name, in: dir))
    }

    func readError(_ url: URL, crs: CRS?) throws -> GeoError {
        try #require(throws: GeoError.self) { try AreaReader.read(contentsOf: url, crs: crs, context: try GEOSContext()) }
    }

    @Test func anUnknownCRSGivenByTheCallerIsItsLocationsField() throws {
        let wkt = try file("POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.08))\n", "square.wkt")
        let read = try readError(wkt, crs: CRS(epsg: 999_999))
        #expect(read.message == Self.said)
        #expect(read.location == ErrorLocation(field: "crs"))
        let csv = try file("id,x,y\n1,136000,455000\n", "xy.csv")
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        let imported = try #require(throws: GeoError.self) {
            try registry.importCSV(csv, options: ImportOptions(crs: CRS(epsg: 999_999), countries: .off))
        }
        #expect(imported.message == Self.said && imported.location == ErrorLocation(field: "crs"))
        // A CRS the file names keeps its place, and is not the caller's field.
        let member = try file(
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"EPSG:999999"}},"coordinates":"#
                + LibraryMessageTests.square + "}", "member.geojson")
        let named = try readError(member, crs: nil)
        #expect(named.message == "\(member.path): crs.properties.name: \(Self.said)")
        #expect(named.location == ErrorLocation(input: member.path, field: "crs.properties.name"))
    }

    @Test func capCirclesAndACRSForCAPAreRemedies() throws {
        let quake = try file(
            """
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>quake</areaDesc>
            <circle>-16.053,-173.274 0</circle></area></info></alert>
            """, "quake.cap")
        let circle = try readError(quake, crs: nil)
        #expect(circle.message.contains("select a circle around lon,lat -173.274,-16.053 instead"), "\(circle.message)")
        #expect(circle.remedies == [.selectCircle(lon: -173.274, lat: -16.053, radiusMeters: nil)])
        let withCRS = try readError(quake, crs: .rdNew)
        #expect(withCRS.message.hasSuffix("CAP coordinates are always WGS84; the CRS given (EPSG:28992) does not apply: leave it out"))
        #expect(withCRS.remedies == [.dropCRS])
        for e in [circle, withCRS] { #expect(!e.message.contains("--"), "\(e.message)") }
    }

    @Test func metresGivenAsDegreesNameTheCRSThatFits() throws {
        let engine = try Engine(columns: ParticipantColumns())
        let area = try engine.readArea(contentsOf: try file(Self.utrechtRD, "rd.wkt"))
        let error = try #require(throws: SelectionError.self) { try engine.select(SelectionRequest(area: .polygon(area))) }
        #expect(error.message.contains("read as EPSG:28992 they lie in the service region: give that CRS"))
        #expect(error.remedies == [.giveCRS("EPSG:28992")])
        let point = try #require(ServiceRegion.problem(with: LonLat(lon: 155_000, lat: 463_000)))
        #expect(point.contains("look like projected metres (such as RD New x,y, EPSG:28992)"), "\(point)")
        let check = try AreaInspector().check(area)
        let finding = try #require(check.findings.first { $0.code == "rd-as-degrees" })
        #expect(finding.message.contains("read as RD New (EPSG:28992) they lie in the Netherlands: give that CRS"))
        for text in [error.message, point, finding.message] { #expect(!text.contains("--"), "\(text)") }
    }

    @Test func outputsAndLayerNamesAreTheCallersArguments() throws {
        let input = try file(Self.utrechtRD, "in.wkt").path
        let converter = try AreaConverter()
        let shp = dir.appendingPathComponent("out.shp").path
        let format = try #require(throws: AreaToolError.self) { try converter.convert(input: input, output: shp, crs: .rdNew) }
        #expect(format.message.hasPrefix("\(shp): cannot tell the format from '.shp'"))
        #expect(format.location == ErrorLocation(input: shp, field: "output"))
        let layer = try #require(throws: AreaToolError.self) {
            try converter.convert(input: input, output: shp, format: .wkt, crs: .rdNew, layerName: "wijk")
        }
        #expect(layer.message == "a layer name applies to GeoPackage output (.gpkg) only")
        #expect(layer.location == ErrorLocation(field: "layerName"))
        let refused = try #require(throws: OutputError.self) { try OutputTarget.check(dir.path) }
        #expect(refused.message == "\(dir.path): is a directory; give a file name")
        #expect(refused.location == ErrorLocation(input: dir.path, field: "output"))
        let named = try #require(throws: OutputError.self) { try OutputTarget.check(dir.path, option: "--gpkg") }
        #expect(named.message.hasPrefix("--gpkg \(dir.path): ") && named.location?.field == nil)
        let wkt = dir.appendingPathComponent("back.wkt").path
        let report = try converter.convert(input: input, output: wkt, crs: .rdNew)
        #expect(report.notes == ["WKT does not store the CRS: read it back as EPSG:28992"])
        #expect(report.readBackCRS == .rdNew && report.crs == nil)
        for text in [format.message, layer.message, refused.message] { #expect(!text.contains("--"), "\(text)") }
    }

    @Test func aMapWithoutARegistrySaysSoWithoutAFlag() throws {
        let inspector = try AreaInspector()
        let area = try inspector.read(
            contentsOf: try file("POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.08))\n", "map.wkt"))
        let svg = try inspector.map(area, engine: nil).svg()
        #expect(svg.contains("no registry given") && !svg.contains("(--db)"))
    }

    /// Every string literal of the library modules, checked for a command-line flag: the only ones
    /// left are `rsvg-convert`'s own arguments.
    @Test func noLibrarySourceSpellsAFlag() throws {
        let sources = Fixtures.packageRoot.appendingPathComponent("Sources")
        let files = try #require(FileManager.default.enumerator(atPath: sources.path)).compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("FanoutCLI/") }
        #expect(files.count > 100)
        let flag = try Regex(#""[^"\n]*--[a-z][^"\n]*""#)
        var found: [String] = []
        for name in files {
            let text = try String(contentsOf: sources.appendingPathComponent(name), encoding: .utf8)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false)
            where !line.trimmingCharacters(in: .whitespaces).hasPrefix("//") && line.contains(flag) {
                found.append("\(name): \(line.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(
            found == [
                #"FanoutAreaTools/AreaMap+Files.swift: process.arguments = ["--format", "png", "--output", pngTemp.path, svgTemp.path]"#
            ], "\(found)")
    }
}
