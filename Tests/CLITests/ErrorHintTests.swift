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

/// The `fanout` command adds its flags to library errors whose messages speak in library terms
/// (`Sources/FanoutCLI/ErrorHints.swift`), through the real binary.
@Suite struct ErrorHintTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("error-hints") }

    func write(_ name: String, _ text: String) throws -> String { try Fixtures.write(text, named: name, in: dir) }

    @Test func featureAndLayerChoicesGetTheirFlags() async throws {
        let wkt = try write(
            "two.wkt",
            "POLYGON((5.10 52.08, 5.12 52.08, 5.12 52.09, 5.10 52.08))\n"
                + "POLYGON((5.20 52.08, 5.22 52.08, 5.22 52.09, 5.20 52.08))\n")
        let several = try await CommandRunner.run(["area", "check", wkt])
        #expect(several.status == 2, "\(several.stderr)")
        #expect(several.stderr.contains("(FeatureChoice.all)"), "\(several.stderr)")
        #expect(several.stderr.contains("\nwith fanout: --feature FID or --feature ID chooses one feature"), "\(several.stderr)")
        #expect(several.stderr.contains("--all-features"), "\(several.stderr)")

        let json = try write("square.geojson", #"{"type":"Polygon","coordinates":[[[5.1,52.08],[5.12,52.08],[5.12,52.09],[5.1,52.08]]]}"#)
        let layer = try await CommandRunner.run(["area", "check", json, "--layer", "wijken"])
        #expect(layer.status == 3, "\(layer.stderr)")
        #expect(layer.stderr.contains("--layer applies to a GeoPackage (.gpkg) FILE only"), "\(layer.stderr)")
    }

    @Test func importWithoutACRSForXYNamesCRSFlag() async throws {
        let csv = try write("xy.csv", "id,x,y\n1,155000,463000\n")
        let r = try await CommandRunner.run(["import", "--db", dir.appendingPathComponent("r.sqlite").path, "--csv", csv])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("columns x,y need a CRS"), "\(r.stderr)")
        #expect(r.stderr.contains("give the CRS of columns x,y with --crs EPSG:NNNN"), "\(r.stderr)")
    }

    @Test func anErrorWithoutAHintIsPrintedAsBefore() async throws {
        let csv = try write("bad.csv", "id,lon,lat,channels\n1,5.11,52.09,pigeon\n")
        let r = try await CommandRunner.run(["import", "--db", dir.appendingPathComponent("r2.sqlite").path, "--csv", csv])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("field 'channels': 'pigeon' is not a channel"), "\(r.stderr)")
        #expect(!r.stderr.contains("with fanout"), "\(r.stderr)")
    }
}
