import Crypto
import Foundation
import Geo
import Testing
import TestSupport

@testable import Participants
@testable import ProviderAdapters

/// Push subscriptions in the registry: checked when stored (errors name the field, never the
/// value), one per person, removed only while still the same endpoint, and apart from the
/// participants (the generation does not move).
@Suite struct WebPushSubscriptionTests {
    static func registry(_ n: Int64, in dir: URL) throws -> Registry {
        let registry = try Registry.open(at: dir.appendingPathComponent("registry.sqlite").path)
        _ = try registry.upsert(
            try (1...n).map { i in
                try ParticipantRecord(
                    id: i, position: SourcePoint(x: 4.89 + Double(i) * 1e-5, y: 52.37, crs: .wgs84), country: .nl)
            })
        return registry
    }

    /// A browser's subscription keys: a real P-256 public key and a 16-byte secret.
    static func keys() -> (p256dh: String, auth: String) {
        let key = P256.KeyAgreement.PrivateKey()
        return (
            Base64URL.encode(Array(key.publicKey.x963Representation)),
            Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        )
    }

    @Test func aSubscriptionIsStoredReadReplacedAndRemovedWithoutMovingTheGeneration() throws {
        let dir = try Fixtures.temporaryDirectory("webpush-registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Self.registry(3, in: dir)
        let generation = try registry.generation()
        let (p256dh, auth) = Self.keys()
        #expect(try registry.pushSubscription(person: 2) == nil)
        try registry.setPushSubscription(
            person: 2, endpoint: "https://push.example.net/wpush/v2/abc", p256dh: p256dh + "=", auth: auth + "==")
        let stored = try #require(try registry.pushSubscription(person: 2))
        #expect(stored.endpoint == "https://push.example.net/wpush/v2/abc")
        #expect(stored.p256dh == p256dh && stored.auth == auth)  // kept without padding
        #expect(stored.p256dhBytes.count == 65 && stored.authBytes.count == 16)
        let created = try #require(stored.createdAt)
        #expect(abs(created.timeIntervalSinceNow) < 60)
        // A new subscription replaces the old one; created stays, updated moves.
        let (p2, a2) = Self.keys()
        Thread.sleep(forTimeInterval: 0.01)
        try registry.setPushSubscription(person: 2, endpoint: "https://push.example.net/wpush/v2/new", p256dh: p2, auth: a2)
        let replaced = try #require(try registry.pushSubscription(person: 2))
        #expect(replaced.endpoint.hasSuffix("/new") && replaced.p256dh == p2)
        #expect(replaced.createdAt == created)
        #expect(try #require(replaced.updatedAt) > created)
        #expect(try registry.pushSubscriptionCount() == 1)
        // A 410 for the old endpoint does not remove the new subscription.
        #expect(try !registry.removePushSubscription(person: 2, endpoint: "https://push.example.net/wpush/v2/abc"))
        #expect(try registry.pushSubscription(person: 2) != nil)
        #expect(try registry.removePushSubscription(person: 2, endpoint: "https://push.example.net/wpush/v2/new"))
        #expect(try registry.pushSubscription(person: 2) == nil)
        #expect(try !registry.removePushSubscription(person: 2))
        #expect(try registry.generation() == generation)
        // Reopened: still there (a migration of this file, not an in-memory table).
        try registry.setPushSubscription(person: 3, endpoint: "http://127.0.0.1:9/push/t", p256dh: p2, auth: a2)
        let again = try Registry.open(at: registry.path, readOnly: true)
        #expect(try again.pushSubscription(person: 3)?.endpoint == "http://127.0.0.1:9/push/t")
    }

    @Test func aBadSubscriptionIsRefusedNamingTheFieldNeverTheValue() throws {
        let dir = try Fixtures.temporaryDirectory("webpush-registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Self.registry(1, in: dir)
        let (p256dh, auth) = Self.keys()
        var offCurve = try #require(Base64URL.decode(p256dh))
        offCurve[64] ^= 1  // y changed: 65 bytes, 0x04, not on P-256
        let cases: [(String, String, String, String)] = [
            ("http://push.example.net/x", p256dh, auth, "endpoint"),
            ("ftp://push.example.net/x", p256dh, auth, "endpoint"),
            ("https://user:hunter2pw@push.example.net/x", p256dh, auth, "endpoint"),
            ("push.example.net/x", p256dh, auth, "endpoint"),
            ("https://push.example.net/x", "not base64!", auth, "p256dh"),
            ("https://push.example.net/x", Base64URL.encode([4] + [UInt8](repeating: 1, count: 32)), auth, "p256dh"),
            ("https://push.example.net/x", Base64URL.encode(offCurve), auth, "p256dh"),
            ("https://push.example.net/x", p256dh, Base64URL.encode([UInt8](repeating: 7, count: 15)), "auth"),
        ]
        for (endpoint, key, secret, field) in cases {
            do {
                try registry.setPushSubscription(person: 1, endpoint: endpoint, p256dh: key, auth: secret)
                Issue.record("accepted a bad \(field)")
            } catch let e as RegistryError {
                #expect(e.code == .input && e.field == field, "\(e)")
                #expect(e.message.contains("'\(field)'"))
                #expect(!e.message.contains(key) && !e.message.contains("hunter2pw") && !e.message.contains("example"))
            }
        }
        #expect(throws: RegistryError.self) {
            try registry.setPushSubscription(person: 99, endpoint: "https://push.example.net/x", p256dh: p256dh, auth: auth)
        }
        #expect(try registry.pushSubscriptionCount() == 0)
    }

    @Test func theCurveCheckAgreesWithSwiftCryptoOnRandomPoints() throws {
        for _ in 0..<50 {
            let point = Array(P256.KeyAgreement.PrivateKey().publicKey.x963Representation)
            #expect(P256Point.isOnCurve(uncompressed: point))
            var moved = point
            moved[Int.random(in: 1..<65)] ^= UInt8.random(in: 1...255)
            let crypto = (try? P256.KeyAgreement.PublicKey(x963Representation: moved)) != nil
            #expect(P256Point.isOnCurve(uncompressed: moved) == crypto)
        }
    }
}
