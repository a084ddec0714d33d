import FanOut
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Logging
import Participants
import TestSupport
import Testing

/// A registry for the service's tests, its tokens (one per role, and a dispatcher limited to the
/// municipality of Utrecht) and the running application.
///
/// The participants lie due north of ``centre`` at 100 m, 200 m, … 3,000 m (one each, ids 1…30),
/// and 20 more in Amsterdam (ids 101…120), so that the count inside a circle round the centre is
/// known without the engine: every participant at k·100 m with k·100 < radius (the radii the
/// tests use are 50 m away from every participant).
struct ServeFixture {
    /// Dom tower, Utrecht.
    static let centre = LonLat(lon: 5.1214, lat: 52.0908)
    /// Dam square, Amsterdam (outside the Utrecht dispatcher's region).
    static let amsterdam = LonLat(lon: 4.8930, lat: 52.3731)
    /// Token values by role name; "utrecht" is a dispatcher limited to Utrecht.
    static let tokens: [String: String] = [
        "dispatcher": "t-dispatcher-0123456789", "gis": "t-gis-0123456789", "auditor": "t-auditor-0123456789",
        "registrar": "t-registrar-0123456789", "utrecht": "t-utrecht-0123456789",
    ]

    let database: String
    var options: ServeOptions

    init(label: String = "serve", limits: ServeConfiguration.Limits = ServeConfiguration.Limits(), dispatch: DispatchConfig = DispatchConfig()) throws {
        let dir = try Fixtures.temporaryDirectory(label)
        database = dir.appendingPathComponent("registry.sqlite").path
        let registry = try Registry.open(at: database)
        var records: [ParticipantRecord] = []
        for k in 1...30 {
            records.append(
                try ParticipantRecord(
                    id: Int64(k), position: SourcePoint(x: Self.centre.lon, y: Self.north(of: Self.centre, meters: Double(k) * 100), crs: .wgs84),
                    fields: ["phone": "+316\(String(format: "%08d", 10_000_000 + k))"]))
        }
        for k in 1...20 {
            records.append(
                try ParticipantRecord(
                    id: Int64(100 + k), position: SourcePoint(x: Self.amsterdam.lon, y: Self.north(of: Self.amsterdam, meters: Double(k) * 100), crs: .wgs84),
                    fields: ["phone": "+316\(String(format: "%08d", 20_000_000 + k))"]))
        }
        _ = try registry.upsert(records)
        var tokens: [ServeConfiguration.Token] = []
        for role in Role.allCases {
            tokens.append(.init(subject: "test-\(role.rawValue)", role: role, sha256: ServeConfiguration.hash(token: Self.tokens[role.rawValue]!)))
        }
        tokens.append(
            .init(
                subject: "test-utrecht", role: .dispatcher, sha256: ServeConfiguration.hash(token: Self.tokens["utrecht"]!),
                region: .municipalities(["Utrecht"])))
        options = ServeOptions(
            database: database, port: 0, configuration: ServeConfiguration(tokens: tokens, limits: limits), dispatch: dispatch,
            simulation: .ideal(), engines: 2)
    }

    /// The latitude `meters` due north of `p` on the WGS84 ellipsoid (meridian radius of curvature
    /// at the point's latitude; good to centimetres over 3 km).
    static func north(of p: LonLat, meters: Double) -> Double {
        let a = 6_378_137.0
        let e2 = 0.006_694_379_990_14
        let phi = p.lat * .pi / 180
        let m = a * (1 - e2) / pow(1 - e2 * sin(phi) * sin(phi), 1.5)
        return p.lat + meters / m * 180 / .pi
    }

    /// Runs `body` against the live application once `/readyz` answers 200.
    func withServer<T: Sendable>(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> T) async throws -> T {
        let app = try FanoutService.application(options, logger: Logger(label: "test.serve"))
        return try await app.test(.live) { client in
            try await Self.waitReady(client)
            return try await body(client)
        }
    }

    static func waitReady(_ client: any TestClientProtocol) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let status = try await client.execute(uri: "/readyz", method: .get) { $0.status }
            if status == .ok { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the service did not become ready within 60 s")
    }
}

extension TestClientProtocol {
    /// Sends a request with a role's token (`nil`: none) and a JSON body.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, as role: String?, json body: String? = nil
    ) async throws -> Answer {
        var headers: HTTPFields = [:]
        if let role { headers[.authorization] = "Bearer \(ServeFixture.tokens[role] ?? role)" }
        if body != nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            let data = Data(response.body.readableBytesView)
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return Answer(
                status: Int(response.status.code), body: object,
                requestID: response.headers[HTTPFields.Element.Name("X-Request-Id")!])
        }
    }
}

/// The body of a circle round `p`.
func circle(_ p: LonLat, _ radius: Double, _ extra: String = "") -> String {
    #"{"circle": {"lon": \#(p.lon), "lat": \#(p.lat), "radius_m": \#(radius)}\#(extra)}"#
}

/// A response's status and its JSON object (empty when the body is not one).
struct Answer: @unchecked Sendable {
    // @unchecked: `body` is an immutable tree of Foundation values parsed once and only read.
    var status: Int
    var body: [String: Any]
    /// The response's `X-Request-Id`.
    var requestID: String? = nil
}
