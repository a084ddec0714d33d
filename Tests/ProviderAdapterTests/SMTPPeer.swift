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

    static let postfix = "/usr/sbin/postfix"
    static let postfixMaster = "/usr/lib/postfix/sbin/master"

    /// Whether Postfix itself (not only smtp-sink) and openssl are installed.
    static var postfixInstalled: Bool {
        [postfix, postfixMaster, openssl, smtpSink].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts a private Postfix instance (its own configuration, queue and log in a temporary
    /// directory; `master -d` as the child process) whose smtpd listens on a free loopback port
    /// with PIPELINING and STARTTLS required (a certificate from ``caFile``'s CA), refuses the
    /// recipients in `refused` with 554 and those in `busy` with 450, and relays everything else
    /// to `relayPort` (an smtp-sink that dumps the mails).
    static func postfixServer(relayPort: UInt16, refused: [String], busy: [String]) throws -> SMTPPeer {
        guard postfixInstalled else { throw KannelPeerError("postfix or openssl is not installed: apt-get install postfix openssl") }
        let directory = try Fixtures.temporaryDirectory("postfix")
        // The postfix user must reach the queue inside it.
        guard chmod(directory.path, 0o755) == 0 else { throw KannelPeerError("chmod \(directory.path) failed") }
        let port = try KannelPeer.unusedPorts(1)[0]
        let peer = SMTPPeer(directory: directory, port: port, mailDirectory: directory.appendingPathComponent("none"))
        try peer.makeCertificates()
        let d = directory.path
        let fm = FileManager.default
        for sub in ["conf", "queue", "data"] {
            try fm.createDirectory(atPath: "\(d)/\(sub)", withIntermediateDirectories: true)
        }
        try fm.setAttributes([.ownerAccountName: "postfix"], ofItemAtPath: "\(d)/data")
        try """
        compatibility_level = 3.6
        queue_directory = \(d)/queue
        data_directory = \(d)/data
        command_directory = /usr/sbin
        daemon_directory = /usr/lib/postfix/sbin
        meta_directory = /etc/postfix
        shlib_directory = /usr/lib/postfix
        mail_owner = postfix
        setgid_group = postdrop
        inet_interfaces = 127.0.0.1
        inet_protocols = ipv4
        myhostname = fanout.test
        mydestination =
        mynetworks = 127.0.0.0/8
        maillog_file_prefixes = \(d)
        maillog_file = \(d)/maillog
        smtpd_relay_restrictions = permit_mynetworks, reject
        smtpd_recipient_restrictions = check_recipient_access texthash:\(d)/conf/recipients, permit
        smtpd_tls_cert_file = \(d)/server.pem
        smtpd_tls_key_file = \(d)/server.key
        smtpd_tls_security_level = encrypt
        default_transport = smtp:[127.0.0.1]:\(relayPort)
        smtp_tls_security_level = none

        """.write(toFile: "\(d)/conf/main.cf", atomically: true, encoding: .utf8)
        let table = refused.map { "\($0) REJECT no such participant\n" } + busy.map { "\($0) 450 4.2.1 mailbox busy\n" }
        try table.joined().write(toFile: "\(d)/conf/recipients", atomically: true, encoding: .utf8)
        let services = [
            "127.0.0.1:\(port) inet n - n - - smtpd", "cleanup unix n - n - 0 cleanup", "qmgr unix n - n 300 1 qmgr",
            "rewrite unix - - n - - trivial-rewrite", "bounce unix - - n - 0 bounce", "defer unix - - n - 0 bounce",
            "trace unix - - n - 0 bounce", "verify unix - - n - 1 verify", "flush unix n - n 1000? 0 flush",
            "proxymap unix - - n - - proxymap", "smtp unix - - n - - smtp", "relay unix - - n - - smtp",
            "error unix - - n - - error", "retry unix - - n - - error", "discard unix - - n - - discard",
            "anvil unix - - n - 1 anvil", "scache unix - - n - 1 scache", "postlog unix-dgram n - n - 1 postlogd",
            "tlsmgr unix - - n 1000? 1 tlsmgr", "showq unix n - n - - showq",
        ]
        try (services.joined(separator: "\n") + "\n").write(toFile: "\(d)/conf/master.cf", atomically: true, encoding: .utf8)
        // `postfix check` makes the queue's directories with their owners and modes.
        try peer.run(postfix, ["-c", "\(d)/conf", "check"])
        peer.process = try ChildProcess(
            postfixMaster, ["-c", "\(d)/conf", "-d"], output: directory.appendingPathComponent("master.out"))
        try peer.waitUntilListening()
        return peer
    }

    /// Postfix's log (`maillog_file`): smtpd's `disconnect … rset=1 …` lines count the commands.
    func maillog() -> String {
        (try? String(contentsOf: directory.appendingPathComponent("maillog"), encoding: .utf8)) ?? ""
    }

    /// The test CA's certificate (PEM), to trust.
    var caFile: String { directory.appendingPathComponent("ca.pem").path }

    /// A second CA, not the one that signed the server's certificate.
    var otherCAFile: String { directory.appendingPathComponent("other-ca.pem").path }

    /// A CA, a second CA, and a server key and certificate signed by the first.
    private func makeCertificates() throws {
        let d = directory.path
        try """
        subjectAltName=DNS:localhost
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
        let child = try ChildProcess(path, arguments, output: directory.appendingPathComponent("setup.out"))
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
