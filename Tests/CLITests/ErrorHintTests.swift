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
    static let rdSquare = "POLYGON((136000 455000, 137000 455000, 137000 456000, 136000 455000))\n"
    static let quake = """
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>quake</areaDesc>
        <circle>-16.053,-173.274 0</circle></area></info></alert>
        """

    @Test func theCallersCRSAndOutputGetTheirFlagBeforeTheMessage() async throws {
        let wkt = try write("rd.wkt", Self.rdSquare)
        let crs = try await CommandRunner.run(["area", "check", wkt, "--crs", "EPSG:999999"])
        #expect(crs.status == 3, "\(crs.stderr)")
        #expect(crs.stderr.hasPrefix("error: --crs: EPSG:999999 is not a coordinate reference system"), "\(crs.stderr)")
        let shp = dir.appendingPathComponent("out.shp").path
        let format = try await CommandRunner.run(["area", "convert", wkt, "--crs", "EPSG:28992", "--out", shp])
        #expect(format.status == 64, "\(format.stderr)")
        #expect(format.stderr.contains("Error: --out \(shp): cannot tell the format from '.shp'"), "\(format.stderr)")
        #expect(format.stderr.contains("\nwith fanout: give the format with --to geojson|wkt|cap|gpkg"), "\(format.stderr)")
        let directory = try await CommandRunner.run(
            ["area", "convert", wkt, "--crs", "EPSG:28992", "--to", "geojson", "--out", dir.path])
        #expect(directory.status == 2 && directory.stderr.contains("error: --out \(dir.path): is a directory"), "\(directory.stderr)")
        let empty = try await CommandRunner.run(
            ["area", "convert", wkt, "--crs", "EPSG:28992", "--to", "geojson", "--out", ""])
        #expect(empty.status == 2 && empty.stderr.contains("error: --out: the path is empty"), "\(empty.stderr)")
        let back = try await CommandRunner.run(
            ["area", "convert", wkt, "--crs", "EPSG:28992", "--out", dir.appendingPathComponent("back.wkt").path])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stdout.contains("note: WKT does not store the CRS: read it back as EPSG:28992\nwith fanout: read it back with --crs EPSG:28992"), "\(back.stdout)")
    }

    @Test func remediesBecomeFlags() async throws {
        let fx = try CLIFixture.shared.get()
        let cap = try write("quake.cap", Self.quake)
        let circle = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", cap])
        #expect(circle.status != 0, "\(circle.stderr)")
        #expect(circle.stderr.contains("\nwith fanout: --circle -173.274,-16.053,RADIUS_M (radius in metres)"), "\(circle.stderr)")
        let capCRS = try await CommandRunner.run(["area", "check", cap, "--crs", "EPSG:28992"])
        #expect(capCRS.stderr.contains("does not apply: leave it out\nwith fanout: leave out --crs"), "\(capCRS.stderr)")
        let rd = try write("rd-as-degrees.wkt", Self.rdSquare)
        let metres = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", rd])
        #expect(metres.status != 0, "\(metres.stderr)")
        #expect(metres.stderr.contains("\nwith fanout: give the CRS with --crs EPSG:28992"), "\(metres.stderr)")
    }
}
