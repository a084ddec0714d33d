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

/// `fanout area …` through the real binary.
@Suite(.serialized) struct AreaCommandTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("area") }

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    @Test func checkExitCodes() async throws {
        let ok = try write("ok.geojson", geoJSONPolygon([utrecht]))
        let cw = try write("cw.geojson", geoJSONPolygon([utrecht.reversed()]))
        let bow = try write("bow.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))")
        let swapped = try write("sw.geojson", geoJSONPolygon([utrecht.map { ($0.1, $0.0) }]))
        let r0 = try await CommandRunner.run(["area", "check", ok])
        #expect(r0.status == 0, "\(r0.stdout)\(r0.stderr)")
        #expect(r0.stdout.contains("countries: NL") && r0.stdout.contains("    Utrecht (GM0344) "))
        #expect(try await CommandRunner.run(["area", "check", cw]).status == 1)
        let r2 = try await CommandRunner.run(["area", "check", bow])
        #expect(r2.status == 2 && r2.stdout.contains("Self-intersection"))
        #expect(try await CommandRunner.run(["area", "check", swapped]).status == 2)
        let missing = try await CommandRunner.run(["area", "check", dir.appendingPathComponent("none.geojson").path])
        #expect(missing.status == 3 && missing.stderr.contains("cannot read"))
        let garbage = try await CommandRunner.run(["area", "check", try write("g.wkt", "POLYGON((1 2")])
        #expect(garbage.status == 3)
    }

    @Test func checkJSONHasStableKeys() async throws {
        let cw = try write("cw2.geojson", geoJSONPolygon([utrecht.reversed()]))
        let r = try await CommandRunner.run(["area", "check", cw, "--json", "--incident-type", "missing-child"])
        #expect(r.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(
            Set(object.keys).isSuperset(of: [
                "source", "crs", "verdict", "exit_status", "validity", "findings", "measures", "countries",
                "municipalities", "incident_type",
            ]))
        #expect(object["verdict"] as? String == "warnings")
        let measures = try #require(object["measures"] as? [String: Any])
        #expect(
            Set(measures.keys) == [
                "area_km2", "perimeter_km", "vertices", "polygons", "holes", "bbox_lon_lat", "bbox_rd",
            ])
    }

    @Test func checkCountsParticipantsWithDB() async throws {
        let fx = try CLIFixture.shared.get()
        let ok = try write("ok3.geojson", geoJSONPolygon([utrecht]))
        let r = try await CommandRunner.run(["area", "check", ok, "--db", fx.db, "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let p = try #require(object["participants"] as? [String: Any])
        let engine = try Engine.open(registryAt: fx.db)
        let area = try engine.readArea(contentsOf: URL(fileURLWithPath: ok))
        let expected = try engine.select(SelectionRequest(area: .polygon(area))).participants.count
        #expect(p["total"] as? Int == expected && expected > 0)
        #expect(abs((p["seconds_to_last"] as? Double ?? -1) - Double(expected) / 100) < 1e-9)
    }

    @Test func fixWritesValidOutputAndNeverTheInput() async throws {
        let bow = try write("bow2.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))")
        let out = dir.appendingPathComponent("fixed.geojson").path
        let r = try await CommandRunner.run(["area", "fix", bow, "--out", out, "--method", "linework"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("after:  valid, 2 parts"))
        let check = try await CommandRunner.run(["area", "check", out])
        #expect(check.status <= 1, "\(check.stdout)")
        let wktOut = dir.appendingPathComponent("fixed.wkt").path
        #expect(try await CommandRunner.run(["area", "fix", bow, "--out", wktOut]).status == 0)
        #expect(try String(contentsOfFile: wktOut, encoding: .utf8).hasPrefix("MULTIPOLYGON"))
        let before = try String(contentsOfFile: bow, encoding: .utf8)
        #expect(try await CommandRunner.run(["area", "fix", bow, "--out", bow]).status != 0)
        let link = dir.appendingPathComponent("link.wkt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: bow)
        #expect(try await CommandRunner.run(["area", "fix", bow, "--out", link]).status != 0)
        #expect(try String(contentsOfFile: bow, encoding: .utf8) == before)
    }

    @Test func fixDropsTheSpikeLine() async throws {
        let spike = try write(
            "spike.wkt", "POLYGON((5.0 52.0, 5.1 52.0, 5.1 52.05, 5.15 52.05, 5.1 52.05, 5.1 52.1, 5.0 52.1, 5.0 52.0))"
        )
        let r = try await CommandRunner.run([
            "area", "fix", spike, "--out", dir.appendingPathComponent("s.geojson").path, "--method", "linework",
        ])
        #expect(r.status == 0 && r.stdout.contains("dropped non-polygonal parts: LineString"), "\(r.stdout)")
    }

    @Test func suggest() async throws {
        let r = try await CommandRunner.run([
            "area", "suggest", "--incident-type", "missing-child", "--mode", "bicycle", "--minutes", "20", "--at",
            "4.89,52.37",
        ])
        #expect(r.status == 0)
        #expect(r.stdout.contains("radius 4000 m") && r.stdout.contains("fanout select --circle 4.89,52.37,4000"))
        let bad = try await CommandRunner.run(["area", "suggest", "--incident-type", "x", "--mode", "foot", "--minutes", "5"])
        #expect(bad.status == 2 && bad.stderr.contains("valid types: missing-child"))
        let table = try write("t.csv", "incident_type,mode,speed_kmh,cap_m\nx,foot,6,1000\n")
        let custom = try await CommandRunner.run([
            "area", "suggest", "--incident-type", "x", "--mode", "foot", "--minutes", "5", "--table", table,
        ])
        #expect(custom.status == 0 && custom.stdout.contains("radius 500 m"))
    }
}
