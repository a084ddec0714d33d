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

/// The first capture group of `pattern` in `text`.
func capture(_ pattern: String, in text: String) -> String? {
    guard let re = try? NSRegularExpression(pattern: pattern),
        let m = re.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)), m.numberOfRanges > 1,
        let r = Range(m.range(at: 1), in: text)
    else { return nil }
    return String(text[r])
}

/// A small registry around Kerkrade (NL and DE), imported through the CLI, with an area whose
/// members the test counts by brute force.
struct MapFixture {
    let dir: URL
    let db: String
    let area: String
    let ring: [(Double, Double)]
    /// Participants whose position the brute-force test puts inside the area, per country.
    let expected: [String: Int]

    static let shared: Result<MapFixture, any Error> = Result { try MapFixture() }

    private init() throws {
        dir = try Fixtures.temporaryDirectory("map")
        db = dir.appendingPathComponent("r.sqlite").path
        // A pentagon across the NL/DE border at Kerkrade.
        let ring = [(6.02, 50.84), (6.12, 50.83), (6.14, 50.88), (6.07, 50.91), (6.01, 50.89), (6.02, 50.84)]
        self.ring = ring
        area = dir.appendingPathComponent("kerkrade.geojson").path
        try geoJSONPolygon([ring]).write(toFile: area, atomically: true, encoding: .utf8)
        var rng = SeededRandom(seed: 11)
        var csv = "id,lon,lat\n"
        var positions: [Int64: (Double, Double)] = [:]
        var id: Int64 = 0
        while id < 600 {
            let lon = Double.random(in: 5.95..<6.20, using: &rng)
            let lat = Double.random(in: 50.80..<50.94, using: &rng)
            // Keep away from the area's edges (about 35 m), so lon/lat and RD agree on membership.
            if ring.indices.dropFirst().contains(where: { i in
                bruteDistance([[ring[i - 1], ring[i]]], lon, lat) < 0.0005
            }) {
                continue
            }
            id += 1
            positions[id] = (lon, lat)
            csv += "\(id),\(lon),\(lat)\n"
        }
        try csv.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let imp = try CommandRunner.runBlocking(["import", "--db", db, "--csv", "p.csv"], in: dir)
        guard imp.status == 0 else { throw CocoaError(.featureUnsupported, userInfo: ["stderr": imp.stderr]) }
        // Countries as the registry holds them (derived at import); membership by brute force.
        let columns = try Registry.open(at: db).loadColumns()
        var expected: [String: Int] = [:]
        for i in 0..<columns.count {
            guard let p = positions[columns.ids[i]], evenOdd([ring], p.0, p.1) else { continue }
            let c = columns.countries[i]
            expected[c == 0 ? "??" : CountryCode(packed: c).description, default: 0] += 1
        }
        self.expected = expected
    }
}

@Suite("area map", .serialized)
struct AreaMapTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("map-out") }

    @Test("the SVG is well-formed (xmllint) and has every layer")
    func wellFormed() async throws {
        let fx = try MapFixture.shared.get()
        let out = dir.appendingPathComponent("m.svg").path
        let r = try await CommandRunner.run(["area", "map", fx.area, "--db", fx.db, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        for id in [
            "countries", "municipalities", "density", "borders", "area-outline", "incident", "scale-bar",
            "north-arrow", "legend", "labels", "count-total",
        ] {
            #expect(svg.contains("id=\"\(id)\""), "layer \(id)")
        }
        #expect(svg.contains("data-country=\"NL\"") && svg.contains("data-country=\"DE\""))
        #expect(svg.contains("data-code=\"GM0928\""))  // Kerkrade
        try #require(ExternalTool.has("xmllint"), "xmllint (libxml2-utils) is needed for this test")
        let lint = try await ExternalTool.run("xmllint", ["--noout", out])
        #expect(lint.status == 0, "\(lint.stderr)")
    }

    @Test("the legend's counts per country equal a brute-force count")
    func legendCounts() async throws {
        let fx = try MapFixture.shared.get()
        let out = dir.appendingPathComponent("c.svg").path
        #expect(try await CommandRunner.run(["area", "map", fx.area, "--db", fx.db, "--out", out]).status == 0)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(fx.expected["NL", default: 0] > 50 && fx.expected["DE", default: 0] > 50)
        for (country, count) in fx.expected {
            #expect(capture("id=\"count-\(country)\" data-count=\"(\\d+)\"", in: svg) == "\(count)", "\(country)")
        }
        let total = fx.expected.values.reduce(0, +)
        #expect(capture("id=\"count-total\" data-count=\"(\\d+)\"", in: svg) == "\(total)")
        // The density cells add up to the same total.
        let cells = svg.components(separatedBy: "<title>").dropFirst().compactMap { Int($0.prefix { $0.isNumber }) }
        #expect(cells.reduce(0, +) == total)
    }

    @Test("the scale bar's length matches the map scale measured on the area's own vertices")
    func scaleBar() async throws {
        // A 4 × 3 km rectangle given in RD New: its first edge is exactly 4,000 m long.
        let wkt = "POLYGON((190000 320000, 194000 320000, 194000 323000, 190000 323000, 190000 320000))"
        let file = dir.appendingPathComponent("rd.wkt").path
        try wkt.write(toFile: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("s.svg").path
        let r = try await CommandRunner.run(["area", "map", file, "--crs", "EPSG:28992", "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        let d = try #require(capture("id=\"area-outline\" d=\"([^\"]+)\"", in: svg))
        let numbers = d.split(whereSeparator: { "MLZ ".contains($0) }).compactMap { Double($0) }
        let pixelsPerMeter = hypot(numbers[2] - numbers[0], numbers[3] - numbers[1]) / 4000
        let meters = try #require(Double(capture("data-meters=\"([0-9.]+)\"", in: svg) ?? ""))
        let pixels = try #require(Double(capture("data-pixels=\"([0-9.]+)\"", in: svg) ?? ""))
        #expect(abs(pixels - meters * pixelsPerMeter) < 0.2)  // path coordinates have 0.1 px resolution
        let mantissa = meters / pow(10, log10(meters).rounded(.down))
        #expect([1, 2, 5].contains(mantissa))
        #expect(svg.contains(">\(meters >= 1000 ? "\(Int(meters / 1000)) km" : "\(Int(meters)) m")</text>"))
    }

    @Test("a long strip: the territories fill the whole widened frame (they are clipped to what is drawn)")
    func stripFillsFrame() async throws {
        // 35 × 2.2 km near Maastricht: the extent is widened north and south to an aspect of 3:4.
        let ring: [(Double, Double)] = [(5.60, 50.84), (6.10, 50.84), (6.10, 50.86), (5.60, 50.86), (5.60, 50.84)]
        let file = dir.appendingPathComponent("strip.geojson").path
        try geoJSONPolygon([ring]).write(toFile: file, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("strip.svg").path
        #expect(try await CommandRunner.run(["area", "map", file, "--out", out]).status == 0)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        let clip = try #require(capture("<clipPath id=\"frame-clip\">(<rect[^>]*>)", in: svg))
        func attribute(_ name: String) -> Double? { Double(capture("\(name)=\"([0-9.]+)\"", in: clip) ?? "") }
        let top = try #require(attribute("y"))
        let height = try #require(attribute("height"))
        let width = try #require(attribute("width"))
        #expect(abs(height / width - 0.75) < 0.01)
        let countries = try #require(
            capture("<g id=\"countries\">(.*?)</g>", in: svg.replacingOccurrences(of: "\n", with: " ")))
        let ys = countries.components(separatedBy: "d=\"").dropFirst().flatMap { d in
            d.prefix { $0 != "\"" }.split(whereSeparator: { "MLZ".contains($0) }).compactMap {
                $0.split(separator: " ").last.flatMap { Double($0) }
            }
        }
        #expect(abs((ys.min() ?? 0) - top) < 0.2 && abs((ys.max() ?? 0) - (top + height)) < 0.2)
    }

    @Test("an incident point outside the area is drawn and its distance noted")
    func incidentOutside() async throws {
        let wkt = "POLYGON((190000 320000, 194000 320000, 194000 323000, 190000 323000, 190000 320000))"
        let file = dir.appendingPathComponent("rd2.wkt").path
        try wkt.write(toFile: file, atomically: true, encoding: .utf8)
        // 1,000 m east of the rectangle's east edge, in RD New; given to the command in lon/lat.
        let at = try CoordinateConverter().toLonLat([RDPoint(x: 195_000, y: 321_500)])[0]
        let out = dir.appendingPathComponent("i.svg").path
        let r = try await CommandRunner.run([
            "area", "map", file, "--crs", "EPSG:28992", "--incident", "\(at.lon),\(at.lat)", "--out", out,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("lies 1000 m outside the area"))
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.contains("incident point (given, 1000 m outside the area)"))
        // Inside (the centroid): no note.
        let inside = try await CommandRunner.run(["area", "map", file, "--crs", "EPSG:28992", "--out", out])
        #expect(inside.status == 0 && !inside.stderr.contains("outside the area"))
    }

    @Test("a GeoPackage written by ogr2ogr is drawn, its layer chosen with --layer")
    func geoPackage() async throws {
        guard ExternalTool.has("ogr2ogr") else { return }  // gdal-bin; tools/test.sh installs it
        let fx = try MapFixture.shared.get()
        let gpkg = dir.appendingPathComponent("a.gpkg").path
        #expect(try await ExternalTool.run("ogr2ogr", ["-f", "GPKG", gpkg, fx.area, "-nln", "action"]).status == 0)
        let out = dir.appendingPathComponent("g.svg").path
        let r = try await CommandRunner.run(["area", "map", gpkg, "--layer", "action", "--db", fx.db, "--out", out])
        #expect(r.status == 0, "\(r.stderr)")
        let total = fx.expected.values.reduce(0, +)
        #expect(
            capture("id=\"count-total\" data-count=\"(\\d+)\"", in: try String(contentsOfFile: out, encoding: .utf8))
                == "\(total)")
        let wrong = try await CommandRunner.run(["area", "map", gpkg, "--layer", "nope", "--out", out])
        #expect(wrong.status == 2 && wrong.stderr.contains("'nope'"))  // no such layer: a choice refused
    }

    @Test("a PNG of the SVG's size when rsvg-convert is installed")
    func png() async throws {
        guard ExternalTool.has("rsvg-convert") else { return }  // tools/test.sh installs it
        let fx = try MapFixture.shared.get()
        let out = dir.appendingPathComponent("m.png").path
        let svgOut = dir.appendingPathComponent("m2.svg").path
        let r = try await CommandRunner.run(["area", "map", fx.area, "--db", fx.db, "--out", svgOut, "--png", out])
        #expect(r.status == 0, "\(r.stderr)")
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: out)))
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        let svg = try String(contentsOfFile: svgOut, encoding: .utf8)
        #expect(capture("<svg[^>]* width=\"(\\d+)\"", in: svg) == "\(be32(16))")
        #expect(capture("<svg[^>]* height=\"(\\d+)\"", in: svg) == "\(be32(20))")
        #expect(be32(16) > 1000)
    }

    @Test("without rsvg-convert on PATH the PNG error names what to install and writes nothing")
    func noConverter() throws {
        let inspector = try AreaInspector()
        let area = try AreaReader.parseGeoJSON(Data(geoJSONPolygon([utrecht]).utf8), name: "u.geojson")
        let map = try inspector.map(area, engine: nil)
        let out = dir.appendingPathComponent("none.png")
        #expect {
            try map.writePNG(to: out, environment: ["PATH": dir.path])
        } throws: { e in
            "\(e)".contains("librsvg2-bin") && "\(e)".contains("rsvg-convert")
        }
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test("bad input and unwritable output give clear errors and leave no file")
    func errors() async throws {
        let fx = try MapFixture.shared.get()
        let missing = try await CommandRunner.run([
            "area", "map", dir.appendingPathComponent("no.geojson").path, "--out", "x.svg",
        ])
        #expect(missing.status == 3 && missing.stderr.contains("no.geojson"))
        let bow = dir.appendingPathComponent("bow.wkt").path
        try "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))".write(
            toFile: bow, atomically: true, encoding: .utf8)
        let invalid = try await CommandRunner.run(["area", "map", bow, "--out", dir.appendingPathComponent("b.svg").path])
        #expect(invalid.status == 2 && invalid.stderr.contains("Self-intersection"))
        let unwritable = "/nonexistent-dir-\(UUID().uuidString)/m.svg"
        let w = try await CommandRunner.run(["area", "map", fx.area, "--out", unwritable])
        #expect(w.status == 70 && w.stderr.contains(unwritable) && w.stderr.contains("cannot write"))
        let ext = try await CommandRunner.run(["area", "map", fx.area, "--out", dir.appendingPathComponent("m.pdf").path])
        #expect(ext.status == 64 && ext.stderr.contains(".svg or .png"))
        let none = try await CommandRunner.run(["area", "map", fx.area])
        #expect(none.status == 64 && none.stderr.contains("--out"))
        let before = try String(contentsOfFile: fx.area, encoding: .utf8)
        let same = try await CommandRunner.run(["area", "map", fx.area, "--out", fx.area])
        let after = try String(contentsOfFile: fx.area, encoding: .utf8)
        #expect(same.status == 64 && after == before)  // not an .svg or .png name
        let badIncident = try await CommandRunner.run([
            "area", "map", fx.area, "--incident", "52.1,5.1", "--out", dir.appendingPathComponent("i.svg").path,
        ])
        #expect(badIncident.status == 2 && badIncident.stderr.contains("incident point"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["bow.wkt"])
    }

    @Test("density classes: 1-2-5 steps on a log scale, the top class ending at the maximum")
    func classes() {
        // 53^(k/6) = 1.9, 3.8, 7.3, 14.1, 27.4 → 2, 5, 10, (10), 20; then 50 < 53 < 1.5 × 50: merged.
        #expect(AreaMap.classBounds(maximum: 53) == [2, 5, 10, 20, 53])
        // 291^(k/6) = 2.6, 6.6, 17.1, 44.2, 114 → 2, 5, 20, 50, 100; 200 ≤ 291 < 300: merged.
        #expect(AreaMap.classBounds(maximum: 291) == [2, 5, 20, 50, 100, 291])
        #expect(AreaMap.classBounds(maximum: 1) == [1])
        #expect(AreaMap.classBounds(maximum: 2) == [1, 2])
    }

    @Test("text is escaped: a file name with XML metacharacters still gives well-formed SVG")
    func escaping() async throws {
        let name = dir.appendingPathComponent("a&b<c>'\"\u{01}.geojson").path
        try geoJSONPolygon([utrecht]).write(toFile: name, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("e.svg").path
        #expect(try await CommandRunner.run(["area", "map", name, "--out", out]).status == 0)
        let svg = try String(contentsOfFile: out, encoding: .utf8)
        #expect(svg.contains("a&amp;b&lt;c&gt;&apos;&quot;\u{FFFD}.geojson"))
        if ExternalTool.has("xmllint") { #expect(try await ExternalTool.run("xmllint", ["--noout", out]).status == 0) }
    }
}
