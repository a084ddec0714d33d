@testable import ChannelAdapters
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// Throughput of the mail adapter into smtp-sink (no dumps), through a real dispatcher: prints
/// mails per second, asserts nothing about speed (`tools/smtp-load.sh`, docs/channel-smtp.md).
///
/// Runs only with `FANOUT_SMTP_LOAD=1`; `FANOUT_SMTP_COUNT` (default 50,000),
/// `FANOUT_SMTP_CONNECTIONS` (default 4) and `FANOUT_SMTP_PIPELINING` (`0`: off) vary it.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FANOUT_SMTP_LOAD"] == "1"))
struct SMTPLoadTests {
    @Test func mailsPerSecondIntoSmtpSink() async throws {
        let env = ProcessInfo.processInfo.environment
        let n = env["FANOUT_SMTP_COUNT"].flatMap { Int64($0) }.map { max(1, $0) } ?? 50_000
        let connections = env["FANOUT_SMTP_CONNECTIONS"].flatMap { Int($0) } ?? 4
        let pipelining = env["FANOUT_SMTP_PIPELINING"] != "0"
        let peer = try SMTPPeer.sink(dump: false)
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-load")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try SMTPFixture.registry(n, in: dir)
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: peer.port, connections: connections, pipelining: pipelining)
        var tuned = configuration
        tuned.queueCapacity = Int(n) + 1
        let smtp = try SMTPMailProvider(configuration: tuned, registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp, perSecond: 1_000_000, batch: 10_000)
        defer { driver.cancel() }
        let started = ContinuousClock.now
        let id = try d.start(SMTPFixture.request(confirmed: true), recipients: SMTPFixture.recipients(n))
        let done = try await eventually(seconds: 900) { try d.status(id).alerts == [.delivered: Int(n)] }
        let elapsed = ContinuousClock.now - started
        #expect(done, "status \(String(describing: try? d.status(id).alerts)), smtp \(smtp.statistics)")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let stats = smtp.statistics
        print(
            "SMTP load: \(n) mails, \(connections) connections, pipelining \(pipelining ? "on" : "off"): "
                + "all delivered after \(String(format: "%.2f", seconds)) s = \(String(format: "%.0f", Double(n) / seconds)) mails/s "
                + "(connections opened \(stats.connections), throttled \(stats.throttled), failed \(stats.failed))")
    }
}
