import FanoutServer
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The served API and its OpenAPI document agree: every declared operation is served (it answers
/// 401 without a token, or its probe answer), an undeclared method on a declared path is 405 with
/// `Allow`, and `/openapi.json` is the document in the repository.
@Suite struct OpenAPIRoutesTests {
    static let document = Fixtures.packageRoot.appendingPathComponent("Sources/FanoutServer/Resources/openapi.json")

    @Test func everyDeclaredOperationIsServed() async throws {
        let data = try Data(contentsOf: Self.document)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let declared = try #require(root["paths"] as? [String: [String: Any]])
        // Path → its methods, lower-case (Sendable for the server's closure).
        let paths: [String: Set<String>] = declared.mapValues { Set($0.keys) }
        #expect(root["openapi"] as? String == "3.1.0")
        #expect(paths.count >= 13)
        var fixture = try ServeFixture(label: "openapi")
        fixture.options.configuration.publicFeed = .init(baseURL: "https://example.org/public")
        try await fixture.withServer { client in
            for (path, operations) in paths.sorted(by: { $0.key < $1.key }) {
                // A real value for every path parameter (a file the page or Leaflet has, a layer).
                let examples = [
                    "/static/map/{file}": "/static/map/app.js", "/static/leaflet/{file}": "/static/leaflet/leaflet.js",
                    "/static/leaflet/images/{file}": "/static/leaflet/images/layers.png", "/layers/{name}": "/layers/borders",
                    "/reply/{token}": "/reply/not-a-token-of-this-service",
                    "/public/actions/{file}": "/public/actions/1.cap",
                ]
                let concrete = examples[path]
                    ?? path.replacingOccurrences(of: "{id}", with: "1").replacingOccurrences(of: "{pid}", with: "1")
                #expect(!concrete.contains("{"), "no example value for \(path)")
                for method in operations.sorted() {
                    let m = HTTPRequest.Method(rawValue: method.uppercased())!
                    let status = try await client.call(m, concrete, as: nil, json: m == .get || m == .delete ? nil : "{}").status
                    if path.hasPrefix("/v1/") {
                        #expect(status == 401, "\(method) \(path) answered \(status), not 401 without a token")
                    } else if path == "/reply/{token}" {
                        #expect(status == 404, "\(method) \(path) answered \(status) for a link it never made")
                    } else if path == "/public/actions/{file}" {
                        #expect(status == 404, "\(method) \(path) answered \(status) for an action never released")
                    } else {
                        #expect(status == 200, "\(method) \(path) answered \(status)")
                    }
                }
                if !operations.contains("get") || !operations.contains("delete") {
                    let undeclared: HTTPRequest.Method = operations.contains("get") ? .delete : .get
                    let (status, allow) = try await client.execute(uri: concrete, method: undeclared) {
                        (Int($0.status.code), $0.headers[.allow])
                    }
                    #expect(status == 405, "\(undeclared) \(path)")
                    #expect(allow == operations.map { $0.uppercased() }.sorted().joined(separator: ", "))
                }
            }
            let served = try await client.execute(uri: "/openapi.json", method: .get) { Data($0.body.readableBytesView) }
            #expect(served == data)
        }
    }
}
