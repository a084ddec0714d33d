@testable import ChannelAdapters
import Crypto
@testable import FanOut
import Foundation
import Geo
import Participants
@testable import ProviderAdapters
import Synchronization
import TestSupport
import Testing

/// The Web Push adapter against a push service on loopback (`tools/push_service.py`) that checks
/// every push with independent implementations: py_vapid verifies the VAPID signature and claims,
/// http_ece decrypts the body with the subscriber's private key; the test reads what it decrypted.
///
/// Without python3's http_ece and py_vapid these tests are skipped on a developer machine and fail
/// in CI (`FANOUT_REQUIRE_PEERS=1`, set by `tools/test.sh`, which installs them).
@Suite(
    .serialized,
    .enabled(
        if: WebPushPeer.shouldRun, "python3 with http_ece, py_vapid, cryptography missing: pip install http_ece py_vapid"))
struct WebPushTests {
    static let dutch = "Burgernet: vermist meisje (8), rode jas, blond. Gezien? Tik op 'Gezien'. Één keer €5 beloning"
    static let polish = "Burgernet: zaginęła dziewczynka (8), czerwona kurtka."
    static let photo = "https://burgernet.example/foto/8812.jpg"
    static let polishLanguage = try? Language(parsing: "pl")

    /// A circle of 300 vertices around Amsterdam Centraal, 800 m across.
    static let area: [[Double]] = (0...300).map { i in
        let a = 2 * Double.pi * Double(i % 300) / 300
        return [4.9003 + 0.0072 * cos(a) / cos(52.3791 * .pi / 180), 52.3791 + 0.0072 * sin(a)]
    }

    static func registry(_ n: Int64, in dir: URL) throws -> Registry {
        let registry = try Registry.open(at: dir.appendingPathComponent("registry.sqlite").path)
        _ = try registry.upsert(
            try (1...n).map { i in
                try ParticipantRecord(
                    id: i, position: SourcePoint(x: 4.89 + Double(i) * 1e-5, y: 52.37, crs: .wgs84), country: .nl,
                    language: i % 4 == 0 ? polishLanguage : nil)
            })
        return registry
    }

    static func configuration(_ peer: WebPushPeer?, workers: Int = 16) throws -> WebPushConfiguration {
        try WebPushConfiguration(
            subject: "mailto:meldkamer@burgernet.example", privateKey: P256.Signing.PrivateKey(), ttlSeconds: 1800,
            workers: workers, requestTimeout: .seconds(20), connectTimeout: .seconds(1), trustedCAFile: peer?.caFile)
    }

    @Test func twoHundredPersonsArePushedAndThePushServiceDecryptsEveryOne() async throws {
        let peer = try await WebPushPeer(tls: true)
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("webpush-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 200
        let registry = try Self.registry(n, in: dir)
        let subscriptions = try peer.subscribe(tokens: (1...n).map { "p\($0)" })
        for (i, s) in zip(1...n, subscriptions) { try registry.setPushSubscription(person: i, s) }
        let log = CapturingLogHandler()
        var configuration = try Self.configuration(peer)
        let replySecret = Array("app-reply-secret-0123456789".utf8)
        configuration.replies = try .init(baseURL: "https://burgernet.example/reply/", secret: replySecret)
        let tokens = try MailReplyToken(secret: replySecret)
        let push = try WebPushProvider(
            configuration: configuration, registry: registry,
            actionInfo: { _ in WebPushActionInfo(urgency: .critical, area: [Self.area]) }, logger: log.logger())
        defer { push.shutdown() }
        let ledger = try Ledger.open(at: dir.appendingPathComponent("ledger.sqlite").path)
        let d = try Dispatcher(
            config: DispatchConfig(app: .init(perSecond: 1000, batchSize: 50)), providers: [:],
            deferredProviders: [.app: push], clock: SystemDispatchClock(), ledger: ledger)
        let driver = Task { try await d.run() }
        defer { driver.cancel() }

        let started = ContinuousClock.now
        let request = ActionRequest(
            incidentPoint: RDPoint(x: 121_000, y: 487_000), incidentType: "missing-child", urgency: .critical,
            message: Self.dutch, photoURL: Self.photo, channels: [.app], texts: ["pl": Self.polish])
        let recipients = (1...n).map { i in
            Recipient(id: i, distanceMeters: Double(n - i), channels: [.app], language: i % 4 == 0 ? Self.polishLanguage : nil)
        }
        let id = try d.start(request, recipients: recipients)
        let done = try await eventually { try d.status(id).alerts == [.delivered: Int(n)] }
        let elapsed = ContinuousClock.now - started
        let alerts = try d.status(id).alerts
        #expect(done, "status: \(alerts), webpush: \(push.statistics)")
        print("Web Push: \(n) pushes over HTTPS, 16 workers: all delivered after \(elapsed)")

        // The push service verified and decrypted exactly one push per person.
        let got = try peer.received()
        #expect(got.allSatisfy { $0.error == nil }, "\(got.compactMap(\.error).prefix(3))")
        #expect(got.count == Int(n))
        #expect(Set(got.map(\.token)) == Set((1...n).map { "p\($0)" }))
        for r in got {
            let person = try #require(Int64(r.token.dropFirst()))
            #expect(r.status == 201 && r.encoding == "aes128gcm" && r.ttl == "1800")
            #expect(r.urgency == "high")  // critical → high
            #expect(r.topic == "fanout-a\(id.rawValue)")
            #expect(r.k == push.applicationServerKey)
            #expect(r.claims["aud"] as? String == "https://127.0.0.1:\(peer.port)")
            #expect(r.claims["sub"] as? String == "mailto:meldkamer@burgernet.example")
            let exp = try #require(r.claims["exp"] as? Int)
            #expect(Double(exp) > Date().timeIntervalSince1970 + 3600 && Double(exp) <= Date().timeIntervalSince1970 + 86_400)
            #expect(r.bytes <= 4096)
            let p = r.payload
            #expect(p["text"] as? String == (person % 4 == 0 ? Self.polish : Self.dutch))
            #expect(p["key"] as? String == "\(id.rawValue)/\(person)/alert/1")
            #expect(p["action"] as? Int == Int(id.rawValue) && p["kind"] as? String == "alert")
            #expect(p["urgency"] as? String == "critical" && p["photo"] as? String == Self.photo)
            // The app's reply buttons: links whose tokens the service verifies as this person's
            // sighting and stop on the app channel.
            let replies = try #require(p["replies"] as? [String: String])
            #expect(Set(replies.keys) == ["sighting", "stop"])
            for (name, kind) in [("sighting", AnswerKind.sighting), ("stop", .stop)] {
                let link = try #require(replies[name])
                #expect(link.hasPrefix("https://burgernet.example/reply/"))
                let claims = tokens.claims(String(link.dropFirst("https://burgernet.example/reply/".count)))
                #expect(claims == MailReplyToken.Claims(action: id, person: person, kind: kind, channel: .app))
            }
            let area = try #require(p["area"] as? [[[Double]]])
            #expect(area.count == 1 && area[0].count >= 40 && area[0].count <= 49 && area[0].first == area[0].last)
            // Each vertex within a metre of the drawn circle.
            for v in area[0] {
                let dx = (v[0] - 4.9003) * cos(52.3791 * .pi / 180)
                #expect(abs(hypot(dx, v[1] - 52.3791) - 0.0072) < 0.00002)
            }
        }
        try d.flush()
        let entries = try ledger.messages(of: id)
        #expect(entries.count == Int(n) && entries.allSatisfy { $0.state == .delivered && $0.channel == .app })
        let stats = push.statistics
        #expect(stats.submitted == Int(n) && stats.accepted == Int(n) && stats.delivered == Int(n))
        #expect(stats.failed == 0 && stats.throttled == 0 && push.pending == 0)
        // No endpoint, key or text in the log.
        #expect(!log.lines.contains { $0.contains("/push/p") || $0.contains("Burgernet:") })
    }

    /// Submits `message` with a reporter attached to no dispatcher and waits until the adapter
    /// has a result for it (the counts move).
    static func send(_ push: WebPushProvider, person: Int64, attempt: Int = 1) async throws {
        let before = push.statistics
        let key = MessageKey(action: ActionID(rawValue: 9), person: person, kind: .alert)
        push.submit(OutboundMessage(key: key, channel: .app, text: dutch, attempt: attempt), at: .zero, reporter: DeliveryReporter())
        let moved = try await eventually(seconds: 30) {
            let s = push.statistics
            return s.delivered + s.failed + s.throttled > before.delivered + before.failed + before.throttled
        }
        #expect(moved, "no result for person \(person)")
    }

    @Test func eachAnswerOfThePushServiceIsMappedAndGoneSubscriptionsAreRemoved() async throws {
        let peer = try await WebPushPeer(tls: false)  // http on loopback is allowed
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("webpush-answers")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Self.registry(8, in: dir)
        let tokens: [Int64: String] = [1: "gone-1", 2: "missing-2", 3: "busy-3", 4: "big-4", 5: "down-5", 7: "ok-7"]
        for (person, token) in tokens { try registry.setPushSubscription(person: person, peer.subscribe(token: token)) }
        let closed = try KannelPeer.unusedPorts(1)[0]
        try registry.setPushSubscription(
            person: 8, endpoint: "http://127.0.0.1:\(closed)/push/x", p256dh: registry.pushSubscription(person: 7)?.p256dh ?? "",
            auth: registry.pushSubscription(person: 7)?.auth ?? "")
        let log = CapturingLogHandler()
        let push = try WebPushProvider(configuration: Self.configuration(nil), registry: registry, logger: log.logger())
        defer { push.shutdown() }

        try await Self.send(push, person: 7)
        #expect(push.statistics.delivered == 1)
        for person: Int64 in [1, 2] { try await Self.send(push, person: person) }
        #expect(push.statistics.failed == 2 && push.statistics.subscriptionsRemoved == 2)
        #expect(try registry.pushSubscription(person: 1) == nil && registry.pushSubscription(person: 2) == nil)
        try await Self.send(push, person: 4)  // 413
        #expect(push.statistics.failed == 3 && push.statistics.subscriptionsRemoved == 2)
        try await Self.send(push, person: 6)  // no subscription
        #expect(push.statistics.failed == 4 && push.statistics.noSubscription == 1)
        try await Self.send(push, person: 5)  // 503 without Retry-After
        #expect(push.statistics.throttled == 1)
        try await Self.send(push, person: 8)  // nobody listening
        #expect(push.statistics.throttled == 2)
        #expect(try registry.pushSubscription(person: 8) != nil)

        // 429 with Retry-After: 2: the push service's origin is held for 2 s, then pushed to again.
        try await Self.send(push, person: 3)
        #expect(push.statistics.throttled == 3)
        let sentBefore = try peer.received().count
        try await Self.send(push, person: 7, attempt: 2)
        #expect(push.statistics.throttled == 4 && push.statistics.heldByRetryAfter == 1)
        #expect(try peer.received().count == sentBefore)  // not sent at all
        try await Task.sleep(for: .milliseconds(2200))
        try await Self.send(push, person: 7, attempt: 3)
        #expect(push.statistics.delivered == 2)

        let got = try peer.received()
        #expect(got.allSatisfy { $0.error == nil }, "\(got.compactMap(\.error).prefix(3))")
        #expect(got.map(\.status) == [201, 410, 404, 413, 503, 429, 201])
        #expect(got.allSatisfy { $0.claims["aud"] as? String == "http://127.0.0.1:\(peer.port)" })
        #expect(got.allSatisfy { $0.urgency == "normal" })  // no action lookup: the default urgency
        #expect(got.allSatisfy { $0.payload["area"] == nil && $0.payload["text"] as? String == Self.dutch })
        #expect(log.lines.contains { $0.contains("answered 410") && $0.contains("subscription removed") })
        #expect(!log.lines.contains { $0.contains("/push/") })
    }

    @Test func aPushServiceWhoseCertificateIsNotTrustedGetsNothing() async throws {
        let peer = try await WebPushPeer(tls: true)
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("webpush-tls")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Self.registry(1, in: dir)
        try registry.setPushSubscription(person: 1, peer.subscribe(token: "p1"))
        let log = CapturingLogHandler()
        let push = try WebPushProvider(configuration: Self.configuration(nil), registry: registry, logger: log.logger())
        defer { push.shutdown() }
        try await Self.send(push, person: 1)
        #expect(push.statistics.failed == 1 && push.statistics.delivered == 0)
        #expect(try peer.received().isEmpty)
        #expect(log.lines.contains { $0.contains("TLS with https://127.0.0.1:\(peer.port) failed") }, "\(log.lines)")
    }
}
