@testable import ChannelAdapters
import Crypto
@testable import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// Throughput of the Web Push adapter, measured (never asserted): run with
/// `FANOUT_WEBPUSH_LOAD=1 swift test --filter WebPushLoadTests`; `FANOUT_WEBPUSH_COUNT` (default
/// 2000) and `FANOUT_WEBPUSH_WORKERS` (default 32) set the run. The figures go to
/// `docs/channel-webpush.md`.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["FANOUT_WEBPUSH_LOAD"] == "1", "set FANOUT_WEBPUSH_LOAD=1"))
struct WebPushLoadTests {
    @Test func pushesPerSecondToTheLoopbackPushService() async throws {
        let env = ProcessInfo.processInfo.environment
        let n = env["FANOUT_WEBPUSH_COUNT"].flatMap { Int64($0) }.map { max(1, $0) } ?? 2000
        let workers = env["FANOUT_WEBPUSH_WORKERS"].flatMap { Int($0) } ?? 32
        let tls = env["FANOUT_WEBPUSH_HTTP"] != "1"

        // What one push costs the adapter alone: payload (with a 300-vertex area), encryption, VAPID.
        let key = P256.KeyAgreement.PrivateKey()
        let p256dh = Array(key.publicKey.x963Representation)
        let auth = [UInt8](repeating: 9, count: 16)
        let message = OutboundMessage(
            key: MessageKey(action: ActionID(rawValue: 1), person: 1, kind: .alert), channel: .app,
            text: WebPushTests.dutch)
        let rounds = 500
        let clock = ContinuousClock()
        let cpu = clock.measure {
            for _ in 0..<rounds {
                guard
                    let made = WebPushPayload.make(
                        message, urgency: .critical, area: [WebPushTests.area], maxAreaVertices: 48),
                    (try? WebPushEncryption.encrypt(made.bytes, p256dh: p256dh, auth: auth)) != nil
                else { return }
            }
        }
        print(
            "Web Push: payload + encryption \(Int(cpu.seconds * 1e6) / rounds) µs a push on one core "
                + "(\(Int(Double(rounds) / cpu.seconds)) a second)")

        let peer = try await WebPushPeer(tls: tls)
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("webpush-load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try WebPushTests.registry(n, in: dir)
        let subscriptions = try peer.subscribe(tokens: (1...n).map { "p\($0)" })
        for (i, s) in zip(1...n, subscriptions) { try registry.setPushSubscription(person: i, s) }
        let push = try WebPushProvider(
            configuration: WebPushConfiguration(
                subject: "mailto:load@burgernet.example", privateKey: P256.Signing.PrivateKey(), workers: workers,
                queueCapacity: Int(n) + 1, requestTimeout: .seconds(30), trustedCAFile: tls ? peer.caFile : nil),
            registry: registry, actionInfo: { _ in WebPushActionInfo(urgency: .high, area: [WebPushTests.area]) })
        defer { push.shutdown() }
        let reporter = DeliveryReporter()
        let started = ContinuousClock.now
        for i in 1...n {
            let key = MessageKey(action: ActionID(rawValue: 1), person: i, kind: .alert)
            push.submit(OutboundMessage(key: key, channel: .app, text: WebPushTests.dutch), at: .zero, reporter: reporter)
        }
        let done = try await eventually(seconds: 600) {
            let s = push.statistics
            return s.delivered + s.failed + s.throttled >= Int(n)
        }
        let elapsed = ContinuousClock.now - started
        let stats = push.statistics
        #expect(done && stats.delivered == Int(n), "\(stats)")
        let received = try peer.received()
        #expect(received.count == Int(n) && received.allSatisfy { $0.error == nil })
        print(
            "Web Push: \(n) pushes over \(tls ? "HTTPS" : "HTTP"), \(workers) workers, to the loopback push service "
                + "(decrypting and verifying each): \(elapsed) (\(Int(Double(n) / elapsed.seconds)) pushes/s)")
    }
}
