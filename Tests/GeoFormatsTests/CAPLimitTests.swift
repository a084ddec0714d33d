import Foundation
import GeoTestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// A CAP document under the size limit but with absurd counts is refused early, with a message
/// naming the limit: libxml2 checks each attribute of an element against the ones before it, so
/// 340,000 attributes on `<alert>` (3.6 MB) took 88 s to parse; 40,000 distinct areas were
/// compared pairwise. No timing here (the machine is shared): the refusal itself is asserted.
@Suite struct CAPLimitTests {
    static let namespace = "urn:oasis:names:tc:emergency:cap:1.2"
    static let area = "<area><areaDesc>a</areaDesc><polygon>52.0,5.0 52.1,5.0 52.1,5.1 52.0,5.0</polygon></area>"

    /// An alert whose `<alert>` element has `count` attributes `aN=""` after its namespace, and
    /// `body` inside (one area by default).
    static func alert(attributes count: Int, attributeText: String = "", body: String? = nil) -> Data {
        var text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<alert xmlns=\"\(namespace)\""
        text.reserveCapacity(count * 12 + 300)
        for i in 0..<count { text += " a\(i)=\"\"" }
        text += attributeText + "><info>" + (body ?? area) + "</info></alert>\n"
        return Data(text.utf8)
    }

    func error(_ data: Data) throws -> GeoError {
        try #require(throws: GeoError.self) { try CAPReader.parse(data, name: "a.cap") }
    }

    @Test func anElementWith340000AttributesIsRefusedNamingTheLimit() throws {
        let data = Self.alert(attributes: 340_000)
        #expect(data.count < CAPReader.maxBytes)  // under the size limit: the count is what is refused
        let e = try error(data)
        #expect(e.code == .parse)
        #expect(
            e.message
                == "a.cap: line 2: element <alert> has more than 64 attributes; CAP elements carry none beyond "
                + "namespace declarations (limit 64 per element)")
    }

    @Test func theLimitCountsAttributesOnlyNotEqualsSignsInValuesCommentsOrText() throws {
        // 63 attributes plus xmlns: 64, accepted.
        #expect(try CAPReader.parse(Self.alert(attributes: 63), name: "a.cap").areas.count == 1)
        #expect(try error(Self.alert(attributes: 64)).message.contains("<alert> has more than 64 attributes"))
        // '=' inside quoted values (either quote), a comment, CDATA and text do not count.
        let equals = String(repeating: "=", count: 100)
        let quoted = " b=\"\(equals)>\" c='\(equals)\"'"
        let body = "<!-- \(equals) --><![CDATA[\(equals)]]>" + Self.area
        let data = Self.alert(attributes: 61, attributeText: quoted, body: body)
        #expect(try CAPReader.parse(data, name: "a.cap").areas.count == 1)
        // On a nested element, on line 3.
        let nested = Data(
            ("<alert xmlns=\"\(Self.namespace)\">\n<info>\n<area"
                + (0..<65).map { " x\($0)=\"1\"" }.joined() + "/></info></alert>").utf8)
        #expect(try error(nested).message.hasPrefix("a.cap: line 3: element <area> has more than 64 attributes"))
    }

    @Test func moreThanAThousandAreasAreRefusedNamingTheLimit() throws {
        let areas = (0..<1_001).map { i in
            "<area><areaDesc>a</areaDesc><polygon>52.0,5.0 52.1,5.0 52.1,5.1 52.0,\(5 + Double(i) / 1e5) 52.0,5.0"
                + "</polygon></area>"
        }
        let many = Data(
            ("<alert xmlns=\"\(Self.namespace)\"><info>" + areas.joined() + "</info></alert>").utf8)
        let e = try error(many)
        #expect(e.message.hasPrefix("a.cap: line 1: more than 1000 <area> elements in the alert (limit 1000)"))
        let enough = Data(
            ("<alert xmlns=\"\(Self.namespace)\"><info>" + areas.prefix(1_000).joined() + "</info></alert>").utf8)
        #expect(try CAPReader.parse(enough, name: "a.cap").areas.count == 1_000)
    }
}
