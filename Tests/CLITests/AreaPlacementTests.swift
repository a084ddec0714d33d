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

/// An area whose vertices do not land in the service region (degrees in a projected CRS, metres
/// as degrees, or simply elsewhere) is refused by `select`, `action start` and `area check` alike,
/// naming the file, the CRS and the likely mix-up, instead of selecting nobody with exit 0.
@Suite(.serialized) struct AreaPlacementTests {
    let fx: CLIFixture
    init() throws { fx = try CLIFixture.shared.get() }

    /// A square around Utrecht in lon/lat degrees (about 14 × 22 km, hundreds of participants).
    static let utrechtWKT = "POLYGON((5.0 52.0, 5.2 52.0, 5.2 52.2, 5.0 52.2, 5.0 52.0))\n"

    /// The same square as GeoJSON whose legacy `crs` member says RD New (EPSG:28992).
    static let utrechtGeoJSONInRD = #"""
        {"type": "Polygon", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}},
         "coordinates": [[[5.0, 52.0], [5.2, 52.0], [5.2, 52.2], [5.0, 52.2], [5.0, 52.0]]]}
        """#

    @Test func degreesGivenAsRDNewAreRefusedBySelectNamingFileCRSAndDegrees() async throws {
        let wkt = try fx.write("degrees-as-rd.wkt", Self.utrechtWKT)
        let json = try fx.write("degrees-as-rd.geojson", Self.utrechtGeoJSONInRD)
        // The same file in lon/lat selects people: the refusal below is about the CRS, not the place.
        let asDegrees = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", wkt])
        #expect(asDegrees.status == 0 && parseSelectionCSV(asDegrees.stdout).rows.count > 100, "\(asDegrees.stderr)")
        for args in [["--polygon", wkt, "--crs", "EPSG:28992"], ["--polygon", json]] {
            let r = try await CommandRunner.run(["select", "--db", fx.db] + args)
            #expect(r.status != 0, "\(args) selected with exit 0: \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains(args[1]) && r.stderr.contains("EPSG:28992"), "\(r.stderr)")
            #expect(r.stderr.contains("4 of 4 vertices lie outside the service region"), "\(r.stderr)")
            #expect(r.stderr.contains("look like lon/lat degrees"), "\(r.stderr)")
        }
    }

    @Test func aGeoPackageLayerInRDNewHoldingDegreesIsRefused() async throws {
        let wkt = try fx.write("degrees-for-gpkg.wkt", Self.utrechtWKT)
        let gpkg = fx.dir.appendingPathComponent("degrees-as-rd.gpkg").path
        // `area convert` keeps the CRS: a layer whose SRS is 28992 but whose values are degrees.
        let converted = try await CommandRunner.run(
            ["area", "convert", wkt, "--crs", "EPSG:28992", "--to", "gpkg", "--out", gpkg])
        #expect(converted.status == 0, "\(converted.stderr)")
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", gpkg])
        #expect(r.status != 0, "\(r.stderr)")
        #expect(r.stderr.contains(gpkg) && r.stderr.contains("EPSG:28992"), "\(r.stderr)")
        #expect(r.stderr.contains("look like lon/lat degrees"), "\(r.stderr)")
    }

    @Test func metresGivenAsDegreesAndAreasElsewhereAreRefused() async throws {
        let metres = try fx.write(
            "rd-as-degrees.wkt", "POLYGON((120000 480000, 121000 480000, 121000 481000, 120000 480000))\n")
        let r = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", metres])
        #expect(r.status != 0 && r.stderr.contains(metres), "\(r.stderr)")
        #expect(r.stderr.contains("metres, not degrees") && r.stderr.contains("--crs EPSG:28992"), "\(r.stderr)")
        // Madrid, correctly in lon/lat: outside the service region, so refused rather than empty.
        let madrid = try fx.write("madrid.wkt", "POLYGON((-3.7 40.4, -3.6 40.4, -3.6 40.5, -3.7 40.4))\n")
        let far = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", madrid])
        #expect(far.status != 0, "\(far.stderr)")
        #expect(far.stderr.contains(madrid) && far.stderr.contains("outside the service region"), "\(far.stderr)")
        // Partly outside (one vertex in the North Sea far beyond the region) is refused too.
        let partly = try fx.write("partly.wkt", "POLYGON((5.0 52.0, 5.2 52.0, 5.2 58.0, 5.0 52.0))\n")
        let half = try await CommandRunner.run(["select", "--db", fx.db, "--polygon", partly])
        #expect(half.status != 0 && half.stderr.contains("1 of 3 vertices"), "\(half.stderr)")
    }

    @Test func areaCheckCallsDegreesInRDNewAnErrorTheEngineRefuses() async throws {
        let wkt = try fx.write("check-degrees-as-rd.wkt", Self.utrechtWKT)
        let r = try await CommandRunner.run(["area", "check", wkt, "--crs", "EPSG:28992"])
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("degrees-as-metres") && r.stdout.contains("look like lon/lat degrees"), "\(r.stdout)")
    }

    @Test func circleCentresAndIncidentPointsOutsideTheRegionAreRefused() async throws {
        let utrecht = try fx.write("utrecht-for-incident.wkt", Self.utrechtWKT)
        let cases: [([String], String)] = [
            (["--circle", "155000,463000,1000"], "look like projected metres"),
            (["--circle", "52.1,5.1,1000"], "look swapped"),
            (["--circle=-3.7,40.4,1000"], "outside the service region"),
            (["--polygon", utrecht, "--incident", "52.1,5.1"], "look swapped"),
        ]
        for (args, message) in cases {
            let r = try await CommandRunner.run(["select", "--db", fx.db] + args)
            #expect(r.status != 0 && r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}

/// `fanout action start --polygon` with degrees in RD New starts no action (it used to start an
/// action of 0 participants).
@Suite struct ActionAreaPlacementTests {
    static let shared: Result<ActionFixture, any Error> = Result {
        try ActionFixture(count: 200, label: "action-placement")
    }

    @Test func actionStartRefusesDegreesGivenAsRDNewAndStartsNothing() async throws {
        let fx = try Self.shared.get()
        let wkt = try fx.write("degrees-as-rd.wkt", AreaPlacementTests.utrechtWKT)
        let before = try Ledger.open(at: fx.db).summaries().count
        let r = try await fx.action(
            [
                "start", "--polygon", wkt, "--crs", "EPSG:28992", "--incident-type", "burglary", "--message", "m",
                "--run", "--simulation", "ideal",
            ])
        #expect(r.status != 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(wkt) && r.stderr.contains("look like lon/lat degrees"), "\(r.stderr)")
        #expect(try Ledger.open(at: fx.db).summaries().count == before)
    }
}
