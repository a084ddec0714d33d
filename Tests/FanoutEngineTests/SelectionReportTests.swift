import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic
import Testing

/// `SelectionResult.report()`: what a service sends of a selection, `Codable` with stable field
/// names (pinned here as literal JSON from a plain `JSONEncoder`), and true to the selection.
@Suite struct SelectionReportTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func fieldNamesArePinnedAndDecodingGivesTheSameValue() throws {
        let report = SelectionReport(
            participants: [
                .init(id: 17, distanceMeters: 498.25, country: .nl, rank: 1),
                .init(id: 3, distanceMeters: 12.5, country: nil, rank: 2),
            ],
            incident: LonLat(lon: 5.125, lat: 52.09375), incidentRD: RDPoint(x: 136000, y: 455000),
            incidentSource: .circleCenter, areaSquareMeters: 785398.5, distance: .rdNew, registryGeneration: 12,
            seconds: 0.5)
        let expected =
            #"{"area_m2":785398.5,"distance":"rd","incident":{"lat":52.09375,"lon":5.125},"#
            + #""incident_rd":{"x":136000,"y":455000},"incident_source":"circle_centre","#
            + #""participants":[{"country":"NL","distance_m":498.25,"id":17,"rank":1},"#
            + #"{"country":null,"distance_m":12.5,"id":3,"rank":2}],"registry_generation":12,"seconds":0.5}"#
        #expect(try Self.json(report) == expected)
        #expect(try JSONDecoder().decode(SelectionReport.self, from: Data(expected.utf8)) == report)

        var geodesic = report
        (geodesic.distance, geodesic.incidentSource, geodesic.registryGeneration) = (.geodesic, .centroid, nil)
        let text = try Self.json(geodesic)
        #expect(text.contains(#""distance":"geodesic""#) && text.contains(#""incident_source":"polygon_centroid""#))
        #expect(text.contains(#""registry_generation":null"#))
        #expect(try JSONDecoder().decode(SelectionReport.self, from: Data(text.utf8)) == geodesic)
    }

    @Test func badValuesAreRefusedWhenDecoding() throws {
        let good =
            #"{"area_m2":1,"distance":"rd","incident":{"lat":52,"lon":5},"incident_rd":{"x":1,"y":2},"#
            + #""incident_source":"given","participants":[{"country":"NL","distance_m":1,"id":1,"rank":1}],"#
            + #""registry_generation":null,"seconds":0}"#
        _ = try JSONDecoder().decode(SelectionReport.self, from: Data(good.utf8))
        for (from, to) in [
            (#""distance":"rd""#, #""distance":"manhattan""#), (#""incident_source":"given""#, #""incident_source":"guessed""#),
            (#""country":"NL""#, #""country":"NLD""#), (#""rank":1"#, #""rank":"first""#),
        ] {
            let bad = good.replacingOccurrences(of: from, with: to)
            #expect(throws: DecodingError.self, "\(to)") {
                try JSONDecoder().decode(SelectionReport.self, from: Data(bad.utf8))
            }
        }
    }

    /// An engine over a small grid of participants around Utrecht.
    static func engine() throws -> Engine {
        var columns = ParticipantColumns()
        var id: Int64 = 1
        for i in 0..<20 {
            for j in 0..<20 {
                columns.append(id: id, x: 135_000 + Double(i) * 100, y: 455_000 + Double(j) * 100, country: .nl)
                id += 1
            }
        }
        return try Engine(columns: columns)
    }

    @Test func theReportIsTheSelection() throws {
        let engine = try Self.engine()
        let centre = LonLat(lon: 5.1, lat: 52.08)
        let result = try engine.select(SelectionRequest(area: .circle(center: centre, radiusMeters: 600)))
        #expect(result.participants.count > 10)
        let report = result.report()
        #expect(report.participants.map(\.id) == result.participants.map(\.id))
        #expect(report.participants.map(\.distanceMeters) == result.participants.map(\.distanceMeters))
        #expect(report.participants.map(\.rank) == Array(1...result.participants.count))
        #expect(report.participants.allSatisfy { $0.country == .nl })
        #expect(report.incident == centre && report.incidentRD == result.incident)
        #expect(report.incidentSource == .circleCenter && report.distance == .rdNew)
        #expect(abs(report.areaSquareMeters - Double.pi * 600 * 600) < 1e-6)
        #expect(report.registryGeneration == nil && report.seconds == result.seconds)

        // A polygon's centroid is transformed to lon/lat: back in RD New it is the centroid again.
        let ring: [XY] = [XY(5.09, 52.075), XY(5.11, 52.075), XY(5.11, 52.085), XY(5.09, 52.085), XY(5.09, 52.075)]
        let polygon = try engine.select(
            SelectionRequest(
                area: .polygon(AreaGeometry(polygons: [PlanarPolygon(shell: ring)], crs: .wgs84, source: "square"))))
        let back = try CoordinateConverter().toRD([polygon.report().incident])[0]
        #expect(polygon.report().incidentSource == .centroid)
        #expect(abs(back.x - polygon.incident.x) < 0.01 && abs(back.y - polygon.incident.y) < 0.01, "\(back)")
    }
}
