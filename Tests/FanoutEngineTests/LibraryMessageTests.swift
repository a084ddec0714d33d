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
