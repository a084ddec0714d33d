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

/// The CAP 1.2/1.1 reader on the google/cap-library test alerts.
@Suite("CAP reader")
struct CAPReaderTests {
    func data(_ file: String) throws -> Data {
        try Data(contentsOf: Fixtures.url("CLITests/Fixtures/cap/\(file)"))
    }

    func parseError(_ d: Data, name: String = "x.cap") -> String? {
        do {
            _ = try CAPReader.parse(d, name: name)
            return nil
        } catch let e as GeoError { return e.message } catch { return "\(error)" }
    }

    func areaError(_ d: Data, name: String = "x.cap") -> String? {
        do {
            _ = try CAPReader.areaGeometry(d, name: name, context: try GEOSContext())
            return nil
        } catch let e as GeoError { return e.message } catch { return "\(error)" }
    }

    @Test("thunderstorm: one polygon, lat,lon swapped to lon/lat")
    func thunderstorm() throws {
        let alert = try CAPReader.parse(try data("thunderstorm.cap"), name: "t.cap")
        #expect(alert.version == "1.2")
        #expect(alert.areas.count == 1)
        let a = try #require(alert.areas.first)
        #expect(a.areaDesc.hasPrefix("EXTREME NORTH CENTRAL TUOLUMNE COUNTY"))
        #expect(a.polygons.count == 1 && a.circles.isEmpty)
        let ring = try #require(a.polygons.first)
        #expect(ring.count == 5)
        #expect(ring.first == XY(-120.14, 38.47))
        #expect(ring.first == ring.last)
        let g = try CAPReader.areaGeometry(try data("thunderstorm.cap"), name: "t.cap", context: try GEOSContext())
        #expect(g.crs == .wgs84 && g.polygons.count == 1 && g.polygons[0].shell == ring)
    }

    @Test("canada: two info blocks (en/fr) with two areas each")
    func canada() throws {
        let alert = try CAPReader.parse(try data("canada.cap"), name: "c.cap")
        #expect(alert.areas.map(\.place) == ["info 1, area 1", "info 1, area 2", "info 2, area 1", "info 2, area 2"])
        #expect(alert.areas[0].areaDesc == "Windsor - Leamington - Essex County")
        #expect(alert.areas[2].areaDesc == "Windsor - Leamington - comté d'Essex")
        #expect(alert.areas[0].polygons == alert.areas[2].polygons)
        #expect(alert.areas[0].polygons[0].count == 17 && alert.areas[1].polygons[0].count == 38)
        #expect(alert.areas[0].polygons[0].first == XY(-82.9314, 42.3481))
        // Language copies count once; two different areas remain, so select refuses and lists them.
        let message = try #require(areaError(try data("canada.cap")))
        #expect(message.contains("2 different areas"))
        #expect(message.contains("info 1, area 1 'Windsor - Leamington - Essex County'"))
        #expect(message.contains("info 1, area 2 'Chatham-Kent - Rondeau Park'"))
        #expect(!message.contains("info 2,"))
    }

    @Test("earthquake: CAP 1.1 circle with radius 0 is read, refused for select")
    func earthquake() throws {
        let alert = try CAPReader.parse(try data("earthquake.cap"), name: "e.cap")
        #expect(alert.version == "1.1")
        let c = try #require(alert.areas.first?.circles.first)
        #expect(c.center == LonLat(lon: -173.274, lat: -16.053) && c.radiusKm == 0)
        let message = try #require(areaError(try data("earthquake.cap"), name: "e.cap"))
        #expect(message.contains("radius must be > 0"))
        #expect(message.contains("select a circle around lon,lat -173.274,-16.053 instead"))
    }

    @Test("a circle with a radius is an area: a 72-gon at the radius on the ellipsoid")
    func circleIsAnArea() throws {
        let text = String(decoding: try data("earthquake.cap"), as: UTF8.self)
            .replacingOccurrences(of: "-16.053,-173.274 0.0", with: "+52.09,+5.12 2.5")
        let g = try CAPReader.areaGeometry(Data(text.utf8), name: "c.cap", context: try GEOSContext())
        #expect(g.crs == .wgs84 && g.polygons.count == 1 && g.polygons[0].holes.isEmpty)
        let ring = g.polygons[0].shell
        #expect(ring.count == 73 && ring.first == ring.last)
        let centre = LonLat(lon: 5.12, lat: 52.09)
        for p in ring {
            #expect(abs(Geodesic.wgs84.distance(from: centre, to: LonLat(lon: p.x, lat: p.y)) - 2500) < 1e-6)
        }
        // Counter-clockwise (RFC 7946): the shoelace sum is positive.
        let twiceArea = zip(ring, ring.dropFirst()).reduce(0.0) { $0 + $1.0.x * $1.1.y - $1.1.x * $1.0.y }
        #expect(twiceArea > 0)
    }

    @Test("noaa_errors: trailing comma, leading '+', empty polygon name the place")
    func noaaErrors() throws {
        let raw = String(decoding: try data("noaa_errors.cap"), as: UTF8.self)
        let first = try #require(parseError(Data(raw.utf8)))
        #expect(first.contains("info 1, area 1, polygon 1: pair 7 '+40.85,-118.09,' is not lat,lon (trailing comma)"))
        // Without the trailing commas, the '+' signs are accepted and the empty second polygon fails.
        let fixed = raw.replacingOccurrences(of: "-118.09, ", with: "-118.09 ")
        let second = try #require(parseError(Data(fixed.utf8)))
        #expect(second.contains("info 1, area 1, polygon 2: empty polygon"))
        let noEmpty = fixed.replacingOccurrences(of: "<polygon></polygon>", with: "")
        let alert = try CAPReader.parse(Data(noEmpty.utf8), name: "n.cap")
        #expect(alert.areas[0].polygons[0].first == XY(-117.61, 41.12))
    }

    @Test("invalid.cap: an area without geometry is refused clearly")
    func invalid() throws {
        let alert = try CAPReader.parse(try data("invalid.cap"), name: "i.cap")
        #expect(alert.areas.count == 1 && alert.areas[0].areaDesc == "New York")
        #expect(areaError(try data("invalid.cap"))?.contains("no <area> with a <polygon> or <circle>") == true)
    }

    @Test("xee.cap is refused before parsing; nothing is resolved")
    func xxe() throws {
        let message = try #require(parseError(try data("xee.cap")))
        #expect(message.contains("XXE") && message.contains("entities"))
        for leak in ["root:", "/bin/", "nologin", "daemon"] { #expect(!message.contains(leak)) }
        // An internal entity alone (billion laughs) is refused the same way.
        let laughs = #"<?xml version="1.0"?><!ENTITY a "aaaa"><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>"#
        #expect(parseError(Data(laughs.utf8))?.contains("XXE") == true)
    }

    @Test("wrong root, namespace, depth, size and bad numbers fail clearly")
    func limits() throws {
        let ns = "urn:oasis:names:tc:emergency:cap:1.2"
        #expect(parseError(Data("<feed/>".utf8))?.contains("not a CAP alert") == true)
        #expect(parseError(Data("<alert xmlns=\"urn:x\"/>".utf8))?.contains("not a CAP alert") == true)
        #expect(parseError(Data("<alert xmlns=\"\(ns)\"><info>".utf8))?.contains("not well-formed XML") == true)
        let deep =
            "<alert xmlns=\"\(ns)\">" + String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
            + "</alert>"
        #expect(parseError(Data(deep.utf8))?.contains("nested deeper than 64") == true)
        #expect(parseError(Data(count: CAPReader.maxBytes + 1))?.contains("limited to") == true)
        func poly(_ p: String) -> Data {
            Data(
                "<alert xmlns=\"\(ns)\"><info><area><areaDesc>x</areaDesc><polygon>\(p)</polygon></area></info></alert>"
                    .utf8)
        }
        #expect(parseError(poly("52,5 52,6 53,6 52,5")) == nil)
        #expect(parseError(poly("52,5 52,6 53,6 52,abc"))?.contains("pair 4 '52,abc' is not lat,lon") == true)
        #expect(parseError(poly("52,5 52,6 53,6 52,0x5"))?.contains("pair 4") == true)
        #expect(parseError(poly("52,5 52,6 53,6 52,7"))?.contains("not closed") == true)
        #expect(parseError(poly("52,5 53,6 52,5"))?.contains("at least 4") == true)
        #expect(parseError(poly("95,5 52,6 53,6 95,5"))?.contains("latitude 95.0 is outside") == true)
    }

    @Test("fanout area check and select --polygon read CAP through the binary")
    func cli() async throws {
        let dir = try Fixtures.temporaryDirectory("cap")
        // A CAP polygon around Utrecht (lat,lon), counter-clockwise in lon/lat.
        let ring = utrecht.map { "\($0.1),\($0.0)" }.joined(separator: " ")
        let cap = dir.appendingPathComponent("utrecht.cap")
        try String(decoding: try data("thunderstorm.cap"), as: UTF8.self)
            .replacingOccurrences(
                of: "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14", with: ring
            )
            .write(to: cap, atomically: true, encoding: .utf8)
        let check = try await CommandRunner.run(["area", "check", cap.path])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let xee = try await CommandRunner.run(["area", "check", Fixtures.url("CLITests/Fixtures/cap/xee.cap").path])
        #expect(xee.status != 0 && xee.stderr.contains("XXE") && !xee.stderr.contains("root:"))

        let fx = try CLIFixture.shared.get()
        let gj = dir.appendingPathComponent("utrecht.geojson")
        try geoJSONPolygon([utrecht]).write(to: gj, atomically: true, encoding: .utf8)
        let a = try await CommandRunner.run([
            "select", "--db", fx.db, "--polygon", cap.path, "--incident", "5.1214,52.0908",
        ])
        let b = try await CommandRunner.run([
            "select", "--db", fx.db, "--polygon", gj.path, "--incident", "5.1214,52.0908",
        ])
        #expect(a.status == 0 && a.stdout == b.stdout && !a.stdout.isEmpty, "\(a.stderr)")
        let quake = try await CommandRunner.run([
            "select", "--db", fx.db, "--polygon", Fixtures.url("CLITests/Fixtures/cap/earthquake.cap").path,
        ])
        #expect(quake.status != 0 && quake.stderr.contains("--circle -173.274,-16.053,RADIUS_M"))
    }
}
