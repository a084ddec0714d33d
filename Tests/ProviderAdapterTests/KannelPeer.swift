import Foundation
import Synchronization
import TestSupport

@testable import ProviderAdapters
import Geo
import GeoFormats
import Participants
import Selection
import FanOut
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// A real Kannel on loopback for the tests: bearerbox, smsbox and Kannel's own fake SMSC
/// (`fakesmsc` from kannel-extras) as child processes, configured in a temporary directory with
/// ports chosen free, stopped (SIGTERM, then SIGKILL) by ``stop()``.
///
/// Not a test double: these are Kannel's own programs, from Debian's `kannel` and `kannel-extras`.
///
/// `@unchecked Sendable`: one test owns it; ``start(smsc:)`` hands it to a thread of its own and
/// awaits that thread's end before the test goes on.
final class KannelPeer: @unchecked Sendable {
    static let bearerbox = "/usr/sbin/bearerbox"
    static let smsbox = "/usr/sbin/smsbox"
    static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"
    static let username = "fanout"
    static let password = "s3cret-pass"

    /// Whether Kannel is installed (`apt-get install kannel kannel-extras`).
    static var installed: Bool {
        [bearerbox, smsbox, fakesmsc].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Whether the tests must run even without Kannel (and then fail): `tools/test.sh` and CI set
    /// `FANOUT_REQUIRE_KANNEL=1`; a developer machine without Kannel skips them.
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["FANOUT_REQUIRE_KANNEL"] == "1" || env["CI"] != nil
    }

    /// Run when installed, or when required (then a missing binary fails the test, naming it).
    static var shouldRun: Bool { installed || required }

    let directory: URL
    let adminPort: UInt16
    let smsboxPort: UInt16
    let smscPort: UInt16
    let sendsmsPort: UInt16
    private var processes: [String: ChildProcess] = [:]

    /// The sendsms URL of this smsbox.
    var sendsmsURL: String { "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms" }

    /// Writes `kannel.conf`.
    ///
    /// - Parameter outgoingQueueLimit: bearerbox's `sms-outgoing-queue-limit` (-1 unlimited): with
    ///   the SMSC down, smsbox answers 503 once that many messages wait.
    /// - Parameter replyURL: smsbox's `get-url` for SMS replies (MO), `%p` and `%a` in it; `nil`:
    ///   replies are answered with nothing.
    init(outgoingQueueLimit: Int = -1, replyURL: String? = nil) throws {
        for path in [Self.bearerbox, Self.smsbox, Self.fakesmsc]
        where !FileManager.default.isExecutableFile(atPath: path) {
            throw KannelPeerError("\(path) is not installed: apt-get install kannel kannel-extras (tools/test.sh does)")
        }
        directory = try Fixtures.temporaryDirectory("kannel")
        let ports = try Self.unusedPorts(4)
        (adminPort, smsboxPort, smscPort, sendsmsPort) = (ports[0], ports[1], ports[2], ports[3])
        let conf = """
            group = core
            admin-port = \(adminPort)
            admin-interface = 127.0.0.1
            admin-password = admin-pass
            admin-allow-ip = "127.0.0.1"
            smsbox-port = \(smsboxPort)
            smsbox-interface = 127.0.0.1
            box-allow-ip = "127.0.0.1"
            log-file = "\(directory.path)/bearerbox.log"
            log-level = 1
            dlr-storage = internal
            sms-outgoing-queue-limit = \(outgoingQueueLimit)
            sms-resend-freq = 1

            group = smsc
            smsc = fake
            smsc-id = fake
            port = \(smscPort)
            connect-allow-ip = "127.0.0.1"

            group = smsbox
            bearerbox-host = 127.0.0.1
            sendsms-port = \(sendsmsPort)
            sendsms-interface = 127.0.0.1
            log-file = "\(directory.path)/smsbox.log"
            log-level = 1

            group = sendsms-user
            username = \(Self.username)
            password = \(Self.password)
            max-messages = 3
            concatenation = true

            group = sms-service
            keyword = default
            \(replyURL.map { "get-url = \"\($0)\"\nmax-messages = 0" } ?? "text = \"\"")
            omit-empty = true
            catch-all = true

            """
        try conf.write(to: directory.appendingPathComponent("kannel.conf"), atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    /// Starts bearerbox and smsbox (and the fake SMSC unless `smsc` is false) and waits until
    /// smsbox is connected and, with the SMSC, the SMSC link is online.
    ///
    /// The waiting (blocking HTTP requests to bearerbox, sleeps between them) runs on a thread of
    /// its own: on Swift concurrency's cooperative pool it could be held up behind other tests
    /// for longer than its deadline.
    func start(smsc: Bool = true) async throws {
        try await onOwnThread {
            try self.launch("bearerbox", Self.bearerbox, [self.directory.appendingPathComponent("kannel.conf").path])
            try self.waitFor("bearerbox's admin port") { try self.status() != nil }
            try self.launch("smsbox", Self.smsbox, [self.directory.appendingPathComponent("kannel.conf").path])
            try self.waitFor("smsbox connected to bearerbox") {
                (try self.status()?.contains("smsbox:") ?? false) && self.accepts(self.sendsmsPort)
            }
            if smsc { try self.startSMSCBlocking() }
        }
    }

    /// Starts Kannel's fake SMSC and waits until bearerbox has it online.
    ///
    /// It sends one MO message
    /// at start (fakesmsc always does), which the catch-all service answers with nothing.
    func startSMSC() async throws {
        try await onOwnThread { try self.startSMSCBlocking() }
    }

    private func startSMSCBlocking() throws {
        try launch(
            "fakesmsc", Self.fakesmsc,
            ["-H", "127.0.0.1", "-r", String(smscPort), "-i", "100000", "-m", "-1", "100 200 text mo"])
        try waitFor("the fake SMSC online") { try self.status()?.contains("(online") ?? false }
    }

    /// Has the fake SMSC send one SMS (MO) from `sender` to the service: fakesmsc sends its
    /// messages when it starts, so it is started again with this one (bearerbox keeps the
    /// messages for the SMSC meanwhile and sends them once it is back).
    func sendReply(from sender: String, text: String) async throws {
        try await onOwnThread {
            self.stop("fakesmsc")
            try self.waitFor("the fake SMSC gone") { !(try self.status()?.contains("(online") ?? false) }
            try self.launch(
                "fakesmsc", Self.fakesmsc,
                ["-H", "127.0.0.1", "-r", String(self.smscPort), "-i", "100000", "-m", "1", "\(sender) 1234 text \(text)"])
            try self.waitFor("the fake SMSC online") { try self.status()?.contains("(online") ?? false }
        }
    }

    /// bearerbox's `status.txt`, or `nil` when it does not answer.
    func status() throws -> String? {
        do {
            let r = try HTTP.get(
                host: "127.0.0.1", port: adminPort, target: "/status.txt?password=admin-pass", timeoutMilliseconds: 2000
            )
            return r.status == 200 ? r.body : nil
        } catch let e as ProviderAdapterError where e.code == .unreachable || e.code == .noAnswer {
            return nil
        }
    }

    /// `n` different loopback ports free now, chosen below the kernel's ephemeral range
    /// (32768–60999 here): a port the kernel hands to another test's `bind(0)` listener between the
    /// choice and Kannel binding it (a CI run lost bearerbox's admin port that way) cannot be one of
    /// these. Each is checked by binding it once.
    ///
    /// No port is handed out twice in one test process: two suites starting a peer at the same time
    /// could otherwise both find one port free before either binds it (seen once when the
    /// command-line suite joined the adapter's).
    static func unusedPorts(_ n: Int) throws -> [UInt16] {
        var ports: [UInt16] = []
        var tries = 0
        while ports.count < n {
            tries += 1
            guard tries <= 1000 else { throw KannelPeerError("no free loopback port in 20000–31999") }
            let port = UInt16.random(in: 20_000...31_999)
            guard !ports.contains(port), (try? Socket.listening(host: "127.0.0.1", port: port)) != nil,
                handedOut.withLock({ $0.insert(port).inserted })
            else { continue }
            ports.append(port)
        }
        return ports
    }

    /// Every port ``unusedPorts(_:)`` has handed out in this process.
    private static let handedOut = Mutex<Set<UInt16>>([])

    private func accepts(_ port: UInt16) -> Bool {
        (try? Socket.connected(host: "127.0.0.1", port: port, timeoutMilliseconds: 1000)) != nil
    }

    private func launch(_ name: String, _ path: String, _ arguments: [String]) throws {
        processes[name] = try ChildProcess(
            path, arguments, output: directory.appendingPathComponent("\(name).out"))
    }

    /// Polls `condition` every 50 ms, blocking the calling thread, until it holds or `seconds` pass.
    private func waitFor(_ what: String, seconds: Double = 60, _ condition: () throws -> Bool) throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if try condition() { return }
            for (name, p) in processes where p.poll().exited {
                throw KannelPeerError("\(name) exited while waiting for \(what); see \(directory.path)")
            }
            usleep(50_000)
        }
        throw KannelPeerError("timed out after \(Int(seconds)) s waiting for \(what); see \(directory.path)")
    }

    /// Stops one process (SIGTERM, then SIGKILL after 5 s).
    func stop(_ name: String) {
        processes.removeValue(forKey: name)?.stop()
    }

    /// Stops everything (the SMSC first), then removes the directory unless `keep`.
    func stop(keep: Bool = false) {
        for name in ["fakesmsc", "smsbox", "bearerbox"] { stop(name) }
        if !keep { try? FileManager.default.removeItem(at: directory) }
    }

    // MARK: - What the fake SMSC received

    /// One message as fakesmsc printed it: `Got message N: <sender receiver type data>`.
    struct Received: Hashable {
        var sender: String
        var receiver: String
        /// `text` (GSM 7-bit, printed as UTF-8) or `ucs-2` (URL-encoded UTF-16BE).
        var type: String
        /// The text, decoded.
        var text: String
    }

    /// Every message the fake SMSC has received so far, in order.
    func received() throws -> [Received] {
        let url = directory.appendingPathComponent("fakesmsc.out")
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        var out: [Received] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let start = line.range(of: "Got message "), let open = line[start.upperBound...].firstIndex(of: "<"),
                line.hasSuffix(">")
            else { continue }
            let body = line[line.index(after: open)..<line.index(before: line.endIndex)]
            let fields = body.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count == 4 else { throw KannelPeerError("fakesmsc line not understood: \(line)") }
            let text: String
            switch fields[2] {
            case "text": text = String(fields[3])
            case "ucs-2":
                let bytes = try Self.percentDecoded(fields[3])
                guard bytes.count % 2 == 0 else { throw KannelPeerError("odd UCS-2 length in: \(line)") }
                let units = stride(from: 0, to: bytes.count, by: 2).map {
                    UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
                }
                text = String(decoding: units, as: UTF16.self)
            default: text = String(fields[3])
            }
            out.append(
                Received(sender: String(fields[0]), receiver: String(fields[1]), type: String(fields[2]), text: text))
        }
        return out
    }

    /// URL-decoded bytes (`+` is a space).
    static func percentDecoded(_ s: Substring) throws -> [UInt8] {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        while i < s.utf8.endIndex {
            let b = s.utf8[i]
            if b == UInt8(ascii: "%") {
                guard s.utf8.distance(from: i, to: s.utf8.endIndex) >= 3,
                    let hex = String(s.utf8[s.utf8.index(after: i)..<s.utf8.index(i, offsetBy: 3)]),
                    let v = UInt8(hex, radix: 16)
                else { throw KannelPeerError("bad escape in '\(s)'") }
                bytes.append(v)
                i = s.utf8.index(i, offsetBy: 3)
            } else {
                bytes.append(b == UInt8(ascii: "+") ? 0x20 : b)
                i = s.utf8.index(after: i)
            }
        }
        return bytes
    }
}

/// A failure of the Kannel test harness itself (not of the adapter under test).
struct KannelPeerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
