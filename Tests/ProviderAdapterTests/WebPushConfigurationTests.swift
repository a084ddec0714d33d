@testable import ChannelAdapters
import Crypto
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// The `"webpush"` object of a dispatcher configuration: every key read and checked, unknown keys
/// and bad values refused naming the file and the key, the private key never shown.
@Suite struct WebPushConfigurationTests {
    static let keyBytes = Array(P256.Signing.PrivateKey().rawRepresentation)
    static var key: P256.Signing.PrivateKey {
        get throws { try P256.Signing.PrivateKey(rawRepresentation: keyBytes) }
    }
    static var rawKey: String { Base64URL.encode(keyBytes) }

    static func parse(_ webpush: String, privateKey: String? = nil) throws -> WebPushConfiguration? {
        try WebPushConfiguration.parse(
            dispatchConfig: Data(#"{"app": {"perSecond": 500}, "webpush": \#(webpush)}"#.utf8), source: "dispatch.json",
            privateKey: privateKey)
    }

    @Test func everyKeyIsRead() throws {
        let ca = try Fixtures.temporaryDirectory("webpush-config").appendingPathComponent("ca.pem")
        try Data("-----BEGIN CERTIFICATE-----\n".utf8).write(to: ca)
        let c = try #require(
            try Self.parse(
                """
                {"vapidSubject": "mailto:ops@burgernet.example", "vapidPrivateKey": "\(Self.rawKey)",
                 "vapidExpirySeconds": 3600, "ttlSeconds": 600, "urgency": {"low": "very-low", "critical": "high"},
                 "defaultUrgency": "high", "endUrgency": "low", "topic": false, "maxAreaVertices": 20, "workers": 8,
                 "queueCapacity": 500, "requestTimeoutSeconds": 2.5, "connectTimeoutSeconds": 1.5, "trustedCAFile": "\(ca.path)",
                 "maxRetryAfterSeconds": 60}
                """))
        #expect(c.subject == "mailto:ops@burgernet.example")
        #expect(c.privateKeyBytes == Self.keyBytes)
        #expect(c.tokenLifetime == .seconds(3600) && c.ttlSeconds == 600)
        #expect(c.urgency == [.low: .veryLow, .normal: .normal, .high: .high, .critical: .high])
        #expect(c.defaultUrgency == .high && c.endUrgency == .low && !c.topic)
        #expect(c.maxAreaVertices == 20 && c.workers == 8 && c.queueCapacity == 500)
        #expect(c.connectTimeout == .milliseconds(1500))
        #expect(c.requestTimeout == .milliseconds(2500) && c.trustedCAFile == ca.path && c.maxRetryAfter == .seconds(60))
    }

    @Test func theKeyComesFromTheEnvironmentAsPEMOrRawAndIsNeverShown() throws {
        let pem = try Self.key.pemRepresentation
        let c = try #require(try Self.parse(#"{"vapidSubject": "https://burgernet.example/contact"}"#, privateKey: pem))
        let publicKey = Base64URL.encode(Array(try Self.key.publicKey.x963Representation))
        #expect(c.publicKeyBase64URL == publicKey)
        var dumped = ""
        dump(c, to: &dumped)
        for shown in ["\(c)", String(reflecting: c), dumped] {
            #expect(!shown.contains(Self.rawKey) && !shown.contains("BEGIN"))
        }
        #expect(try WebPushConfiguration.parse(dispatchConfig: Data(#"{"app": {}}"#.utf8), source: "d.json") == nil)
    }

    @Test(arguments: [
        (#"{"vapidSubject": "mailto:a@b.example", "color": 1}"#, "'webpush.color' is not a Web Push configuration key"),
        (#"{"vapidPrivateKey": "KEY"}"#, "'webpush.vapidSubject' is missing"),
        (#"{"vapidSubject": "ops@b.example"}"#, "'webpush.vapidSubject' must be a mailto: or https: URL"),
        (#"{"vapidSubject": "mailto:a@b.example"}"#, "'webpush.vapidPrivateKey' is missing (or set FANOUT_VAPID_PRIVATE_KEY)"),
        (#"{"vapidSubject": "mailto:a@b.example", "vapidPrivateKey": "c2hvcnQ"}"#, "'webpush.vapidPrivateKey' is not usable"),
        (#"{"vapidSubject": "mailto:a@b.example", "ttlSeconds": -1}"#, "'webpush.ttlSeconds' must be a whole number"),
        (#"{"vapidSubject": "mailto:a@b.example", "ttlSeconds": "1h"}"#, "'webpush.ttlSeconds' must be a whole number of seconds"),
        (#"{"vapidSubject": "mailto:a@b.example", "topic": 1}"#, "'webpush.topic' must be true or false"),
        (#"{"vapidSubject": "mailto:a@b.example", "workers": 0}"#, "'webpush.workers' must be a whole number 1 to 256"),
        (#"{"vapidSubject": "mailto:a@b.example", "vapidExpirySeconds": 90000}"#, "'webpush.vapidExpirySeconds' must be"),
        (#"{"vapidSubject": "mailto:a@b.example", "urgency": {"urgent": "high"}}"#, "'webpush.urgency.urgent' is not an action urgency"),
        (#"{"vapidSubject": "mailto:a@b.example", "urgency": {"high": "max"}}"#, "'webpush.urgency.high' must be very-low"),
        (#"{"vapidSubject": "mailto:a@b.example", "endUrgency": "now"}"#, "'webpush.endUrgency' must be very-low"),
        (#"{"vapidSubject": "mailto:a@b.example", "trustedCAFile": "/no/such/ca.pem"}"#, "'webpush.trustedCAFile' names a file that cannot be read"),
        (#"[1]"#, "'webpush' must be an object"),
    ])
    func badValuesAreRefusedNamingFileAndKey(webpush: String, expected: String) throws {
        let key = webpush.contains("KEY") || expected.contains("vapidPrivateKey' is missing") ? nil : Self.rawKey
        do {
            _ = try Self.parse(webpush.replacingOccurrences(of: "KEY", with: Self.rawKey), privateKey: key)
            Issue.record("accepted \(webpush)")
        } catch let e as ProviderAdapterError {
            #expect(e.code == .invalidConfiguration)
            #expect(e.message.hasPrefix("dispatch.json: "), "\(e.message)")
            #expect(e.message.contains(expected), "\(e.message)")
            #expect(!e.message.contains(Self.rawKey))
        }
    }

    @Test func theDispatcherConfigurationAcceptsTheWebPushObject() throws {
        let dir = try Fixtures.temporaryDirectory("webpush-config")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("dispatch.json")
        try Data(
            #"{"app": {"perSecond": 500}, "webpush": {"vapidSubject": "mailto:a@b.example", "ttlSeconds": 60}}"#.utf8
        ).write(to: file)
        let limits = try DispatchConfig.load(from: file)
        #expect(limits.app.perSecond == 500)
        let c = try #require(try WebPushConfiguration.load(fromDispatchConfig: file, privateKey: Self.rawKey))
        #expect(c.ttlSeconds == 60)
    }
}
