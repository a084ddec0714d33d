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

/// Ring orientation: `area fix` writes RFC 7946 rings, `area check` warns about orientation in
/// GeoJSON only, and `area map`'s title is the area's name. Through the real binary; the
/// orientation of written rings is measured by Python (an independent shoelace sum).
@Suite struct AreaOrientationTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("orientation") }

    /// A clockwise shell at Kerkrade with a counter-clockwise hole: both against RFC 7946.
    static let clockwiseShell: [(Double, Double)] = [
        (6.05, 50.87), (6.05, 50.89), (6.08, 50.89), (6.08, 50.87), (6.05, 50.87),
    ]
    static let counterClockwiseHole: [(Double, Double)] = [
        (6.06, 50.875), (6.07, 50.875), (6.07, 50.88), (6.06, 50.88), (6.06, 50.875),
    ]

    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// The sign of each ring's shoelace sum in a GeoJSON file, per polygon, computed by Python:
    /// `[[1, -1]]` is one polygon with a counter-clockwise shell and a clockwise hole.
    func ringSigns(_ file: String) async throws -> [[Int]] {
        let script = """
            import json, sys
            d = json.load(open(sys.argv[1]))
            g = d["geometry"] if d["type"] == "Feature" else d
            polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
            def s(r): return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(r, r[1:]))
            print(json.dumps([[1 if s(r) > 0 else -1 for r in p] for p in polys]))
            """
        let r = try await ExternalTool.run("python3", ["-c", script, file])
        #expect(r.status == 0, "\(r.stderr)")
        let data = Data(r.stdout.utf8)
        return try #require(try JSONDecoder().decode([[Int]].self, from: data) as [[Int]]?)
    }

    func wkt(_ rings: [[(Double, Double)]]) -> String {
        "POLYGON ("
            + rings.map { "(" + $0.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")" }
            .joined(separator: ", ") + ")\n"
    }

    @Test func fixWritesCounterClockwiseShellsAndClockwiseHoles() async throws {
        guard ExternalTool.has("python3") else { return }
        let source = try write(
            "cw.geojson", geoJSONPolygon([Self.clockwiseShell, Self.counterClockwiseHole]))
        #expect(try await ringSigns(source) == [[-1, 1]], "the input is against RFC 7946")
        let before = try await CommandRunner.run(["area", "check", source])
        #expect(before.status == 1 && before.stdout.contains("shell-clockwise"), "\(before.stdout)")
        let fixed = path("fixed.geojson")
        let r = try await CommandRunner.run(["area", "fix", source, "--out", fixed])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ringSigns(fixed) == [[1, -1]])
        let after = try await CommandRunner.run(["area", "check", fixed])
        #expect(after.status == 0, "\(after.stdout)")
        #expect(!after.stdout.contains("clockwise"), "\(after.stdout)")
    }

    @Test func fixOfABowtieWritesEveryPartCounterClockwise() async throws {
        guard ExternalTool.has("python3") else { return }
        // Two triangles meeting at (6.065, 50.88): one is drawn clockwise, one counter-clockwise.
        let bowtie = [(6.05, 50.87), (6.08, 50.89), (6.08, 50.87), (6.05, 50.89), (6.05, 50.87)]
        let source = try write("bowtie.geojson", geoJSONPolygon([bowtie]))
        let fixed = path("bowtie-fixed.geojson")
        let r = try await CommandRunner.run(["area", "fix", source, "--out", fixed, "--method", "linework"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ringSigns(fixed) == [[1], [1]])
        #expect(try await CommandRunner.run(["area", "check", fixed]).status == 0)
    }

    @Test func capAndWKTRingsHaveNoDirectionSoNoOrientationWarning() async throws {
        let rings = [Self.clockwiseShell, Self.counterClockwiseHole]
        let geoJSON = try write("ring.geojson", geoJSONPolygon(rings))
        let wktFile = try write("ring.wkt", wkt(rings))
        let plainWKT = try write("plain.wkt", wkt([Self.clockwiseShell]))
        // CAP (no holes): written by convert from WKT, rings as drawn (checked below).
        let cap = path("ring.cap")
        let made = try await CommandRunner.run(["area", "convert", plainWKT, "--out", cap])
        #expect(made.status == 0, "\(made.stderr)")
        let points = try #require(
            capture("<polygon>([^<]*)</polygon>", in: try String(contentsOfFile: cap, encoding: .utf8)))
        let latLon = points.split(separator: " ").map { $0.split(separator: ",").compactMap { Double($0) } }
        let shoelace = zip(latLon, latLon.dropFirst()).reduce(0.0) { $0 + $1.0[1] * $1.1[0] - $1.1[1] * $1.0[0] }
        #expect(shoelace < 0, "the CAP ring is clockwise in lon/lat")
        let g = try await CommandRunner.run(["area", "check", geoJSON])
        #expect(g.status == 1 && g.stdout.contains("shell-clockwise") && g.stdout.contains("hole-counterclockwise"))
        for file in [wktFile, cap] {
            let r = try await CommandRunner.run(["area", "check", file])
            #expect(r.status == 0, "\(file): \(r.stdout)")
            #expect(!r.stdout.contains("clockwise"), "\(file): \(r.stdout)")
        }
    }

    @Test func mapTitleIsTheAreaNameElseTheFileName() async throws {
        let ring = geoJSONPolygon([Self.clockwiseShell.reversed()])
        let named = try write(
            "named.geojson", #"{"type":"Feature","properties":{"naam":"Kerkrade & Noord"},"geometry":"# + ring + "}")
        let unnamed = try write("unnamed.geojson", ring)
        let cap = path("named.cap")
        let gpkg = path("named.gpkg")
        #expect(try await CommandRunner.run(["area", "convert", named, "--out", cap]).status == 0)
        #expect(try await CommandRunner.run(["area", "convert", named, "--out", gpkg]).status == 0)
        for (file, title) in [
            (named, "Kerkrade &amp; Noord"), (unnamed, "unnamed.geojson"), (cap, "Kerkrade &amp; Noord"),
            (gpkg, "Kerkrade &amp; Noord"),
        ] {
            let svg = path("map.svg")
            try? FileManager.default.removeItem(atPath: svg)
            let r = try await CommandRunner.run(["area", "map", file, "--out", svg])
            #expect(r.status == 0, "\(r.stderr)")
            let text = try String(contentsOfFile: svg, encoding: .utf8)
            #expect(capture("<title>Action area ([^<]*)</title>", in: text) == title, "\(file)")
        }
    }
}
