import Foundation
import GeoTestSupport
import Testing

@testable import Geo

/// One JTS `TestValid.xml` case joined with the reason GEOS 3.11.1 gave for it.
struct JTSValidityCase: Sendable, CustomTestStringConvertible {
    var number: Int
    var desc: String
    var wkt: String
    var jtsExpectedValid: Bool
    var geosReason: String

    var testDescription: String { "#\(number) \(desc)" }
}

/// Loads the JTS XML (the authority for the verdict) and the recorded GEOS reasons.
enum JTSValidityFixture {
    /// The `<case>` entries of `jts_TestValid.xml`: description, WKT and the expected isValid.
    static func xmlCases() throws -> [(desc: String, wkt: String, valid: Bool)] {
        let xml = try fixtureText("validity/jts_TestValid.xml")
        return try xml.components(separatedBy: "<case>").dropFirst().map { block in
            guard let desc = block.between("<desc>", "</desc>"), let wkt = block.between("<a>", "</a>"),
                let op = block.between("<op name=\"isValid\" arg1=\"A\">", "</op>")
            else { throw FixtureError(message: "malformed case: \(block.prefix(80))") }
            let verdict = op.trimmingCharacters(in: .whitespacesAndNewlines)
            guard verdict == "true" || verdict == "false" else {
                throw FixtureError(message: "unexpected isValid value \(verdict)")
            }
            return (desc.trimmingCharacters(in: .whitespacesAndNewlines), wkt.normalizedWhitespace, verdict == "true")
        }
    }

    /// The JSON cases with GEOS 3.11.1 reasons.
    static func jsonCases() throws -> [JSONCase] {
        let data = try Data(
            contentsOf: geoFixtures.appendingPathComponent(
                "validity/jts_TestValid_with_geos_3.11.1_reasons.json"))
        return try JSONDecoder().decode([JSONCase].self, from: data)
    }

    /// The cases for the parameterized test; empty if loading fails (the count test then fails).
    static let cases: [JTSValidityCase] = {
        guard let xml = try? xmlCases(), let json = try? jsonCases(), xml.count == json.count else { return [] }
        return zip(xml, json).enumerated().map { index, pair in
            JTSValidityCase(
                number: index + 1, desc: pair.0.desc, wkt: pair.0.wkt, jtsExpectedValid: pair.0.valid,
                geosReason: pair.1.geos_3_11_1_reason)
        }
    }()

    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct JSONCase: Decodable {
        var desc: String
        var wkt: String
        var jts_expected_valid: Bool
        var geos_3_11_1_valid: Bool
        var geos_3_11_1_reason: String
    }

    struct FixtureError: Error { var message: String }
}

/// Formats a validity result the way `GEOSisValidReason_r` does: `reason[x y]` with the
/// coordinates printed by an ostream at precision 15 (like `%.15g`, NaN as `nan`).
func geosReasonText(_ validity: GeometryValidity) -> String {
    switch validity {
    case .valid:
        return "Valid Geometry"
    case .invalid(let reason, let location):
        guard let location else { return reason }
        func number(_ value: Double) -> String { value.isNaN ? "nan" : String(format: "%.15g", value) }
        return "\(reason)[\(number(location.x)) \(number(location.y))]"
    }
}

@Suite("GEOS validity")
struct GEOSValidityTests {
    @Test("the XML and the JSON hold the same 87 cases in the same order")
    func fixturesAgree() throws {
        let xml = try JTSValidityFixture.xmlCases()
        let json = try JTSValidityFixture.jsonCases()
        #expect(xml.count == 87)
        #expect(json.count == 87)
        for (x, j) in zip(xml, json) {
            #expect(x.wkt == j.wkt.normalizedWhitespace, "\(x.desc)")
            #expect(x.valid == j.jts_expected_valid, "\(x.desc)")
        }
        #expect(JTSValidityFixture.cases.count == 87)
    }

    @Test("verdict matches JTS and reason matches GEOS 3.11.1", arguments: JTSValidityFixture.cases)
    func jtsCase(_ testCase: JTSValidityCase) throws {
        try withCheckedContext { context in
            let geometry = try context.readWKT(testCase.wkt)
            let validity = try geometry.validity()
            #expect(validity.isValid == testCase.jtsExpectedValid)
            #expect(geosReasonText(validity) == testCase.geosReason)
        }
    }

    @Test("a valid polygon has no reason and an invalid one carries its location")
    func detailShape() throws {
        try withCheckedContext { context in
            let square = try context.makePolygon(PlanarPolygon(shell: rectangle(0, 0, 10, 10)))
            #expect(try square.validity() == .valid)
            let bowtie = try context.makePolygon(
                PlanarPolygon(shell: [XY(0, 0), XY(10, 10), XY(10, 0), XY(0, 10), XY(0, 0)]))
            #expect(try bowtie.validity() == .invalid(reason: "Self-intersection", location: XY(5, 5)))
        }
    }
}

extension String {
    /// The text between the first `start` and the next `end`, if both occur.
    func between(_ start: String, _ end: String) -> String? {
        guard let open = range(of: start), let close = range(of: end, range: open.upperBound..<endIndex) else {
            return nil
        }
        return String(self[open.upperBound..<close.lowerBound])
    }

    /// The text with runs of whitespace collapsed to one space and the ends trimmed.
    var normalizedWhitespace: String {
        split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}
