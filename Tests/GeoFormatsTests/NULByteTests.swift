import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// A NUL byte in a text input is refused with the file and where it is, never cut off where the
/// text meets C (GEOS's WKT reader, libxml2, `strtod` behind `Double(String)`).
@Suite struct NULByteTests {
    static let square = "POLYGON((5.0 52.0, 5.2 52.0, 5.2 52.2, 5.0 52.2, 5.0 52.0))"

    /// Reads `bytes` as an area file named `name` and returns the error message.
    func areaError(_ bytes: [UInt8], name: String) throws -> String {
        let dir = try Fixtures.temporaryDirectory("nul")
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        let error = try #require(throws: GeoError.self) {
            try AreaReader.read(contentsOf: url, crs: nil, context: try GEOSContext())
        }
        return error.message.replacingOccurrences(of: dir.path + "/", with: "")
    }

    @Test func aNULAfterAWKTPolygonIsRefusedNotIgnored() throws {
        // GEOS alone reads the first polygon and never sees the rest.
        let bytes = Array((Self.square + "\n").utf8) + [0] + Array(Self.square.utf8)
        let message = try areaError(bytes, name: "a.wkt")
        #expect(message.hasPrefix("a.wkt: line 2: byte \(Self.square.utf8.count + 1) is a NUL byte"), "\(message)")
    }

    @Test func aNULInsideAWKTNumberIsRefusedByTheReaderItself() throws {
        let text = "POLYGON((5.0 52.0, 5.2 52\u{0}.9, 5.2 52.2, 5.0 52.0))"
        let error = try #require(throws: GeoError.self) { try GEOSContext().readWKT(text) }
        #expect(error.message == "WKT: line 1: byte 25 is a NUL byte (0x00); WKT is text and may not contain one")
    }

    @Test func aNULInGeoJSONOrCAPIsRefusedWithItsPlace() throws {
        let json = #"{"type":"Polygon","coordinates":[[[5,52],[5.2,52],[5.2,52.2],[5,52]]]}"#
        var bytes = Array(json.utf8)
        bytes.insert(0, at: 40)
        let message = try areaError(bytes, name: "a.geojson")
        #expect(message.hasPrefix("a.geojson: line 1: byte 40 is a NUL byte (0x00)"), "\(message)")
        let cap = """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><info><area><areaDesc>x</areaDesc>
            <polygon>52.0,5.0 52.1,5.0 52.1,5.1 52.0,5.0</polygon></area></info></alert>
            """
        var capBytes = Array(cap.utf8)
        let at = try #require(capBytes.firstIndex(of: UInt8(ascii: "5")))
        capBytes.insert(0, at: at + 1)
        let capMessage = try #require(throws: GeoError.self) { try CAPReader.parse(Data(capBytes), name: "a.cap") }
        #expect(capMessage.message.hasPrefix("a.cap: line 3: byte \(at + 1) is a NUL byte"), "\(capMessage.message)")
    }

    @Test func aNULInTheBordersOrMunicipalitiesFileIsRefusedNamingTheLine() throws {
        let converter = try CoordinateConverter()
        let text = "{\"type\":\"FeatureCollection\",\n\"features\":[\u{0}]}"
        let file = URL(fileURLWithPath: "/x/b.geojson")
        let borders = try #require(throws: GeoError.self) {
            try CountryBorders.parse(Data(text.utf8), file: file, converter: converter)
        }
        #expect(borders.code == .countryBorders)
        #expect(borders.message.hasPrefix("/x/b.geojson: line 2: byte 41 is a NUL byte"), "\(borders.message)")
        let municipalities = try #require(throws: GeoError.self) {
            try Municipalities.parse(Data(text.utf8), file: file, converter: converter)
        }
        #expect(municipalities.code == .municipalities)
        #expect(municipalities.message.hasPrefix("/x/b.geojson: line 2: byte 41 is a NUL byte"))
    }
}
