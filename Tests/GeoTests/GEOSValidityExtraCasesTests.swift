import Foundation
import GeoTestSupport
import Testing

@testable import Geo

/// One case of `extra_cases_geos_3.11.1.json` (authored by this project with GEOS 3.11.1).
struct ExtraValidityCase: Decodable, Sendable, CustomTestStringConvertible {
    var `case`: String
    var format: String
    var input: String
    var is_valid: Bool?
    var reason: String?
    var area: Double?
    var reader_error: String?

    var testDescription: String { "\(`case`) (\(format))" }

    /// All nine cases; empty if loading fails (the count test then fails).
    static let all: [ExtraValidityCase] = (try? load()) ?? []

    static func load() throws -> [ExtraValidityCase] {
        struct File: Decodable { var cases: [ExtraValidityCase] }
        let data = try Data(contentsOf: geoFixtures.appendingPathComponent("validity/extra_cases_geos_3.11.1.json"))
        return try JSONDecoder().decode(File.self, from: data).cases
    }

    /// The rings of a GeoJSON `Polygon` input, without any checking.
    func geoJSONPolygon() throws -> PlanarPolygon {
        struct GeoJSON: Decodable { var type: String; var coordinates: [[[Double]]] }
        let decoded = try JSONDecoder().decode(GeoJSON.self, from: Data(input.utf8))
        let rings = decoded.coordinates.map { ring in ring.map { XY($0[0], $0[1]) } }
        return PlanarPolygon(shell: rings.first ?? [], holes: Array(rings.dropFirst()))
    }

    /// The rings of a WKT `POLYGON` input, read by hand.
    ///
    /// Rings that GEOS would reject still reach `makePolygon` this way. Handles only the simple
    /// `POLYGON((x y, ...), (...))` shape used here.
    func wktPolygon() -> PlanarPolygon {
        let body = input.drop(while: { $0 != "(" }).dropFirst().dropLast()
        let rings = body.components(separatedBy: ")").compactMap { chunk -> [XY]? in
            let text = chunk.trimmingCharacters(in: CharacterSet(charactersIn: " ,("))
            guard !text.isEmpty else { return nil }
            return text.components(separatedBy: ",").map { pair in
                let numbers = pair.split(separator: " ").compactMap { Double($0) }
                return XY(numbers[0], numbers[1])
            }
        }
        return PlanarPolygon(shell: rings.first ?? [], holes: Array(rings.dropFirst()))
    }
}

@Suite("GEOS validity: extra cases")
struct GEOSValidityExtraCasesTests {
    @Test("all nine cases load")
    func count() {
        #expect(ExtraValidityCase.all.count == 9)
    }

    @Test("WKT input through readWKT", arguments: ExtraValidityCase.all.filter { $0.format == "wkt" })
    func throughReadWKT(_ testCase: ExtraValidityCase) throws {
        try withCheckedContext { context in
            if let readerError = testCase.reader_error {
                let error = geoError { _ = try context.readWKT(testCase.input) }
                #expect(error?.code == .parse)
                #expect(error?.message == "WKT: \(readerError)")
                return
            }
            let geometry = try context.readWKT(testCase.input)
            let validity = try geometry.validity()
            #expect(validity.isValid == testCase.is_valid)
            #expect(geosReasonText(validity) == testCase.reason)
            #expect(try geometry.area == testCase.area)
        }
    }

    @Test("every case through makePolygon", arguments: ExtraValidityCase.all)
    func throughMakePolygon(_ testCase: ExtraValidityCase) throws {
        let polygon = testCase.format == "wkt" ? testCase.wktPolygon() : try testCase.geoJSONPolygon()
        try withCheckedContext { context in
            switch testCase.case {
            case "too few distinct points":
                let error = geoError { _ = try context.makePolygon(polygon) }
                #expect(error?.code == .invalidGeometry)
                #expect(error?.message == "ring 1 of polygon 1 has 3 points; a ring needs at least 4 (closed)")
            case let name where name.hasPrefix("unclosed ring"):
                let error = geoError { _ = try context.makePolygon(polygon) }
                #expect(error?.code == .invalidGeometry)
                #expect(
                    error?.message
                        == "ring 1 of polygon 1 is not closed: first point (0.0,0.0) differs from last (0.0,10.0)")
            default:
                let geometry = try context.makePolygon(polygon)
                let validity = try geometry.validity()
                #expect(validity.isValid == testCase.is_valid)
                #expect(geosReasonText(validity) == testCase.reason)
                #expect(try geometry.area == testCase.area)
                #expect(try geometry.polygons() == [polygon])
            }
        }
    }
}
