import FanoutServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// Who may call which route: every role on every `/v1` route, without a token and with an unknown
/// one. Allowed calls must get past authorization (their status is neither 401 nor 403); refused
/// ones get exactly 403 (a role without the permission) or 401 (no or an unknown token).
@Suite struct AuthorizationMatrixTests {
    struct Route: Sendable, CustomStringConvertible {
        var method: HTTPRequest.Method
        var path: String
        var body: String?
        var allowed: Set<String>
        var description: String { "\(method) \(path)" }
    }

    static let action = circle(ServeFixture.centre, 150, #", "incident_type": "burglary", "texts": {"nl": "Inbraak"}"#)
    static let routes: [Route] = [
        Route(method: .post, path: "/v1/selections", body: circle(ServeFixture.centre, 150), allowed: ["dispatcher", "gis"]),
        Route(method: .get, path: "/v1/actions", allowed: ["dispatcher", "gis", "auditor"]),
        Route(method: .get, path: "/v1/actions/1", allowed: ["dispatcher", "gis", "auditor"]),
        Route(method: .get, path: "/v1/actions/1/participants/1", allowed: ["dispatcher", "auditor"]),
        Route(method: .post, path: "/v1/actions/1/enlarge", body: circle(ServeFixture.centre, 250), allowed: ["dispatcher"]),
        Route(method: .put, path: "/v1/participants/900", body: #"{"lon": 5.12, "lat": 52.09}"#, allowed: ["registrar"]),
        Route(method: .delete, path: "/v1/participants/900", allowed: ["registrar"]),
        Route(method: .post, path: "/v1/actions/1/stop", allowed: ["dispatcher"]),
        Route(method: .post, path: "/v1/actions/1/end", body: #"{"result": "Gevonden"}"#, allowed: ["dispatcher"]),
        Route(method: .get, path: "/v1/actions/1/events", allowed: ["dispatcher", "gis", "auditor"]),  // ended: the stream ends
        Route(method: .post, path: "/v1/actions", body: action, allowed: ["dispatcher"]),
        Route(method: .get, path: "/v1/audit", allowed: ["dispatcher", "auditor"]),
    ]

    @Test func everyRoleOnEveryRoute() async throws {
        let fixture = try ServeFixture(label: "matrix")
        let matrix = try await fixture.withServer { client in
            // Action 1 exists for the routes on it.
            let started = try await client.call(.post, "/v1/actions", as: "dispatcher", json: Self.action)
            #expect(started.status == 201)
            var rows: [(String, String, Int)] = []
            for route in Self.routes {
                for role in ["dispatcher", "gis", "auditor", "registrar", nil, "not-a-token"] as [String?] {
                    let answer = try await client.call(route.method, route.path, as: role, json: route.body)
                    rows.append((route.description, role ?? "none", answer.status))
                    switch role {
                    case nil, "not-a-token"?:
                        #expect(answer.status == 401, "\(route) as \(role ?? "none")")
                        #expect(answer.body["code"] as? String == "serve.unauthorized")
                    case let role? where route.allowed.contains(role):
                        #expect(answer.status != 401 && answer.status != 403, "\(route) as \(role): \(answer.body)")
                        #expect(answer.status < 500, "\(route) as \(role): \(answer.body)")
                    case let role?:
                        #expect(answer.status == 403, "\(route) as \(role)")
                        #expect(answer.body["code"] as? String == "serve.forbidden")
                    }
                }
            }
            return rows.map { "\($0.0) \($0.1) \($0.2)" }
        }
        #expect(matrix.count == Self.routes.count * 6)
    }
}
