@testable import ChannelAdapters
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import Synchronization
import TestSupport
import Testing

/// The mail adapter against Postfix's smtp-sink on loopback, driven by a real dispatcher.
///
/// Without smtp-sink (Debian's postfix) these tests are skipped on a developer machine and fail
/// when `FANOUT_REQUIRE_PEERS=1` (set by `tools/test.sh`).
@Suite(.serialized, .enabled(if: SMTPPeer.sinkInstalled || SMTPPeer.required, "smtp-sink is not installed: apt-get install postfix"))
struct SMTPTests {
    /// The two reply tokens in a text: the sighting link's, then the stop link's.
    static func tokens(in text: String) -> [String] {
        let pattern = try? NSRegularExpression(pattern: "https://burgernet\\.example/r/([A-Za-z0-9_-]{67})")
        let range = NSRange(text.startIndex..., in: text)
        return (pattern?.matches(in: text, range: range) ?? []).compactMap { m in
            Range(m.range(at: 1), in: text).map { String(text[$0]) }
        }
    }

    /// The person a mail went to, from smtp-sink's `X-Rcpt-Args: <deelnemerN@example.nl>`.
    static func person(of dump: String) -> Int64? {
        guard let line = dump.split(separator: "\n").first(where: { $0.hasPrefix("X-Rcpt-Args: ") }) else { return nil }
        return Int64(line.dropFirst("X-Rcpt-Args: <deelnemer".count).prefix(while: \.isNumber))
    }

    @Test func everyPersonIsMailedOverPipelinedConnectionsWithTheirOwnReplyLinks() async throws {
        let peer = try SMTPPeer.sink(["-v"])
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 60
        let registry = try SMTPFixture.registry(n, in: dir, without: [7])
        let log = CapturingLogHandler()
        let smtp = try SMTPMailProvider(
            configuration: SMTPFixture.configuration(port: peer.port), registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(n))
        let done = try await eventually { try d.status(id).alerts == [.delivered: Int(n) - 1, .failed: 1] }
        #expect(done, "status: \(String(describing: try? d.status(id).alerts)), smtp: \(smtp.statistics)")
        smtp.shutdown()

        let stats = smtp.statistics
        #expect(stats.delivered == Int(n) - 1 && stats.failed == 1)
        #expect(stats.pipelinedConnections == stats.connections && (1...4).contains(stats.connections))
        // The sink saw the commands pipelined (no reply in between: one write each) and every
        // connection end with QUIT.
        #expect(peer.output().components(separatedBy: ": QUIT").count - 1 == stats.connections)

        let dumps = try peer.mails()
        #expect(dumps.count == Int(n) - 1)
        #expect(Set(dumps.compactMap(Self.person)) == Set((1...n).filter { $0 != 7 }))
        #expect(dumps.allSatisfy { $0.contains("X-Mail-Args: <\(SMTPFixture.from)>") })
        let tokens = try MailReplyToken(secret: SMTPFixture.secret)
        for file in peer.mailFiles() {
            let dump = try String(contentsOfFile: file, encoding: .utf8)
            guard let person = Self.person(of: dump) else {
                Issue.record("a mail without a recipient")
                continue
            }
            // Python's email package reads the MIME structure and decodes the parts.
            let mail = try ParsedMail.parse(file, scratch: dir)
            #expect(mail.contentType == "multipart/alternative")
            #expect(mail.headers["From"] == "Burgernet Nederland <\(SMTPFixture.from)>")
            #expect(mail.headers["To"] == SMTPFixture.address(person))
            #expect(mail.headers["Subject"] == "Burgernet: vermist meisje – help zoeken")
            #expect(mail.headers["Auto-Submitted"] == "auto-generated")
            #expect(mail.headers["X-Fanout-Key"] == "\(id)/\(person)/alert/1")
            #expect(mail.headers["Message-ID"]?.hasPrefix("<fanout.\(id.rawValue).\(person).alert.1.") == true)
            #expect(mail.headers["Date"]?.hasSuffix("+0000") == true)
            // The text arrives exactly, its line starting with a dot included (dot-stuffing).
            #expect(mail.plain.hasPrefix(SMTPFixture.text + "\n\n"))
            #expect(mail.plain.contains("https://burgernet.example/foto/123.jpg"))
            #expect(mail.html.contains("Burgernet: vermist meisje (8), rode jas, blond haar."))
            let links = Self.tokens(in: mail.plain)
            #expect(links.count == 2 && Self.tokens(in: mail.html) == links)
            guard links.count == 2 else { continue }
            #expect(tokens.verify(links[0]).map { [$0.action.rawValue, $0.person] } == [id.rawValue, person])
            #expect(tokens.verify(links[0])?.kind == .sighting)
            #expect(tokens.verify(links[1])?.kind == .stop && tokens.verify(links[1])?.person == person)
            #expect(mail.headers["List-Unsubscribe"] == "<\(SMTPFixture.base)\(links[1])>")
            // One character changed: refused.
            var tampered = Array(links[0])
            tampered[30] = tampered[30] == "A" ? "B" : "A"
            #expect(tokens.verify(String(tampered)) == nil)
        }
        // The failure is logged with its reason, and no address is in the log.
        #expect(log.lines.contains { $0.contains("no e-mail address registered") })
        #expect(!log.lines.contains { $0.contains("@example.nl") })
    }

    /// Refusals as smtp-sink gives them (`-f`: 5xx, `-r`: 4xx to the named command; `-Q`: 421 and
    /// hang up; `-q`: hang up without a reply), and the result each must give.
    @Test(arguments: [
        (["-f", "RCPT"], DeliveryResult.failed), (["-r", "RCPT"], .failed), (["-f", "."], .failed),
        (["-r", "."], .failed), (["-f", "DATA"], .failed), (["-q", "."], .failed),
        (["-r", "MAIL"], .throttled), (["-Q", "RCPT"], .throttled), (["-q", "DATA"], .throttled),
    ])
    func refusalsGiveTheirResultAndTheConnectionGoesOn(options: [String], expected: DeliveryResult) async throws {
        let peer = try SMTPPeer.sink(["-v"] + options)
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-refused")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 12
        let registry = try SMTPFixture.registry(n, in: dir)
        let log = CapturingLogHandler()
        let smtp = try SMTPMailProvider(
            configuration: SMTPFixture.configuration(port: peer.port, connections: 2), registry: registry,
            logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(n))
        if expected == .failed {
            let done = try await eventually(seconds: 60) { try d.status(id).alerts == [.failed: Int(n)] }
            #expect(done, "\(options): status \(String(describing: try? d.status(id).alerts)), smtp \(smtp.statistics)")
        } else {
            // Throttled mails go back to the dispatcher's queue and come again (twice here): none
            // is delivered.
            let seen = try await eventually(seconds: 60) { smtp.statistics.throttled >= 2 * Int(n) }
            #expect(seen, "\(options): smtp \(smtp.statistics)")
            #expect(smtp.statistics.delivered == 0 && smtp.statistics.failed == 0)
        }
        smtp.shutdown()
        let stats = smtp.statistics
        let output = peer.output()
        switch options {
        case ["-f", "RCPT"], ["-r", "RCPT"], ["-f", "DATA"]:
            // A refused recipient or DATA: RSET, and the same connection goes on.
            #expect(output.components(separatedBy: ": RSET").count - 1 == Int(n))
            #expect(stats.connections <= 2)
        case ["-f", "."], ["-r", "."]:
            #expect(!output.contains(": RSET") && stats.connections <= 2)
        case ["-Q", "RCPT"], ["-q", "DATA"], ["-q", "."]:
            // The server hung up: the next mails went on a new connection.
            #expect(stats.connections >= 2)
        default: break
        }
        #expect(!log.lines.contains { $0.contains("@example.nl") })
    }

    @Test func aRelayThatIsDownThrottlesAndEveryoneIsMailedOnceWhenItComesUp() async throws {
        let port = try KannelPeer.unusedPorts(1)[0]
        let dir = try Fixtures.temporaryDirectory("smtp-down")
        defer { try? FileManager.default.removeItem(at: dir) }
        let n: Int64 = 40
        let registry = try SMTPFixture.registry(n, in: dir)
        let log = CapturingLogHandler()
        let smtp = try SMTPMailProvider(
            configuration: SMTPFixture.configuration(port: port), registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp, perSecond: 500, batch: 10)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(n))
        #expect(try await eventually(seconds: 60) { smtp.statistics.throttled >= 10 })
        #expect(smtp.statistics.delivered == 0)
        let peer = try SMTPPeer.sink(port: port)
        defer { peer.stop() }
        let done = try await eventually(seconds: 120) { try d.status(id).alerts == [.delivered: Int(n)] }
        #expect(done, "status \(String(describing: try? d.status(id).alerts)), smtp \(smtp.statistics)")
        smtp.shutdown()
        let dumps = try peer.mails()
        #expect(dumps.count == Int(n))
        #expect(Set(dumps.compactMap(Self.person)) == Set(1...n))
        #expect(log.lines.contains { $0.contains("smtp: mail rejected as overloaded") })
    }

    @Test func aMalformedReplyClosesTheConnectionWithoutACrash() async throws {
        // smtp-sink's greeting name with a line break in it: "220 x", then a line "garbage ESMTP".
        let peer = try SMTPPeer.sink(["-h", "x\r\ngarbage"])
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-malformed")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try SMTPFixture.registry(3, in: dir)
        let log = CapturingLogHandler()
        let smtp = try SMTPMailProvider(
            configuration: SMTPFixture.configuration(port: peer.port, connections: 1), registry: registry,
            logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp, perSecond: 100, batch: 1)
        defer { driver.cancel() }
        _ = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(3))
        #expect(try await eventually(seconds: 60) { smtp.statistics.connectionFailures >= 2 })
        smtp.shutdown()
        #expect(smtp.statistics.delivered == 0 && smtp.statistics.throttled >= 2)
        #expect(log.lines.contains { $0.contains("malformed reply from the server") })
        #expect(try peer.mails().isEmpty)
    }

    @Test func authPlainSendsTheCredentialsAndNeverLogsThePassword() async throws {
        let peer = try SMTPPeer.sink(["-v"])
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-auth")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try SMTPFixture.registry(5, in: dir)
        let log = CapturingLogHandler()
        let configuration = try SMTPFixture.configuration(
            port: peer.port, connections: 1, username: "fanout", password: "pa55-w0rd-secret")
        let smtp = try SMTPMailProvider(configuration: configuration, registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(photo: nil), recipients: SMTPFixture.recipients(5))
        #expect(try await eventually { try d.status(id).alerts == [.delivered: 5] })
        smtp.shutdown()
        // RFC 4616: base64 of NUL user NUL password, as smtp-sink received it.
        let expected = Data("\u{0}fanout\u{0}pa55-w0rd-secret".utf8).base64EncodedString()
        #expect(peer.output().contains("AUTH PLAIN \(expected)"))
        #expect(!"\(configuration)".contains("pa55"))
        #expect(!log.lines.contains { $0.contains("pa55") || $0.contains(expected) })
        // Without a photo URL the mail has no photo line.
        #expect(try peer.mails().allSatisfy { !$0.contains("foto") })
    }

    @Test func requiredSTARTTLSFailsAgainstARelayThatDoesNotOfferIt() async throws {
        let peer = try SMTPPeer.sink()
        defer { peer.stop() }
        let dir = try Fixtures.temporaryDirectory("smtp-notls")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try SMTPFixture.registry(3, in: dir)
        let log = CapturingLogHandler()
        let smtp = try SMTPMailProvider(
            configuration: SMTPFixture.configuration(port: peer.port, connections: 1, startTLS: .required),
            registry: registry, logger: log.logger())
        defer { smtp.shutdown() }
        let (d, driver) = SMTPFixture.dispatcher(smtp)
        defer { driver.cancel() }
        let id = try d.start(SMTPFixture.request(), recipients: SMTPFixture.recipients(3))
        #expect(try await eventually { try d.status(id).alerts == [.failed: 3] })
        #expect(log.lines.contains { $0.contains("STARTTLS is required but the server does not offer it") })
        #expect(try peer.mails().isEmpty)
    }
}
