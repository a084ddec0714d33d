import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// Inputs the fuzzers found crashing a reader, kept so the crash cannot come back.
///
/// Found by `tools/fuzz.sh` (libFuzzer) and `ReaderFuzzTests`. Each is refused with a `GeoError` naming the file and the place.
@Suite struct FuzzRegressionTests {
    func message(_ bytes: [UInt8], name: String = "r.cap") -> String {
        do {
            _ = try CAPReader.parse(Data(bytes), name: name)
            return "accepted"
        } catch let e as GeoError {
            return e.message
        } catch {
            return "not a GeoError: \(error)"
        }
    }

    /// swift-corelibs-foundation's XMLParser traps (SIGILL in `_NSXMLParserComment`) on a comment
    /// that is not UTF-8; found by libFuzzer in a mutated `noaa_errors.cap`.
    @Test func commentThatIsNotUTF8IsRefusedBeforeXMLParser() throws {
        let minimal =
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- ".utf8) + [0xB7]
            + Array(" -->\n<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"/>\n".utf8)
        #expect(message(minimal) == "r.cap: line 2: byte 44 is not UTF-8; only UTF-8 CAP documents are accepted")
        // The fuzzer's own reproducer (2,047 bytes; Python's UTF-8 decoder puts its first bad byte at 498, line 9).
        let found = Fixtures.packageRoot.appendingPathComponent(
            "tools/fuzz/corpus/cap/regression-comment-not-utf8.cap")
        #expect(
            message([UInt8](try Data(contentsOf: found)))
                == "r.cap: line 9: byte 498 is not UTF-8; only UTF-8 CAP documents are accepted")
    }

    /// Text that is not UTF-8 elsewhere (an element's text, an attribute) is refused the same way.
    @Test func notUTF8AnywhereIsRefused() {
        let inText =
            Array("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><info><area><areaDesc>x".utf8)
            + [0xC3] + Array("</areaDesc></area></info></alert>".utf8)
        #expect(message(inText) == "r.cap: line 1: byte 75 is not UTF-8; only UTF-8 CAP documents are accepted")
    }

    /// A circle radius of 10^20 km trapped when select turned it into whole metres for its advice
    /// (`Int(1e23)`); radii beyond half the Earth's circumference are now refused by the reader.
    @Test func hugeCircleRadiusIsRefused() {
        let alert = """
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>a</areaDesc>
            <circle>52.1,5.1 100000000000000000000</circle></area></info></alert>
            """
        #expect(
            message(Array(alert.utf8))
                == "r.cap: line 2: info 1, area 1, circle 1: radius 100000000000000000000 km is larger than half the "
                + "Earth's circumference (20038 km)")
        // The largest radius accepted still gives advice in whole metres.
        let edge = CAPCircle(center: LonLat(lon: 5.1, lat: 52.1), radiusKm: CAPReader.maxRadiusKm)
        #expect(CAPReader.circleAdvice(edge).contains("around lon,lat 5.1,52.1 with radius 20038000 m"))
        #expect(CAPReader.circleRemedy(edge) == .selectCircle(lon: 5.1, lat: 52.1, radiusMeters: 20_038_000))
    }
}

/// Borders files the fuzzers found accepted although they cannot be used, leaving a later step to
/// fail with a message that did not name the file.
@Suite struct BordersFuzzRegressionTests {
    func message(_ json: String) throws -> String {
        let converter = try CoordinateConverter()
        do {
            let file = URL(fileURLWithPath: "/b.geojson")
            _ = try CountryBorders.parse(Data(json.utf8), file: file, converter: converter)
            return "accepted"
        } catch let e as GeoError {
            return e.code == .countryBorders ? e.message : "code \(e.code): \(e.message)"
        }
    }

    func feature(_ ring: String) -> String {
        #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"country":"NL"},"#
            + #""geometry":{"type":"Polygon","coordinates":["# + ring + "]}}]}"
    }

    /// `-1e309` became -infinity and reached PROJ, whose error named no file.
    @Test func numberBeyondDoubleIsRefused() throws {
        let json = feature("[[5,52],[-1e309,52.3],[5.1,52.1],[5,52]]")
        let at = json.range(of: "-1e309").map { json.utf8.distance(from: json.startIndex, to: $0.lowerBound) }
        #expect(
            try message(json)
                == "/b.geojson: byte \(at ?? -1): expected a finite number (the file must be a "
                + "FeatureCollection of Polygon/MultiPolygon features with properties.country)")
    }

    /// An open ring was accepted and the country locator later failed on it without naming the file.
    @Test func openOrShortRingIsRefusedNamingFileFeatureAndRing() throws {
        #expect(
            try message(feature("[[5,52],[5.1,52],[5.1,52.1],[5,52.1]]"))
                == "/b.geojson: features[0] (NL): polygon 1, ring 1: not closed (the last position must equal the "
                + "first)")
        #expect(
            try message(feature("[[5,52],[5.1,52],[5.1,52.1],[5,52]],[[5,52],[5,52]]"))
                == "/b.geojson: features[0] (NL): polygon 1, ring 2: 2 positions; a ring needs at least 4")
        #expect(try message(feature("[[5,52],[5.1,52],[5.1,52.1],[5,52]]")) == "accepted")
    }
}

extension BordersFuzzRegressionTests {
    /// Arrays nested 100,000 deep (in the coordinates, and in a member the reader skips) are
    /// refused with the byte offset where the nesting got too deep, not by overflowing the stack.
    @Test func deepNestingIsRefused() throws {
        let deep = String(repeating: "[", count: 100_000)
        let inCoordinates = try message(feature(deep))
        #expect(inCoordinates.hasPrefix("/b.geojson: byte "))
        #expect(inCoordinates.contains("nested deeper than"))
        let skipped = try message(#"{"type":"FeatureCollection","x":"# + deep + #","features":[]}"#)
        #expect(skipped.contains("nested deeper than"))
    }
}

/// GEOS's WKT and WKB readers recurse per nesting level and overflowed the stack (SIGSEGV in
/// `fanout area check`) on 60,000 nested WKT collections and 200,000 nested WKB collections in a
/// GeoPackage blob; nesting deeper than 32 is now refused before GEOS reads it.
@Suite struct GeometryNestingRegressionTests {
    @Test func deepWKTCollectionsAreRefused() throws {
        let context = try GEOSContext()
        let deep =
            String(repeating: "GEOMETRYCOLLECTION(", count: 60_000) + "POINT(1 2)"
            + String(repeating: ")", count: 60_000)
        let message: String
        do {
            _ = try AreaReader.parseWKT(deep, name: "n.wkt", crs: .wgs84, context: context)
            message = "accepted"
        } catch let e as GeoError {
            message = e.message
        }
        // The 33rd "(" ends the 33rd 19-byte "GEOMETRYCOLLECTION(": byte 33 × 19 − 1.
        #expect(message == "n.wkt: WKT: parentheses nested deeper than 32 (byte 626)")
        // Real nesting still reads: a collection of a collection of a polygon is 4 deep.
        let shallow = "GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POLYGON((0 0,1 0,1 1,0 0))))"
        #expect(try context.readWKT(shallow).toWKT().hasPrefix("GEOMETRYCOLLECTION (GEOMETRYCOLLECTION (POLYGON"))
    }

    @Test func deepWKBCollectionsAreRefused() throws {
        let context = try GEOSContext()
        // 200,000 little-endian GeometryCollection headers (byte order, type 7, one part), then a point.
        let level: [UInt8] = [1, 7, 0, 0, 0, 1, 0, 0, 0]
        let point: [UInt8] = [1, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 16)
        let deep = Array([[UInt8]](repeating: level, count: 200_000).joined()) + point
        #expect(throws: GeoError(.parse, "WKB: geometries nested deeper than 32 (byte 288)")) {
            try context.readWKB(deep)
        }
        // 32 levels (the limit) still read, in either byte order; a polygon's WKB round-trips.
        let big: [UInt8] = [0, 0, 0, 0, 7, 0, 0, 0, 1]
        let pointBig: [UInt8] = [0, 0, 0, 0, 1] + [UInt8](repeating: 0, count: 16)
        #expect(
            try context.readWKB(Array([[UInt8]](repeating: big, count: 31).joined()) + pointBig).typeID
                == .geometryCollection)
        let polygon = try context.readWKT("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))")
        #expect(try context.readWKB(try polygon.toWKB()).toWKT() == polygon.toWKT())
    }
}

extension BordersFuzzRegressionTests {
    /// libFuzzer's out-of-memory reproducer: one vertex at latitude 2.36 instead of 52.36 made the
    /// country locator's border grid ask for 2.9 GB of 1 km cells; now refused naming the file.
    @Test func bordersSpanningFarBeyondTheRegionAreRefused() throws {
        // Verbatim (498 bytes): also a BE position at longitude 469.
        let json = #"""
            {"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"country":"NL","name":"x"},"geometry":{"type":"Polygon","coordinates":[[[4.90,52.30],[4.96,52.30],[4.96,54.36],[4.90,02.36],[4.90,52.30]],[[4.92,52.32],[4.92,52.33],[4.93,52.33],[4.92,52.32]]]}},
            {"type":"Feature","properties":{"country":"BE"},"geometry":{"type":"MultiPolygon","coordinates":[[[[4.92,51.40],[469.,5,1.40],[4.96,51.43],[4.92,51.43],[4.92,51.40]]],[[[4.92,51.44],[5.93,51.44],[4.93,51.45],[4.92,51.44]]]]}}
            ]}
            """#
        let borders = try CountryBorders.parse(
            Data(json.utf8), file: URL(fileURLWithPath: "/b.geojson"), converter: try CoordinateConverter())
        let message: String
        do {
            _ = try CountryLocator(borders: borders)
            message = "built"
        } catch let e as GeoError {
            message = e.message
        }
        #expect(message.hasPrefix("/b.geojson: the borders span "))
        #expect(
            message.hasSuffix("in RD New, more than 4194304 cells of 1 km (is a position far outside NL, BE and DE?)"))
        // The same square without the stray vertex builds.
        let fine = feature("[[4.90,52.30],[4.96,52.30],[4.96,52.36],[4.90,52.36],[4.90,52.30]]")
        _ = try CountryLocator(
            borders: try CountryBorders.parse(
                Data(fine.utf8), file: URL(fileURLWithPath: "/b.geojson"), converter: try CoordinateConverter()))
    }
}
