import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@testable import FanoutServer

/// The map page's files, Leaflet from Debian's package, and the vector layers, on the live service.
@Suite(.serialized) struct MapPageTests {
    /// Where Debian's libjs-leaflet puts Leaflet (tools/test.sh installs it).
    static let leaflet = URL(fileURLWithPath: "/usr/share/javascript/leaflet")

    /// A GET without a token: status, content type and body.
    static func get(_ client: any TestClientProtocol, _ uri: String) async throws -> (Int, String, Data) {
        try await client.execute(uri: uri, method: .get) { response in
            (Int(response.status.code), response.headers[.contentType] ?? "", Data(response.body.readableBytesView))
        }
    }

    @Test func thePageItsScriptsAndLeafletAreServedWithoutAToken() async throws {
        let fixture = try ServeFixture(label: "map-page")
        let leafletJS = try Data(contentsOf: Self.leaflet.appendingPathComponent("leaflet.js"))
        let marker = try Data(contentsOf: Self.leaflet.appendingPathComponent("images/marker-icon.png"))
        try await fixture.withServer { client in
            let (status, type, body) = try await Self.get(client, "/")
            #expect(status == 200)
            #expect(type.hasPrefix("text/html"))
            let html = String(decoding: body, as: UTF8.self)
            for src in ["/static/leaflet/leaflet.js", "/static/map/app.js", "/static/map/live.js", "/static/map/draw.js"] {
                #expect(html.contains("src=\"\(src)\""), "the page loads \(src)")
                let (s, t, _) = try await Self.get(client, src)
                #expect(s == 200 && t.hasPrefix("text/javascript"), "\(src): \(s) \(t)")
            }
            // Leaflet is Debian's file, byte for byte.
            let (_, _, js) = try await Self.get(client, "/static/leaflet/leaflet.js")
            #expect(js == leafletJS)
            let (imageStatus, imageType, png) = try await Self.get(client, "/static/leaflet/images/marker-icon.png")
            #expect(imageStatus == 200 && imageType == "image/png" && png == marker)
            let (missing, _, _) = try await Self.get(client, "/static/map/nothing.js")
            #expect(missing == 404)
        }
    }

    @Test func theLayersAreTheDataFilesInWGS84() async throws {
        let fixture = try ServeFixture(label: "map-layers")
        // The expectation: the data files themselves, read here with Foundation alone: each
        // feature's key property and first position.
        func source(_ name: String, _ key: String) throws -> [Shape] {
            let url = DataDirectory.bundled.url(for: name)
            let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            return try #require(root["features"] as? [[String: Any]]).map { Shape($0, key) }
        }
        let layers = [
            ("borders", "country", try source("borders-nl-be-de.geojson", "country")),
            ("municipalities", "code", try source("municipalities-nl.geojson", "code")),
        ]
        try await fixture.withServer { client in
            for (name, key, expected) in layers {
                let (status, type, body) = try await Self.get(client, "/layers/\(name)")
                #expect(status == 200)
                #expect(type == "application/geo+json")
                let root = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
                let features = try #require(root["features"] as? [[String: Any]])
                #expect(features.count == expected.count, "\(name)")
                #expect(root["attribution"] as? String != nil, "\(name) keeps its attribution")
                // Same features in the same order, with the same first position (6 decimals).
                for (feature, want) in zip(features, expected) {
                    let got = Shape(feature, key)
                    #expect(got.value == want.value)
                    #expect(Set(((feature["properties"] as? [String: Any]) ?? [:]).keys).isSubset(of: ["country", "code", "name"]))
                    let p = try #require(got.first)
                    let q = try #require(want.first)
                    #expect(abs(p[0] - q[0]) < 1e-6 && abs(p[1] - q[1]) < 1e-6, "\(name) \(want.value ?? "?")")
                }
            }
            let (unknown, _, _) = try await Self.get(client, "/layers/roads")
            #expect(unknown == 404)
        }
    }

    /// A feature's key property and first position.
    struct Shape: Sendable {
        var value: String?
        var first: [Double]?

        init(_ feature: [String: Any], _ key: String) {
            value = (feature["properties"] as? [String: Any])?[key] as? String
            first = MapPageTests.firstPosition(feature["geometry"])
        }
    }

    /// The first [x, y] of a Polygon's or MultiPolygon's coordinates.
    static func firstPosition(_ geometry: Any?) -> [Double]? {
        var value = (geometry as? [String: Any])?["coordinates"]
        while let list = value as? [Any], let head = list.first {
            if let x = (head as? NSNumber)?.doubleValue, list.count >= 2, let y = (list[1] as? NSNumber)?.doubleValue {
                return [x, y]
            }
            value = head
        }
        return nil
    }

    @Test func withoutLeafletThePageAnswers503NamingThePackageAndTheAPIStillRuns() async throws {
        var fixture = try ServeFixture(label: "map-no-leaflet")
        fixture.options.leaflet = URL(fileURLWithPath: "/nonexistent/leaflet")
        try await fixture.withServer { client in
            let (status, type, body) = try await Self.get(client, "/")
            #expect(status == 503)
            #expect(type.hasPrefix("text/html"))
            let text = String(decoding: body, as: UTF8.self)
            #expect(text.contains("libjs-leaflet"))
            #expect(text.contains("/nonexistent/leaflet/leaflet.js"))
            let (js, _, _) = try await Self.get(client, "/static/leaflet/leaflet.js")
            #expect(js == 503)
            let selection = try await client.call(.post, "/v1/selections", as: "gis", json: circle(ServeFixture.centre, 350))
            #expect(selection.body["participants"] as? Int == 3)
        }
    }
}

/// The layers' CRS handling, on small files made here.
@Suite struct MapLayerTests {
    static func square(_ crs: String?, x: Double, y: Double, d: Double) -> Data {
        let member = crs.map { #""crs": {"type": "name", "properties": {"name": "\#($0)"}}, "# } ?? ""
        let ring = [[x - d, y - d], [x + d, y - d], [x + d, y + d], [x - d, y + d], [x - d, y - d]]
        return Data(
            #"{"type": "FeatureCollection", \#(member)"features": [{"type": "Feature", "properties": {"code": "GM0001", "name": "Test", "phone": "+31612345678"}, "geometry": {"type": "Polygon", "coordinates": [\#(ring)]}}]}"#
                .utf8)
    }

    @Test func anRDNewLayerIsTransformedToLongitudeAndLatitude() throws {
        // The Amersfoort reference point: RD (155000, 463000) is 52.15517440 N, 5.38720621 E
        // (RDNAPTRANS2018's published origin).
        let layer = try MapLayer.parse(
            Self.square("urn:ogc:def:crs:EPSG::28992", x: 155_000, y: 463_000, d: 100), name: "t", file: "t.geojson",
            keep: ["code", "name"], converter: { try CoordinateConverter() })
        let root = try #require(try JSONSerialization.jsonObject(with: Data(layer.geojson)) as? [String: Any])
        let feature = try #require((root["features"] as? [[String: Any]])?.first)
        let p = try #require(MapPageTests.firstPosition(feature["geometry"]))
        // 100 m south-west of the origin: about 0.00147° of longitude and 0.0009° of latitude off.
        #expect(abs(p[0] - (5.387_206_21 - 100 / (111_320 * cos(52.155 * .pi / 180)))) < 2e-5)
        #expect(abs(p[1] - (52.155_174_40 - 100 / 111_250)) < 2e-5)
        // Only the kept properties: no phone number leaves the file.
        #expect(feature["properties"] as? [String: String] == ["code": "GM0001", "name": "Test"])
    }

    @Test func aProjectedFileWithoutACRSMemberIsRefusedNamingRDNew() throws {
        #expect {
            try MapLayer.parse(
                Self.square(nil, x: 155_000, y: 463_000, d: 100), name: "t", file: "t.geojson", keep: [],
                converter: { try CoordinateConverter() })
        } throws: { error in
            let text = "\(error)"
            return text.contains("t.geojson") && text.contains("EPSG:28992")
        }
    }

    @Test func aLayerInAnotherCRSIsRefused() throws {
        #expect(throws: ServeError.self) {
            try MapLayer.parse(
                Self.square("EPSG:3857", x: 600_000, y: 6_800_000, d: 100), name: "t", file: "t.geojson", keep: [],
                converter: { try CoordinateConverter() })
        }
    }
}
