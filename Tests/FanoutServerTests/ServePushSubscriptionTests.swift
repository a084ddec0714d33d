import Crypto
import FanoutServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Participants
import Testing

/// `PUT`/`DELETE /v1/participants/{pid}/push-subscription` on a live service: the browser's
/// subscription is stored (padding taken), replaced, removed; bad keys, endpoints and fields are
/// 422 naming the field and never quoting the value; an unknown participant is 404; only the
/// registrar may do it. Checked against the registry itself.
@Suite struct ServePushSubscriptionTests {
    static func keys() -> (p256dh: String, auth: String) {
        let key = P256.KeyAgreement.PrivateKey()
        let auth = (0..<16).map { _ in UInt8.random(in: 0...255) }
        return (Base64URL.encode(Array(key.publicKey.x963Representation)), Base64URL.encode(auth))
    }

    static func body(_ endpoint: String, _ p256dh: String, _ auth: String, extra: String = "") -> String {
        #"{"endpoint": "\#(endpoint)", "keys": {"p256dh": "\#(p256dh)", "auth": "\#(auth)"}\#(extra)}"#
    }

    @Test func aSubscriptionIsStoredReplacedAndRemovedAndBadOnesAreRefused() async throws {
        let fixture = try ServeFixture(label: "push-subscription")
        let db = fixture.database
        let (p, a) = Self.keys()
        try await fixture.withServer { client in
            let uri = "/v1/participants/7/push-subscription"
            let stored = try await client.call(
                .put, uri, as: "registrar", json: Self.body("https://push.example/p7", p, a + "==", extra: #", "expirationTime": null"#))
            #expect(stored.status == 200, "\(stored.body)")
            #expect(try Registry.open(at: db, readOnly: true).pushSubscription(person: 7)?.endpoint == "https://push.example/p7")
            let (p2, a2) = Self.keys()
            #expect(try await client.call(.put, uri, as: "registrar", json: Self.body("https://push.example/new", p2, a2)).status == 200)
            let now = try Registry.open(at: db, readOnly: true).pushSubscription(person: 7)
            #expect(now?.endpoint == "https://push.example/new" && now?.p256dh == p2 && now?.auth == a2)

            let bad: [(String, String)] = [
                (Self.body("ftp://push.example/x", p, a), "endpoint"),
                (Self.body("http://push.example/x", p, a), "endpoint"),
                (Self.body("https://push.example/x", "AAAA", a), "keys.p256dh"),
                (Self.body("https://push.example/x", p, "AAAA"), "keys.auth"),
                (Self.body("https://push.example/x", p, a, extra: #", "colour": 1"#), "colour"),
                (Self.body("https://push.example/x", p, a, extra: #", "expirationTime": "soon""#), "expirationTime"),
                (#"{"endpoint": "https://push.example/x", "keys": [1]}"#, "keys"),
            ]
            for (json, field) in bad {
                let r = try await client.call(.put, uri, as: "registrar", json: json)
                #expect(r.status == 422 && r.body["field"] as? String == field, "\(json): \(r.status) \(r.body)")
                #expect(!"\(r.body)".contains("push.example"), "the endpoint is quoted: \(r.body)")
            }
            // Nothing bad was stored.
            #expect(try Registry.open(at: db, readOnly: true).pushSubscription(person: 7)?.endpoint == "https://push.example/new")
            #expect(try await client.call(.put, "/v1/participants/999/push-subscription", as: "registrar", json: Self.body("https://push.example/x", p, a)).status == 404)
            #expect(try await client.call(.put, uri, as: "dispatcher", json: Self.body("https://push.example/x", p, a)).status == 403)
            #expect(try await client.call(.delete, uri, as: "registrar").status == 204)
            #expect(try Registry.open(at: db, readOnly: true).pushSubscription(person: 7) == nil)
            #expect(try await client.call(.delete, uri, as: "registrar").status == 404)
        }
    }
}
