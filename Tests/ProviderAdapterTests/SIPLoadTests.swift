@testable import ChannelAdapters
@testable import FanOut
import FanOut
import Foundation
@testable import ProviderAdapters
import Synchronization
import TestSupport
import Testing

/// The SIP adapter's speed against SIPp on loopback.
///
/// Calls set up per second and calls held at once. It prints figures and asserts only that every
/// call completed (speed is never asserted).
///
/// Run by `tools/sip-load.sh` (`FANOUT_SIP_LOAD=1`); skipped otherwise.
@Suite(
    .serialized, .enabled(if: ProcessInfo.processInfo.environment["FANOUT_SIP_LOAD"] == "1", "set FANOUT_SIP_LOAD=1"))
struct SIPLoadTests {
    static let env = ProcessInfo.processInfo.environment

    static func number(_ name: String, _ fallback: Int) -> Int { env[name].flatMap { Int($0) } ?? fallback }

    /// SIPp answers and hangs up after `holdMilliseconds` (0: at once, after the ACK).
    static func scenario(holdMilliseconds: Int) -> String {
        SIPScenarios.scenario(
            "load",
            """
            \(SIPScenarios.recvInvite)
            \(SIPScenarios.response("100 Trying"))
            \(SIPScenarios.response("200 OK", sdp: SIPScenarios.sdp()))
              <recv request="ACK" />
              <pause milliseconds="\(holdMilliseconds)" />
              <send>
                <![CDATA[
              BYE sip:fanout@[remote_ip]:[remote_port] SIP/2.0
              Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
              From: <sip:[local_ip]:[local_port]>;tag=[pid]SIPpTag01[call_number]
              To: [$remote_from]
              [last_Call-ID:]
              CSeq: 2 BYE
              Max-Forwards: 70
              Content-Length: 0

                ]]>
              </send>
              <recv response="200" />
            """)
    }

    /// The load's message: about 25 s of speech, longer than SIPp holds a call (SIPp hangs up).
    static func message(person: Int64) -> OutboundMessage {
        SIPTests.message(
            person: person,
            text: Array(
                repeating: "Vermist: een meisje van acht jaar, rode jas, blond haar, bij het station.", count: 4
            )
            .joined(separator: " "))
    }

    /// Places `calls` calls on `lines` lines to a SIPp that holds each for `hold`; prints the figures.
    func run(label: String, calls: Int, lines: Int, holdMilliseconds: Int) async throws {
        let peer = try SIPPeer(scenario: Self.scenario(holdMilliseconds: holdMilliseconds))
        defer { peer.stop() }
        try peer.start(
            calls: calls, timeoutSeconds: 600,
            extra: ["-max_recv_loops", "10000", "-l", "100000", "-buff_size", "4194304"])
        let cache = try Fixtures.temporaryDirectory("sip-load-cache")
        let rtp = try SIPPeer.freeUDPPorts(1)[0]
        let low = UInt16(max(10_000, min(Int(rtp), 65_535 - 2 * lines - 2)) & ~1)
        let configuration = try SIPConfiguration(
            proxyHost: "127.0.0.1", proxyPort: peer.port, username: "fanout", password: "x", localHost: "127.0.0.1",
            rtpPorts: low...(low + UInt16(2 * lines + 1)), lines: lines, ringTimeout: .seconds(60),
            dtmfWait: .milliseconds(200), audioCacheDirectory: cache.path, queueCapacity: calls + 1)
        let done = Mutex<[DeliveryResult]>([])
        let sip = try SIPVoiceProvider(
            configuration: configuration, phoneNumber: { "+3161\(String(1_000_000 + $0).suffix(7))" },
            onOutcome: { _, r in done.withLock { $0.append(r) } })
        defer { sip.shutdown() }
        // The message is rendered once (one action, one text): warm the cache outside the measurement.
        _ = try sip.core.audio.rendering(for: Self.message(person: 1))
        let cpuBefore = Self.cpuSeconds()
        let started = ContinuousClock.now
        for person in 1...calls {
            sip.submit(Self.message(person: Int64(person)), at: .zero, reporter: DeliveryReporter())
        }
        let finished = try await eventually(seconds: 600) { done.withLock { $0.count } >= calls }
        let elapsed = ContinuousClock.now - started
        let cpu = Self.cpuSeconds() - cpuBefore
        let results = done.withLock { $0 }
        let stats = sip.statistics
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            """
            SIP load [\(label)]: \(calls) calls on \(lines) lines, SIPp holding each \(holdMilliseconds) ms
              all reported after \(String(format: "%.2f", seconds)) s: \(String(format: "%.1f", Double(calls) / seconds)) calls/s
              delivered \(results.filter { $0 == .delivered }.count), other \(results.filter { $0 != .delivered }.count); peak calls up \(stats.peakCalls)
              RTP packets sent \(stats.packetsSent), sent > 40 ms late \(stats.latePackets) (\(String(format: "%.2f", 100 * Double(stats.latePackets) / Double(max(1, stats.packetsSent))))%)
              CPU of the test process \(String(format: "%.1f", cpu)) s (\(String(format: "%.0f", 100 * cpu / seconds))% of one core)
            """)
        #expect(finished)
        #expect(results.count == calls)
        #expect(results.allSatisfy { $0 == .delivered }, "\(stats)")
        #expect(try await peer.waitForExit(seconds: 60) == 0, "\(peer.log())")
    }

    @Test func callsSetUpPerSecond() async throws {
        let calls = Self.number("FANOUT_SIP_LOAD_CALLS", 2000)
        let lines = Self.number("FANOUT_SIP_LOAD_LINES", 200)
        try await run(label: "setup", calls: calls, lines: lines, holdMilliseconds: 0)
    }

    @Test func callsHeldAtOnce() async throws {
        let lines = Self.number("FANOUT_SIP_LOAD_HELD", 500)
        try await run(
            label: "held", calls: lines, lines: lines, holdMilliseconds: Self.number("FANOUT_SIP_LOAD_HOLD_MS", 15_000))
    }

    /// User and system CPU seconds of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return 0 }  // 0, or -1 with errno
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
            + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
