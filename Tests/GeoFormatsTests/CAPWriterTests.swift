import Foundation
import GeoTestSupport
import Geo
import GeoFormats
import TestSupport
import Testing

/// CAP 1.2 writing: every document against the OASIS schema (xmllint) and read back by our reader.
@Suite struct CAPWriterTests {
    static let xsd = Fixtures.url("CLITests/Fixtures/cap/CAP-v1.2.xsd").path
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("capw") }

    /// 2000-01-01T00:00:00Z.
    static let y2k = Date(timeIntervalSince1970: 946_684_800)

    static let square: [LonLat] = [
        LonLat(lon: 5.050000001, lat: 52.05), LonLat(lon: 5.2012345678901, lat: 52.05),
        LonLat(lon: 5.2012345678901, lat: 52.1400000009), LonLat(lon: 5.05, lat: 52.14),
        LonLat(lon: 5.050000001, lat: 52.05),
    ]
    static let triangle: [LonLat] = [
        LonLat(lon: 5.9, lat: 50.8), LonLat(lon: 6.01, lat: 50.8), LonLat(lon: 6.0, lat: 50.9),
        LonLat(lon: 5.9, lat: 50.8),
    ]

    static func info(_ language: String, _ areas: [CAPMessage.Area], headline: String = "Uitkijken") -> CAPMessage.Info
    {
        CAPMessage.Info(
            language: language, event: "Burgernet-actie", headline: headline, description: "Bel 112.", areas: areas)
    }

    static let earlier = CAPMessage.Reference(
        sender: "fanout@burgernet.example", identifier: "a-1", sent: "2000-01-01T01:00:00+01:00")

    /// The documents checked: an Alert, an Update in three languages, a Cancel, a multipolygon,
    /// a circle, and text that needs escaping.
    static let messages: [(String, CAPMessage)] = [
        (
            "alert",
            CAPMessage(
                identifier: "a-1", sender: "fanout@burgernet.example", sent: y2k, utcOffsetSeconds: 3600,
                infos: [info("nl-NL", [CAPMessage.Area(areaDesc: "Utrecht", polygons: [square])])])
        ),
        (
            "update",
            CAPMessage(
                identifier: "a-2", sender: "fanout@burgernet.example", sent: y2k, utcOffsetSeconds: 3600,
                status: .exercise, msgType: .update, references: [earlier],
                infos: ["nl-NL", "fr-BE", "de-DE"].map {
                    info($0, [CAPMessage.Area(areaDesc: "Utrecht", polygons: [square])])
                })
        ),
        (
            "cancel",
            CAPMessage(
                identifier: "a-3", sender: "fanout@burgernet.example", sent: y2k, utcOffsetSeconds: -19800,
                msgType: .cancel, scope: .restricted, references: [earlier], infos: [info("nl-NL", [])])
        ),
        (
            "multipolygon",
            CAPMessage(
                identifier: "a-4", sender: "x", sent: y2k,
                infos: [info("de-DE", [CAPMessage.Area(areaDesc: "Zwei Teile", polygons: [square, triangle])])])
        ),
        (
            "circle",
            CAPMessage(
                identifier: "a-5", sender: "x", sent: y2k,
                infos: [
                    info(
                        "fr-BE",
                        [
                            CAPMessage.Area(
                                areaDesc: "Cercle",
                                circles: [CAPCircle(center: LonLat(lon: 4.35, lat: 50.85), radiusKm: 2.5)])
                        ])
                ])
        ),
        (
            "escaped",
            CAPMessage(
                identifier: "a-6", sender: "x", sent: y2k,
                infos: [
                    info(
                        "nl-NL", [CAPMessage.Area(areaDesc: "A & B <Zuid> \"x\" 'y'", polygons: [triangle])],
                        headline: "Let op: <b>verdachte</b> & \"vlucht\"")
                ])
        ),
    ]

    @Test(
        .enabled(if: ExternalTool.has("xmllint"), "xmllint missing: install libxml2-utils (tools/test.sh does)"),
        arguments: messages.map(\.0))
    func everyWrittenDocumentValidatesAndReadsBack(name: String) async throws {
        let message = try #require(Self.messages.first { $0.0 == name }?.1)
        let xml = try CAPWriter.xml(message)
        let file = dir.appendingPathComponent("\(name).cap")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        let lint = try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, file.path])
        #expect(lint.status == 0, "\(lint.stderr)\n\(xml)")
        #expect(lint.stderr.contains("validates"))
        let back = try CAPReader.parse(Data(xml.utf8), name: name)
        #expect(back.version == "1.2")
        let expected = message.infos.flatMap { info in info.areas.map { ($0.areaDesc, $0.polygons, $0.circles) } }
        #expect(back.areas.count == expected.count)
        for (read, (desc, polygons, circles)) in zip(back.areas, expected) {
            #expect(read.areaDesc == desc)
            #expect(read.polygons == polygons.map { $0.map { XY($0.lon, $0.lat) } })  // exact doubles
            #expect(read.circles == circles)
        }
    }

    @Test(.enabled(if: ExternalTool.has("xmllint"), "xmllint missing: install libxml2-utils (tools/test.sh does)"))
    func theSchemaCheckCanFail() async throws {
        let xml = try CAPWriter.xml(Self.messages[0].1).replacingOccurrences(
            of: "<msgType>Alert", with: "<msgType>Bogus")
        let file = dir.appendingPathComponent("bogus.cap")
        try xml.write(to: file, atomically: true, encoding: .utf8)
        let lint = try await ExternalTool.run("xmllint", ["--noout", "--schema", Self.xsd, file.path])
        #expect(lint.status != 0 && lint.stderr.contains("msgType"))
    }

    @Test func headerFieldsAreWrittenInSchemaOrder() throws {
        let xml = try CAPWriter.xml(Self.messages[1].1)
        let order = [
            "<identifier>a-2", "<sender>", "<sent>2000-01-01T01:00:00+01:00", "<status>Exercise", "<msgType>Update",
            "<scope>Public", "<references>fanout@burgernet.example,a-1,2000-01-01T01:00:00+01:00", "<info>",
            "<language>nl-NL",
            "<language>fr-BE", "<language>de-DE",
        ]
        let positions = order.map { xml.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil }, "\(xml)")
        #expect(zip(positions, positions.dropFirst()).allSatisfy { ($0 ?? xml.endIndex) < ($1 ?? xml.startIndex) })
        #expect(xml.contains("<polygon>52.05,5.050000001 52.05,5.2012345678901 52.1400000009,5.2012345678901"))
        let escaped = try CAPWriter.xml(Self.messages[5].1)
        #expect(escaped.contains("<headline>Let op: &lt;b&gt;verdachte&lt;/b&gt; &amp; &quot;vlucht&quot;</headline>"))
    }

    @Test func sentIsWrittenWithItsOffset() {
        #expect(CAPWriter.dateTime(Self.y2k, utcOffsetSeconds: 0) == "2000-01-01T00:00:00+00:00")
        #expect(CAPWriter.dateTime(Self.y2k, utcOffsetSeconds: 3600) == "2000-01-01T01:00:00+01:00")
        #expect(CAPWriter.dateTime(Self.y2k, utcOffsetSeconds: -19800) == "1999-12-31T18:30:00-05:30")
    }

    @Test(arguments: [
        ("identifier", "may not contain spaces"), ("update", "must name the message"),
        ("language", "not a language tag"),
        ("ring", "closed ring of at least 4 points"), ("radius", "circle 1"), ("offset", "whole number of minutes"),
        ("noinfo", "no <info>"),
    ])
    func badMessagesAreRefused(what: String, reason: String) {
        var m = Self.messages[0].1
        switch what {
        case "identifier": m.identifier = "a 1"
        case "update": m.msgType = .update
        case "language": m.infos[0].language = "nl_NL"
        case "ring": m.infos[0].areas[0].polygons[0].removeLast()
        case "radius": m.infos[0].areas[0].circles = [CAPCircle(center: LonLat(lon: 5, lat: 52), radiusKm: -1)]
        case "offset": m.utcOffsetSeconds = 30
        default: m.infos = []
        }
        #expect {
            _ = try CAPWriter.xml(m)
        } throws: { "\($0)".contains(reason) }
    }
}
