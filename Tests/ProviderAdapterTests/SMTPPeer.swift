import Foundation
import Synchronization
import TestSupport

@testable import ProviderAdapters

/// Real SMTP servers on loopback for the mail adapter's tests, started as child processes:
///
/// - Postfix's `smtp-sink` (Debian's `postfix`): ESMTP with PIPELINING and AUTH PLAIN, can
///   refuse commands with 4xx/5xx (`-r`, `-f`), answer 421 (`-Q`) or hang up (`-q`), and dump
///   every mail it takes to a file (`-d`).
/// - `aiosmtpd` (Debian's `python3-aiosmtpd`) with `--tlscert`: STARTTLS with a certificate made
///   by the test's own CA (openssl), requiring TLS before MAIL, storing mails in a Maildir.
///
/// Not test doubles: these are the servers' own programs. A missing one skips the tests on a
/// developer machine and fails them when `FANOUT_REQUIRE_PEERS=1` (`tools/test.sh`, CI).
final class SMTPPeer: @unchecked Sendable {
    static let smtpSink = "/usr/sbin/smtp-sink"
    static let python = "/usr/bin/python3"
    static let openssl = "/usr/bin/openssl"

    /// Whether smtp-sink is installed.
    static var sinkInstalled: Bool { FileManager.default.isExecutableFile(atPath: smtpSink) }

    /// Whether aiosmtpd and openssl are installed (Debian's python3-aiosmtpd, openssl).
    static var tlsServerInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: openssl)
            && FileManager.default.fileExists(atPath: "/usr/lib/python3/dist-packages/aiosmtpd")
    }

    /// Whether the tests must run even without the peers (and then fail).
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["FANOUT_REQUIRE_PEERS"] == "1" || env["CI"] != nil
    }

    let directory: URL
    let port: UInt16
    private var process: ChildProcess?
    private let mailDirectory: URL

    private init(directory: URL, port: UInt16, mailDirectory: URL) {
        self.directory = directory
        self.port = port
        self.mailDirectory = mailDirectory
    }

    deinit { stop() }

    /// Starts smtp-sink on a free loopback port.
    ///
    /// - Parameters:
    ///   - options: More smtp-sink options (`-r RCPT`: 4xx to every RCPT; `-f .`: 5xx to every end of data).
    ///   - dump: Whether every mail is written to a file (``mails()``); off for throughput.
    ///   - port: The port (default: a free one).
    static func sink(_ options: [String] = [], dump: Bool = true, port: UInt16? = nil) throws -> SMTPPeer {
        guard sinkInstalled else { throw KannelPeerError("\(smtpSink) is not installed: apt-get install postfix") }
        let directory = try Fixtures.temporaryDirectory("smtp-sink")
        let mails = directory.appendingPathComponent("mails")
        try FileManager.default.createDirectory(at: mails, withIntermediateDirectories: true)
        // smtp-sink started as root drops to -u's user: it must be able to write the dumps.
        guard chmod(mails.path, 0o777) == 0 else { throw KannelPeerError("chmod \(mails.path) failed") }
        let port = try port ?? KannelPeer.unusedPorts(1)[0]
        let peer = SMTPPeer(directory: directory, port: port, mailDirectory: mails)
        var arguments = ["-u", "nobody", "-m", "1024"] + options
        if dump { arguments += ["-d", mails.path + "/mail."] }
        arguments += ["127.0.0.1:\(port)", "256"]
        peer.process = try ChildProcess(smtpSink, arguments, output: directory.appendingPathComponent("smtp-sink.out"))
        try peer.waitUntilListening()
        return peer
    }

    /// Starts aiosmtpd with STARTTLS on a free loopback port, with a certificate for `localhost`
    /// and 127.0.0.1 signed by a CA made here (``caFile``).
    static func tlsServer() throws -> SMTPPeer {
        guard tlsServerInstalled else {
            throw KannelPeerError("aiosmtpd or openssl is not installed: apt-get install python3-aiosmtpd openssl")
        }
        let directory = try Fixtures.temporaryDirectory("smtp-tls")
        let mails = directory.appendingPathComponent("maildir")
        let port = try KannelPeer.unusedPorts(1)[0]
        let peer = SMTPPeer(directory: directory, port: port, mailDirectory: mails.appendingPathComponent("new"))
        try peer.makeCertificates()
        let d = directory.path
        peer.process = try ChildProcess(
            python,
            [
                "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "--tlscert", "\(d)/server.pem", "--tlskey",
                "\(d)/server.key", "-c", "aiosmtpd.handlers.Mailbox", mails.path,
            ], output: directory.appendingPathComponent("aiosmtpd.out"))
        try peer.waitUntilListening()
        return peer
    }

    /// The test CA's certificate (PEM), to trust.
    var caFile: String { directory.appendingPathComponent("ca.pem").path }

    /// A second CA, not the one that signed the server's certificate.
    var otherCAFile: String { directory.appendingPathComponent("other-ca.pem").path }

    /// A CA, a second CA, and a server key and certificate signed by the first.
    private func makeCertificates() throws {
        let d = directory.path
        try """
        subjectAltName=DNS:localhost,IP:127.0.0.1
        basicConstraints=CA:FALSE
        extendedKeyUsage=serverAuth

        """.write(toFile: "\(d)/server.ext", atomically: true, encoding: .utf8)
        let ca = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]
        try run(Self.openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/ca.key", "-out", "\(d)/ca.pem",
            "-days", "2", "-subj", "/CN=fanout test CA"] + ca)
        try run(Self.openssl, ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/other-ca.key", "-out",
            "\(d)/other-ca.pem", "-days", "2", "-subj", "/CN=another CA"] + ca)
        try run(Self.openssl, ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(d)/server.key", "-out", "\(d)/server.csr",
            "-subj", "/CN=localhost"])
        try run(Self.openssl, ["x509", "-req", "-in", "\(d)/server.csr", "-CA", "\(d)/ca.pem", "-CAkey", "\(d)/ca.key",
            "-CAcreateserial", "-out", "\(d)/server.pem", "-days", "2", "-extfile", "\(d)/server.ext"])
    }

    /// Runs a command to its end; throws when it fails.
    private func run(_ path: String, _ arguments: [String]) throws {
        let child = try ChildProcess(path, arguments, output: directory.appendingPathComponent("openssl.out"))
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let (exited, status) = child.poll()
            if exited {
                guard status == 0 else { throw KannelPeerError("\(path) \(arguments[0]) failed (status \(status))") }
                return
            }
            usleep(10_000)
        }
        throw KannelPeerError("\(path) \(arguments[0]) did not finish")
    }

    private func waitUntilListening() throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? Socket.connected(host: "127.0.0.1", port: port, timeoutMilliseconds: 500)) != nil { return }
            if let p = process, p.poll().exited {
                let output = (try? String(contentsOf: directory.appendingPathComponent("aiosmtpd.out"), encoding: .utf8)) ?? ""
                throw KannelPeerError("the SMTP server exited at start \(output.suffix(400))")
            }
            usleep(20_000)
        }
        throw KannelPeerError("the SMTP server did not listen on 127.0.0.1:\(port) within 30 s")
    }

    /// The mails the server took, each as it stored it (smtp-sink: its X- lines and Received
    /// header first).
    func mails() throws -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? []
        return try files.sorted().map { try String(contentsOf: mailDirectory.appendingPathComponent($0), encoding: .utf8) }
    }

    /// What the server wrote (smtp-sink's `-v` shows every command it received).
    func output() -> String {
        let name = FileManager.default.fileExists(atPath: directory.appendingPathComponent("smtp-sink.out").path)
            ? "smtp-sink.out" : "aiosmtpd.out"
        return (try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? ""
    }

    /// The paths of the stored mails.
    func mailFiles() -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? []
        return files.sorted().map { mailDirectory.appendingPathComponent($0).path }
    }

    /// Stops the server (SIGTERM, then SIGKILL) and removes its directory.
    func stop() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(at: directory)
    }
}

/// A stored mail parsed by Python's `email` package (an independent MIME reader): its headers,
/// and each text part decoded.
struct ParsedMail: Decodable {
    var headers: [String: String]
    var plain: String
    var html: String
    var contentType: String

    /// Parses the mail in `file` with `/usr/bin/python3` (email.policy.default).
    static func parse(_ file: String, scratch: URL) throws -> ParsedMail {
        let script = """
            import email, email.policy, json, sys
            raw = open(sys.argv[1], 'rb').read()
            m = email.message_from_bytes(raw, policy=email.policy.default)
            headers = {k: str(v) for k, v in m.items()}
            plain = m.get_body(('plain',)).get_content()
            html = m.get_body(('html',)).get_content()
            print(json.dumps({'headers': headers, 'plain': plain, 'html': html, 'contentType': m.get_content_type()}))
            """
        let scriptFile = scratch.appendingPathComponent("parse-mail.py")
        try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        let out = scratch.appendingPathComponent("parsed-\(UInt32.random(in: 0...UInt32.max)).json")
        let child = try ChildProcess(SMTPPeer.python, [scriptFile.path, file], output: out)
        let deadline = ContinuousClock.now + .seconds(30)
        while !child.poll().exited, ContinuousClock.now < deadline { usleep(5_000) }
        let data = try Data(contentsOf: out)
        do { return try JSONDecoder().decode(ParsedMail.self, from: data) } catch {
            throw KannelPeerError("python could not parse the mail: \(String(decoding: data.prefix(600), as: UTF8.self))")
        }
    }
}
