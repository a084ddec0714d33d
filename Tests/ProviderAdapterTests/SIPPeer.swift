@testable import ChannelAdapters
import Foundation
@testable import ProviderAdapters
import TestSupport

/// A real SIPp (Debian's sip-tester) on loopback as the far end of the SIP adapter's calls: a UAS
/// running a scenario written by the test, started as a child process, stopped by ``stop()``.
///
/// Not a test double: SIPp is an independent SIP implementation; it checks what it receives
/// against the scenario (a message out of order fails its call, and its exit status says so).
final class SIPPeer: @unchecked Sendable {
    static let sipp = "/usr/bin/sipp"
    static let tools = [sipp, "/usr/bin/espeak-ng", "/usr/bin/sox"]
    static let username = "fanout"
    static let password = "s3cret-sip"

    /// Whether SIPp, espeak-ng and sox are installed.
    static var installed: Bool { tools.allSatisfy { FileManager.default.isExecutableFile(atPath: $0) } }

    /// Whether the tests must run even without the peers (then fail): `FANOUT_REQUIRE_PEERS=1`
    /// (`tools/test.sh` and CI set it).
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["FANOUT_REQUIRE_PEERS"] == "1" || env["CI"] != nil
    }

    /// Run when installed, or when required (then a missing binary fails the test, naming it).
    static var shouldRun: Bool { installed || required }

    let directory: URL
    let port: UInt16
    let mediaPort: UInt16
    private var process: ChildProcess?

    /// SIPp's output (screens, errors) file.
    var outputFile: URL { directory.appendingPathComponent("sipp.out") }
    /// SIPp's message trace (every message sent and received).
    var messageFile: URL { directory.appendingPathComponent("messages.log") }
    var errorFile: URL { directory.appendingPathComponent("errors.log") }

    /// Writes `scenario` (SIPp XML) to a temporary directory and picks free ports.
    init(scenario: String) throws {
        for path in Self.tools where !FileManager.default.isExecutableFile(atPath: path) {
            throw KannelPeerError(
                "\(path) is not installed: apt-get install sip-tester espeak-ng sox (tools/test.sh does)")
        }
        directory = try Fixtures.temporaryDirectory("sipp")
        let ports = try Self.freeUDPPorts(2)
        (port, mediaPort) = (ports[0], ports[1])
        try scenario.write(to: directory.appendingPathComponent("scenario.xml"), atomically: true, encoding: .utf8)
    }

    deinit { stop() }

    /// Starts SIPp as UAS for `calls` calls and waits until it listens.
    func start(calls: Int = 1, timeoutSeconds: Int = 60, extra: [String] = []) throws {
        let arguments =
            [
                "-sf", directory.appendingPathComponent("scenario.xml").path, "-i", "127.0.0.1", "-p", "\(port)",
                "-mi", "127.0.0.1", "-mp", "\(mediaPort)", "-m", "\(calls)", "-nostdin", "-trace_msg",
                "-message_file", messageFile.path, "-trace_err", "-error_file", errorFile.path, "-timeout",
                "\(timeoutSeconds)s", "-timeout_error",
            ] + extra
        process = try ChildProcess(Self.sipp, arguments, output: outputFile)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try Self.listening(port) { return }
            if let p = process, p.poll().exited { throw KannelPeerError("sipp exited at start: \(log())") }
            usleep(20_000)
        }
        throw KannelPeerError("sipp does not listen on UDP \(port) after 10 s: \(log())")
    }

    /// SIPp's exit status once it has run its calls and exited (0: every call went as the
    /// scenario says); `nil` while it runs.
    var exitStatus: Int32? {
        if let finalStatus { return finalStatus }
        guard let process else { return nil }
        let (exited, status) = process.poll()
        if exited { finalStatus = (status >> 8) & 0xFF }
        return finalStatus
    }
    private var finalStatus: Int32?

    /// Waits (off the cooperative pool) until SIPp exits; its exit status, `nil` if still running.
    func waitForExit(seconds: Double = 60) async throws -> Int32? {
        _ = try await eventually(seconds: seconds) { [self] in exitStatus != nil }
        return exitStatus
    }

    func stop() { process?.stop() }

    /// SIPp's output and error trace (for failure messages).
    func log() -> String {
        let out = (try? String(contentsOf: outputFile, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return "sipp output (tail):\n\(out.suffix(1500))\nerrors:\n\(errors.suffix(1500))"
    }

    /// The messages SIPp traced.
    func messages() -> String { (try? String(contentsOf: messageFile, encoding: .utf8)) ?? "" }

    /// `n` distinct UDP ports free at the moment (bound to 0, read, released).
    static func freeUDPPorts(_ n: Int) throws -> [UInt16] {
        var sockets: [UDPSocket] = []
        var ports: [UInt16] = []
        while ports.count < n {
            let s = try UDPSocket.bound(host: "127.0.0.1", port: 0)
            sockets.append(s)
            let p = try s.localAddress().port
            // An even port for SIPp's media (RTP), an odd one left for RTCP.
            if ports.count == 1, p % 2 == 1 { continue }
            ports.append(p)
        }
        return ports
    }

    /// Whether some socket listens on UDP `port` (from /proc/net/udp).
    static func listening(_ port: UInt16) throws -> Bool {
        let table = try String(contentsOfFile: "/proc/net/udp", encoding: .utf8)
        let hex = String(format: ":%04X ", port)
        return table.split(separator: "\n").dropFirst().contains { line in
            line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.map {
                ($0 + " ").hasSuffix(hex)
            } ?? false
        }
    }

    /// An adapter configuration for this SIPp: the credentials the scenarios check, a cache in `cache`.
    func configuration(
        cache: URL, lines: Int = 4, ringTimeout: Duration = .seconds(30), dtmfWait: Duration = .milliseconds(500)
    ) throws -> SIPConfiguration {
        let rtp = try Self.freeUDPPorts(1)[0]
        let low = rtp % 2 == 0 ? rtp : rtp &+ 1
        return try SIPConfiguration(
            proxyHost: "127.0.0.1", proxyPort: port, username: Self.username, password: Self.password,
            displayName: "Burgernet", localHost: "127.0.0.1", rtpPorts: low...(low + UInt16(2 * lines + 1)),
            lines: lines,
            ringTimeout: ringTimeout, dtmfWait: dtmfWait, audioCacheDirectory: cache.path)
    }
}
