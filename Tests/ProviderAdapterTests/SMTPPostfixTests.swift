@testable import ChannelAdapters
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// The mail adapter against a private Postfix instance on loopback: STARTTLS required,
/// PIPELINING, some recipients refused (554) or busy (450), the rest relayed to an smtp-sink that
/// dumps them.
///
/// Skipped without Postfix on a developer machine; required when `FANOUT_REQUIRE_PEERS=1`.
@Suite(.serialized, .enabled(if: SMTPPeer.postfixInstalled || SMTPPeer.required, "postfix is not installed: apt-get install postfix"))
struct SMTPPostfixTests {
    /// smtpd's `disconnect from …` lines of sessions that said EHLO.
    static func sessions(_ maillog: String) -> [Substring] {
        maillog.split(separator: "\n").filter { $0.contains("disconnect from") && $0.contains("ehlo=") }
    }

    @Test func pipelinedMailInsideTLSWithRefusedRecipientsResetsAndGoesOn() async throws {
        let sink = try SMTPPeer.sink()
        defer { sink.stop() }
        let refused: [Int64] = [3, 9, 17]
        let busy: [Int64] = [5]
        let postfix = try SMTPPeer.postfixServer(
            relayPort: sink.port, refused: refused.map(SMTPFixture.address), busy: busy.map(SMTPFixture.address))
        defer { postfix.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-postfix")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 30
        let registry = try SMTPFixture.registry(n, in: dir)
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: postfix.port, connections: 2, startTLS: .required, trustedCAFile: postfix.caFile,
            tlsServerName: "localhost")
        let smtp = try SMTPMailProvider(configuration: configuration, registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(n))
        let failed = refused.count + busy.count
        let done = try await eventually(seconds: 60) {
            try d.status(id).alerts == [.delivered: Int(n) - failed, .failed: failed]
        }
        #expect(done, "status \(String(describing: try? d.status(id).alerts)), smtp \(smtp.statistics)")
        smtp.shutdown()
        let stats = smtp.statistics
        #expect(stats.encryptedConnections == stats.connections && stats.pipelinedConnections == stats.connections)
        #expect((1...2).contains(stats.connections))

        // Postfix relayed every accepted mail to the sink, and nothing else.
        let expected = Set((1...n).filter { !refused.contains($0) && !busy.contains($0) })
        #expect(try await eventually(seconds: 60) { (try sink.mails()).count >= expected.count })
        #expect(Set(try sink.mails().compactMap(SMTPTests.person)) == expected)
        // smtpd's own count: one RSET per refused recipient, every session inside TLS, ended by QUIT
        // (the start's probe connection, which said nothing, left out).
        let sessions = try await eventually(seconds: 30) { Self.sessions(postfix.maillog()).count == stats.connections }
        #expect(sessions, "\(postfix.maillog().suffix(2000))")
        let disconnects = Self.sessions(postfix.maillog())
        let resets = disconnects.map { line -> Int in
            guard let r = line.range(of: "rset=") else { return 0 }
            return Int(line[r.upperBound...].prefix(while: \.isNumber)) ?? 0
        }
        #expect(resets.reduce(0, +) == failed)
        #expect(disconnects.allSatisfy { $0.contains("starttls=1") && $0.contains("quit=1") })
        // The refusals are in the adapter's log with the address masked.
        #expect(log.lines.contains { ($0.contains("554") || $0.contains("450")) && $0.contains("<address>") })
        #expect(!log.lines.contains { $0.contains("@example.nl") })
    }
}
