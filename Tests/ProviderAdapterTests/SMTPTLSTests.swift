@testable import ChannelAdapters
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// STARTTLS against aiosmtpd (Debian's python3-aiosmtpd) on loopback, which requires TLS before
/// MAIL, with a certificate signed by a CA the test makes with openssl.
///
/// Skipped without aiosmtpd or openssl on a developer machine; required when
/// `FANOUT_REQUIRE_PEERS=1` (`tools/test.sh`).
@Suite(
    .serialized,
    .enabled(
        if: SMTPPeer.tlsServerInstalled || SMTPPeer.required,
        "aiosmtpd or openssl is not installed: apt-get install python3-aiosmtpd openssl"))
struct SMTPTLSTests {
    /// Mails 4 persons through `configuration` and waits for the status to be `expected`.
    func run(
        _ peer: SMTPPeer, _ configuration: SMTPConfiguration, expecting expected: [MessageState: Int],
        log: CapturingLogHandler
    ) async throws -> SMTPMailProvider.Statistics {
        let dir = try Fixtures.temporaryDirectory("smtp-tls-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try SMTPFixture.registry(4, in: dir)
        let smtp = try SMTPMailProvider(configuration: configuration, registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(4))
        let done = try await eventually(seconds: 60) { try d.status(id).alerts == expected }
        #expect(done, "status \(String(describing: try? d.status(id).alerts)), smtp \(smtp.statistics)")
        smtp.shutdown()
        return smtp.statistics
    }

    @Test(arguments: [SMTPConfiguration.StartTLSPolicy.required, .opportunistic])
    func mailGoesInsideTLSCheckedAgainstTheTrustedCA(policy: SMTPConfiguration.StartTLSPolicy) async throws {
        let peer = try SMTPPeer.tlsServer()
        defer { peer.stop() }
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: peer.port, connections: 2, startTLS: policy, trustedCAFile: peer.caFile, tlsServerName: "localhost")
        let stats = try await run(peer, configuration, expecting: [.delivered: 4], log: log)
        #expect(stats.encryptedConnections == stats.connections && stats.connections >= 1)
        // aiosmtpd offers no PIPELINING: the commands went one by one.
        #expect(stats.pipelinedConnections == 0)
        let files = peer.mailFiles()
        #expect(files.count == 4)
        let scratch = try Fixtures.temporaryDirectory("smtp-tls-parse")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let tokens = try MailReplyToken(secret: SMTPFixture.secret)
        var people: Set<Int64> = []
        for file in files {
            let mail = try ParsedMail.parse(file, scratch: scratch)
            #expect(mail.plain.hasPrefix(SMTPFixture.text + "\n\n"))
            let links = SMTPTests.tokens(in: mail.plain)
            #expect(links.count == 2)
            if let first = links.first, let claims = tokens.verify(first) {
                #expect(mail.headers["To"] == SMTPFixture.address(claims.person))
                people.insert(claims.person)
            }
        }
        #expect(people == [1, 2, 3, 4])
    }

    @Test func aCertificateFromAnotherCAFailsTheMailAndNothingIsSent() async throws {
        let peer = try SMTPPeer.tlsServer()
        defer { peer.stop() }
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: peer.port, connections: 1, startTLS: .opportunistic, trustedCAFile: peer.otherCAFile,
            tlsServerName: "localhost")
        let stats = try await run(peer, configuration, expecting: [.failed: 4], log: log)
        #expect(stats.connectionFailures >= 1 && stats.encryptedConnections == 0)
        #expect(log.lines.contains { $0.contains("smtp: connecting to the relay failed") })
        #expect(peer.mailFiles().isEmpty)
    }

    @Test func aNameTheCertificateDoesNotCarryFailsTheHandshake() async throws {
        let peer = try SMTPPeer.tlsServer()
        defer { peer.stop() }
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: peer.port, connections: 1, startTLS: .required, trustedCAFile: peer.caFile,
            tlsServerName: "mail.elsewhere.example")
        let stats = try await run(peer, configuration, expecting: [.failed: 4], log: log)
        #expect(stats.encryptedConnections == 0)
        #expect(peer.mailFiles().isEmpty)
    }

    @Test func withSTARTTLSOffTheServerThatRequiresTLSRefusesTheMail() async throws {
        let peer = try SMTPPeer.tlsServer()
        defer { peer.stop() }
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(port: peer.port, connections: 1, startTLS: .off)
        // aiosmtpd answers 530 "Must issue a STARTTLS command first" to MAIL: a 5xx, failed.
        let stats = try await run(peer, configuration, expecting: [.failed: 4], log: log)
        #expect(stats.encryptedConnections == 0)
        #expect(log.lines.contains { $0.contains("530") })
        #expect(peer.mailFiles().isEmpty)
    }

    @Test func aTrustedCAFileWithoutACertificateIsRefusedAtCreation() throws {
        let dir = try Fixtures.temporaryDirectory("smtp-badca")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ca.pem")
        try "not a certificate\n".write(to: file, atomically: true, encoding: .utf8)
        let configuration = try SMTPFixture.configuration(port: 25, startTLS: .required, trustedCAFile: file.path)
        #expect {
            _ = try SMTPMailProvider(configuration: configuration, emailAddress: { _ in nil })
        } throws: { error in
            "\(error)".contains("holds no PEM certificate") && "\(error)".contains(file.path)
        }
    }
}
