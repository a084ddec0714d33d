import FanOut
import FanoutServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
import TestSupport

/// The public feeds on a live service (`public_feed` in serve.json): nothing before the
/// dispatcher's release through the API; then the Atom and RSS feeds read by feedparser, and the
/// action's CAP message signed with the configured key and verified by xmlsec1; a withdrawal takes
/// it out; an ETag answers 304; without `public_feed` the routes are 404.
@Suite struct ServePublicFeedTests {
    static var ready: Bool {
        ["python3", "xmlsec1", "openssl"].allSatisfy(ExternalTool.has)
    }

    static func entries(_ feed: String) async throws -> [String] {
        let dir = try Fixtures.temporaryDirectory("feed-read")
        let file = dir.appendingPathComponent("feed.xml")
        try feed.write(to: file, atomically: true, encoding: .utf8)
        let script = """
            import feedparser, json, sys
            d = feedparser.parse(sys.argv[1])
            assert not d.bozo, d.get("bozo_exception")
            print(json.dumps([e.get("id", "") for e in d.entries]))
            """
        let r = try await ExternalTool.run("python3", ["-c", script, file.path])
        #expect(r.status == 0, "\(r.stderr)")
        return (try? JSONDecoder().decode([String].self, from: Data(r.stdout.utf8))) ?? ["unreadable: \(r.stderr)"]
    }

    @Test(.enabled(if: ready, "needs python3 with feedparser, xmlsec1 and openssl (tools/test.sh installs them)"))
    func releasedActionsAreServedAndTheirCAPIsSignedVerifiably() async throws {
        var fixture = try ServeFixture(label: "public-feed")
        let dir = URL(fileURLWithPath: fixture.database).deletingLastPathComponent()
        let key = dir.appendingPathComponent("key.pem").path
        let pub = dir.appendingPathComponent("key.pub").path
        #expect(try await ExternalTool.run("openssl", ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key]).status == 0)
        #expect(try await ExternalTool.run("openssl", ["ec", "-in", key, "-pubout", "-out", pub]).status == 0)
        var settings = ServeConfiguration.PublicFeedSettings(baseURL: "https://example.org/public")
        settings.signingKeyPath = key
        fixture.options.configuration.publicFeed = settings
        let signedFile = dir.appendingPathComponent("served.cap").path
        try await fixture.withServer { client in
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher",
                json: circle(ServeFixture.centre, 800, #", "incident_type": "missing-child", "texts": {"nl": "Vermist: jongen"}"#))
            #expect(started.status == 201, "\(started.body)")
            let id = try #require(started.body["id"] as? Int)
            func get(_ uri: String, _ headers: HTTPFields = [:]) async throws -> (Int, String, String?) {
                try await client.execute(uri: uri, method: .get, headers: headers) {
                    (Int($0.status.code), String(buffer: $0.body), $0.headers[.eTag])
                }
            }
            #expect(try await Self.entries(try await get("/public/actions.atom").1).isEmpty)
            #expect(try await get("/public/actions/\(id).cap").0 == 404)
            // Only a dispatcher releases; a bad photo link is refused naming the field.
            #expect(try await client.call(.post, "/v1/actions/\(id)/publication", as: "gis", json: "{}").status == 403)
            let bad = try await client.call(
                .post, "/v1/actions/\(id)/publication", as: "dispatcher", json: #"{"photo_url": "ftp://x"}"#)
            #expect(bad.status == 422 || bad.status == 400, "\(bad.body)")
            let released = try await client.call(
                .post, "/v1/actions/\(id)/publication", as: "dispatcher",
                json: #"{"photo_url": "https://example.org/p/boy.jpg"}"#)
            #expect(released.status == 200 && released.body["released"] as? Bool == true, "\(released.body)")

            #expect(try await Self.entries(try await get("/public/actions.atom").1) == ["https://example.org/public/actions/\(id)"])
            #expect(try await Self.entries(try await get("/public/actions.rss").1) == ["fanout-public-\(id)-v1"])
            let cap = try await get("/public/actions/\(id).cap")
            #expect(cap.0 == 200 && cap.1.contains("<Signature xmlns=\"http://www.w3.org/2000/09/xmldsig#\">"))
            try cap.1.write(toFile: signedFile, atomically: true, encoding: .utf8)
            let verified = try await ExternalTool.run("xmlsec1", ["--verify", "--pubkey-pem", pub, signedFile])
            #expect(verified.status == 0, "\(verified.stderr)")
            let again = try await get("/public/actions/\(id).cap", [.ifNoneMatch: cap.2 ?? ""])
            #expect(again.0 == 304)

            let withdrawn = try await client.call(
                .post, "/v1/actions/\(id)/publication", as: "dispatcher", json: #"{"withdraw": true}"#)
            #expect(withdrawn.status == 200 && withdrawn.body["released"] as? Bool == false, "\(withdrawn.body)")
            #expect(try await Self.entries(try await get("/public/actions.rss").1).isEmpty)
            #expect(try await get("/public/actions/\(id).cap").0 == 404)
        }
    }

    @Test func withoutAPublicFeedTheRoutesAreNotFound() async throws {
        let fixture = try ServeFixture(label: "no-public-feed")
        try await fixture.withServer { client in
            for uri in ["/public/actions.atom", "/public/actions.rss", "/public/actions/1.cap"] {
                let status = try await client.execute(uri: uri, method: .get) { Int($0.status.code) }
                #expect(status == 404, "\(uri)")
            }
        }
    }

    @Test func aBadPublicFeedObjectIsRefusedNamingTheKey() throws {
        let cases: [(String, String)] = [
            (#"{"base_url": "ftp://x"}"#, "public_feed.base_url"),
            (#"{"title": "t"}"#, "public_feed.base_url"),
            (#"{"base_url": "https://e.org", "colour": 1}"#, "public_feed.colour"),
            (#"[]"#, "public_feed: expected an object"),
        ]
        for (object, message) in cases {
            let text = #"{"tokens": [], "public_feed": \#(object)}"#
            #expect {
                _ = try ServeConfiguration.parse(Data(text.utf8), source: "serve.json")
            } throws: { error in
                "\(error)".contains("serve.json: \(message)")
            }
        }
    }
}
