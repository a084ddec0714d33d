import FanOut
import Foundation
import Geo
import MetricsTestKit
import Participants
import Synchronization
import TestSupport
import Testing

@testable import ProviderAdapters
import GeoFormats
import Selection
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The Kannel adapter against a real Kannel (bearerbox, smsbox and Kannel's fake SMSC) on loopback.
///
/// Without Kannel installed these tests are skipped on a developer machine and fail in CI
/// (`FANOUT_REQUIRE_KANNEL=1`, set by `tools/test.sh`, which installs `kannel kannel-extras`).
@Suite(
    .serialized,
    .enabled(
        if: KannelPeer.shouldRun, "Kannel is not installed: apt-get install kannel kannel-extras (tools/test.sh does)"))
struct KannelTests {
    static let sender = "Burgernet"
    static let dutch = "Burgernet: vermist meisje (8), rode jas, blond. Gezien? Bel 112. Één keer €5 beloning"
    static let polish = "Burgernet: zaginęła dziewczynka (8), czerwona kurtka. Dzwoń 112."

    static func phone(_ i: Int64) -> String { "+3161" + String(1_000_000 + i).suffix(7) }

    static let polishLanguage = try? Language(parsing: "pl")

    /// A registry with `n` participants 1...n, each with a phone number; every fourth speaks Polish.
    static func registry(_ n: Int64, in dir: URL) throws -> Registry {
        let registry = try Registry.open(at: dir.appendingPathComponent("registry.sqlite").path)
        _ = try registry.upsert(
            try (1...n).map { i in
                try ParticipantRecord(
                    id: i, position: SourcePoint(x: 4.89 + Double(i) * 1e-5, y: 52.37, crs: .wgs84), country: .nl,
                    phone: try PhoneNumber(phone(i)), language: i % 4 == 0 ? polishLanguage : nil)
            })
        return registry
    }

    static func recipients(_ n: Int64) -> [Recipient] {
        (1...n).map { i in
            Recipient(
                id: i, distanceMeters: Double(n - i), channels: [.sms], language: i % 4 == 0 ? polishLanguage : nil)
        }
    }

    static func request() -> ActionRequest {
        ActionRequest(
            incidentPoint: RDPoint(x: 121_000, y: 487_000), incidentType: "missing-child", urgency: .critical,
            message: dutch, channels: [.sms], texts: ["pl": polish])
    }

    @Test func twoHundredPersonsAreTextedThroughKannelAndEveryReportComesBack() async throws {
        let peer = try KannelPeer()
        defer { peer.stop() }
        try await peer.start()
        let dir = try Fixtures.temporaryDirectory("kannel-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        // 200 by default; FANOUT_KANNEL_COUNT and FANOUT_KANNEL_WORKERS for the README's measurement.
        let env = ProcessInfo.processInfo.environment
        let n = env["FANOUT_KANNEL_COUNT"].flatMap { Int64($0) }.map { max(1, $0) } ?? 200
        let workers = env["FANOUT_KANNEL_WORKERS"].flatMap { Int($0) } ?? 16
        let registry = try Self.registry(n, in: dir)
        let reports = Mutex<[KannelSMSProvider.DeliveryReport]>([])
        let log = CapturingLogHandler()
        let kannel = try KannelSMSProvider(
            configuration: KannelConfiguration(
                sendsmsURL: peer.sendsmsURL, username: KannelPeer.username, password: KannelPeer.password,
                sender: Self.sender, reportTimeout: .seconds(120), workers: workers),
            registry: registry, logger: log.logger(), onReport: { r in reports.withLock { $0.append(r) } })
        defer { kannel.shutdown() }
        let ledger = try Ledger.open(at: dir.appendingPathComponent("ledger.sqlite").path)
        let d = try Dispatcher(
            config: DispatchConfig(sms: .init(perSecond: 1000, batchSize: 20)), providers: [:],
            deferredProviders: [.sms: kannel], clock: SystemDispatchClock(), ledger: ledger)
        let driver = Task { try await d.run() }
        defer { driver.cancel() }

        let started = ContinuousClock.now
        let id = try d.start(Self.request(), recipients: Self.recipients(n))
        let done = try await eventually { try d.status(id).alerts == [.delivered: Int(n)] }
        let elapsed = ContinuousClock.now - started
        let alerts = try d.status(id).alerts
        #expect(done, "status: \(alerts), kannel: \(kannel.statistics)")
        print(
            "Kannel: \(n) SMS, \(workers) workers: all reported delivered after \(elapsed) (\(Double(n) / elapsed.seconds) msg/s)"
        )

        // The fake SMSC got exactly one message per person, with the person's number and text.
        #expect(try await eventually { try peer.received().filter { $0.sender == Self.sender }.count >= n })
        let all = try peer.received()
        let got = all.filter { $0.sender == Self.sender }
        #expect(got.count == Int(n))
        #expect(all.count == got.count)  // the fake SMSC's own MO message got no reply
        let expected = Dictionary(
            uniqueKeysWithValues: (1...n).map { i in (Self.phone(i), i % 4 == 0 ? Self.polish : Self.dutch) })
        #expect(Set(got.map(\.receiver)) == Set(expected.keys))
        for m in got {
            #expect(m.text == expected[m.receiver], "text for \(m.receiver)")
            // Polish needs UCS-2 (ę, ł, ń); the Dutch text is all GSM 7-bit (É and € included).
            #expect(m.type == (m.text == Self.polish ? "ucs-2" : "text"))
        }

        // Every person's report came back with their idempotency key: 8 (SMSC ack), then 1.
        let keys = Set((1...n).map { "\(id)/\($0)/alert/1" })
        let seen = reports.withLock { $0 }
        #expect(Set(seen.filter { $0.type == 1 }.map(\.key)) == keys)
        #expect(Set(seen.filter { $0.type == 8 }.map(\.key)) == keys)
        #expect(seen.count == 2 * Int(n))

        // The ledger holds every alert as delivered.
        try d.flush()
        let entries = try ledger.messages(of: id)
        #expect(entries.count == Int(n))
        #expect(entries.allSatisfy { $0.state == .delivered && $0.channel == .sms })
        let stats = kannel.statistics
        #expect(stats.submitted == Int(n) && stats.accepted == Int(n) && stats.delivered == Int(n))
        #expect(stats.failed == 0 && stats.throttled == 0 && stats.timedOut == 0 && stats.unmatchedReports == 0)
        #expect(kannel.pending == 0)
        #expect(!log.lines.contains { $0.contains("+3161") })
    }

    @Test func aFullKannelQueueThrottlesTheDispatcherAndEveryoneIsTextedOnceWhenTheSMSCComesBack() async throws {
        // The SMSC is down: bearerbox queues 20 messages, then smsbox answers 503.
        let peer = try KannelPeer(outgoingQueueLimit: 20)
        defer { peer.stop() }
        try await peer.start(smsc: false)
        let dir = try Fixtures.temporaryDirectory("kannel-throttle")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 200
        let registry = try Self.registry(n, in: dir)
        let log = CapturingLogHandler()
        let kannel = try KannelSMSProvider(
            configuration: KannelConfiguration(
                sendsmsURL: peer.sendsmsURL, username: KannelPeer.username, password: KannelPeer.password,
                sender: Self.sender, reportTimeout: .seconds(120)),
            registry: registry, logger: log.logger())
        defer { kannel.shutdown() }
        let metrics = TestMetrics()
        let config = DispatchConfig(
            sms: .init(perSecond: 200, batchSize: 10),
            backPressure: .init(decreaseFactor: 0.5, increaseFraction: 0.1, pauseSeconds: 0.2, minimumFraction: 0.05))
        let d = Dispatcher(
            config: config, providers: [:], deferredProviders: [.sms: kannel], clock: SystemDispatchClock(),
            metrics: metrics)
        let driver = Task { try await d.run() }
        defer { driver.cancel() }

        let id = try d.start(Self.request(), recipients: Self.recipients(n))
        #expect(try await eventually { kannel.statistics.throttled >= 20 })
        let slowest = d.providerRates[.sms] ?? 0
        #expect(slowest < 200, "the dispatcher slowed down: \(slowest)/s")
        #expect(try d.status(id).throttled >= 20)
        #expect(try d.status(id).alerts[.delivered, default: 0] == 0)

        try await peer.startSMSC()
        let done = try await eventually { try d.status(id).alerts == [.delivered: Int(n)] }
        let alerts = try d.status(id).alerts
        #expect(done, "status: \(alerts), kannel: \(kannel.statistics)")

        // Exactly one SMS per person: a 503 is not a hand-over, so nothing went twice.
        let got = try peer.received().filter { $0.sender == Self.sender }
        #expect(got.count == Int(n))
        #expect(Set(got.map(\.receiver)) == Set((1...n).map(Self.phone)))
        let stats = kannel.statistics
        #expect(stats.accepted == Int(n) && stats.delivered == Int(n) && stats.failed == 0)
        #expect(stats.submitted == Int(n) + stats.throttled)
        let throttled = try metrics.expectCounter("fanout_throttled_total", [("channel", "sms")]).totalValue
        #expect(throttled == Int64(stats.throttled))
        #expect(log.lines.contains { $0.contains("rejected as overloaded") && $0.contains("HTTP 503") })
        #expect(!log.lines.contains { $0.contains("+3161") })
        print("Kannel throttling: \(stats.throttled) rejections (503), slowest rate \(slowest)/s")
    }

    @Test func aDispatcherResumedAfterACrashTextsNobodyTwiceThroughTheSameAdapter() async throws {
        let peer = try KannelPeer()
        defer { peer.stop() }
        try await peer.start(smsc: false)  // taken over by Kannel, no report yet: all in flight
        let dir = try Fixtures.temporaryDirectory("kannel-resume")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 50
        let registry = try Self.registry(n, in: dir)
        let kannel = try KannelSMSProvider(
            configuration: KannelConfiguration(
                sendsmsURL: peer.sendsmsURL, username: KannelPeer.username, password: KannelPeer.password,
                sender: Self.sender, reportTimeout: .seconds(120)),
            registry: registry)
        defer { kannel.shutdown() }
        let path = dir.appendingPathComponent("ledger.sqlite").path
        let config = DispatchConfig(sms: .init(perSecond: 1000, batchSize: 50))
        var first: Dispatcher? = try Dispatcher(
            config: config, providers: [:], deferredProviders: [.sms: kannel], clock: SystemDispatchClock(),
            ledger: try Ledger.open(at: path))
        let id = try #require(first).start(Self.request(), recipients: Self.recipients(n))
        #expect(try await eventually { kannel.statistics.accepted == Int(n) })
        first = nil  // the crash: no flush, no goodbye; its reports now go nowhere

        let resumed = try Dispatcher(
            config: config, providers: [:], deferredProviders: [.sms: kannel], clock: SystemDispatchClock(),
            ledger: try Ledger.open(at: path))
        let driver = Task { try await resumed.run() }
        defer { driver.cancel() }
        // Every in-flight message is handed over again under its key: the adapter does not resend.
        #expect(try await eventually { kannel.statistics.repeats == Int(n) })
        try await peer.startSMSC()
        let done = try await eventually { try resumed.status(id).alerts == [.delivered: Int(n)] }
        let alerts = try resumed.status(id).alerts
        #expect(done, "status: \(alerts), kannel: \(kannel.statistics)")
        // fakesmsc writes its lines to a file, buffered: they can come after the reports.
        #expect(try await eventually { try peer.received().filter { $0.sender == Self.sender }.count >= n })
        let got = try peer.received().filter { $0.sender == Self.sender }
        #expect(got.count == Int(n))
        #expect(Set(got.map(\.receiver)) == Set((1...n).map(Self.phone)))
        let stats = kannel.statistics
        #expect(stats.submitted == 2 * Int(n) && stats.accepted == Int(n) && stats.delivered == Int(n))
    }

    @Test func aMissingReportFailsAfterTheTimeoutAndARefusalFailsAtOnceWithoutThePhoneNumberInTheLog() async throws {
        let peer = try KannelPeer()
        defer { peer.stop() }
        try await peer.start(smsc: false)  // accepted and queued in bearerbox, never delivered: no report
        let dir = try Fixtures.temporaryDirectory("kannel-timeout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Self.registry(6, in: dir)
        let log = CapturingLogHandler()
        let kannel = try KannelSMSProvider(
            configuration: KannelConfiguration(
                sendsmsURL: peer.sendsmsURL, username: KannelPeer.username, password: KannelPeer.password,
                sender: Self.sender, reportTimeout: .milliseconds(800)),
            registry: registry, logger: log.logger())
        defer { kannel.shutdown() }
        let wrongPassword = try KannelSMSProvider(
            configuration: KannelConfiguration(
                sendsmsURL: peer.sendsmsURL, username: KannelPeer.username, password: "wrong", sender: Self.sender),
            registry: registry, logger: log.logger())
        defer { wrongPassword.shutdown() }
        let d = Dispatcher(providers: [:], deferredProviders: [.sms: kannel], clock: SystemDispatchClock())
        let refused = Dispatcher(providers: [:], deferredProviders: [.sms: wrongPassword], clock: SystemDispatchClock())
        let drivers = [Task { try await d.run() }, Task { try await refused.run() }]
        defer { for t in drivers { t.cancel() } }

        let started = ContinuousClock.now
        let id = try d.start(Self.request(), recipients: Self.recipients(3))
        let refusedID = try refused.start(Self.request(), recipients: Array(Self.recipients(6).suffix(3)))
        #expect(try await eventually { try refused.status(refusedID).alerts == [.failed: 3] })
        #expect(try await eventually { try d.status(id).alerts == [.failed: 3] })
        #expect(ContinuousClock.now - started >= .milliseconds(800))
        #expect(kannel.statistics.accepted == 3 && kannel.statistics.timedOut == 3)
        #expect(wrongPassword.statistics.accepted == 0 && wrongPassword.statistics.failed == 3)
        #expect(log.lines.contains { $0.contains("no delivery report within") })
        #expect(log.lines.contains { $0.contains("HTTP 403") })
        #expect(!log.lines.contains { $0.contains("+3161") || $0.contains("wrong") })
    }
}

extension Duration {
    var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }
}
