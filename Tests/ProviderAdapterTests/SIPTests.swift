@testable import ChannelAdapters
@testable import FanOut
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import Synchronization
import TestSupport
import Testing

/// The SIP voice adapter against a real SIPp (sip-tester) on loopback, with the audio rendered by
/// the real espeak-ng and sox.
///
/// Without SIPp, espeak-ng or sox these tests are skipped on a developer machine and fail in CI
/// (`FANOUT_REQUIRE_PEERS=1`, set by `tools/test.sh`, which installs them).
@Suite(
    .serialized,
    .enabled(if: SIPPeer.shouldRun, "SIPp, espeak-ng or sox is not installed: apt-get install sip-tester espeak-ng sox")
)
struct SIPTests {
    static let phone = "+31612345678"
    static let action = ActionID(rawValue: 15)

    static func message(person: Int64 = 42, text: String = "Vermist: meisje, rode jas.", language: String? = "nl")
        -> OutboundMessage
    {
        OutboundMessage(
            key: MessageKey(action: action, person: person, kind: .alert), channel: .voice, text: text,
            language: language)
    }

    /// Outcomes and answers as the adapter reports them.
    final class Heard: Sendable {
        let outcomes = Mutex<[(OutboundMessage, DeliveryResult)]>([])
        let answers = Mutex<[ParticipantAnswer]>([])

        var results: [DeliveryResult] { outcomes.withLock { $0.map(\.1) } }

        func adapter(
            _ configuration: SIPConfiguration, log: CapturingLogHandler, phone: String? = SIPTests.phone
        ) throws -> SIPVoiceProvider {
            try SIPVoiceProvider(
                configuration: configuration, phoneNumber: { _ in phone },
                answers: { [self] a in answers.withLock { $0.append(a) } }, logger: log.logger(),
                onOutcome: { [self] m, r in outcomes.withLock { $0.append((m, r)) } })
        }

        func wait(for n: Int, seconds: Double = 60) async throws -> [DeliveryResult] {
            _ = try await eventually(seconds: seconds) { [self] in outcomes.withLock { $0.count >= n } }
            return results
        }
    }

    static func cache() throws -> URL { try Fixtures.temporaryDirectory("sip-cache") }

    /// No phone number in any log line or trace the adapter wrote.
    static func expectNoPersonalData(_ log: CapturingLogHandler) {
        #expect(!log.lines.contains { $0.contains(phone) || $0.contains("612345678") })
        #expect(!log.lines.contains { $0.contains(SIPPeer.password) })
    }

    // MARK: - Answered

    @Test func aCallAnsweredAfterDigestAuthenticationIsDelivered() async throws {
        let peer = try SIPPeer(
            scenario: SIPScenarios.answersWithDigest(username: SIPPeer.username, password: SIPPeer.password))
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.delivered], "\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        let stats = sip.statistics
        #expect(stats.challenges == 1 && stats.answered == 1 && stats.delivered == 1 && stats.placed == 1)
        let trace = peer.messages()
        // SIPp's verifyauth accepted the digest (a wrong one gets 403); the password never travelled.
        #expect(trace.contains("Authorization: Digest username=\"fanout\""))
        #expect(trace.contains("qop=auth"))
        #expect(!trace.contains("403 Forbidden"))
        #expect(!trace.contains(SIPPeer.password))
        #expect(trace.contains("INVITE sip:\(Self.phone)@127.0.0.1:\(peer.port) SIP/2.0"))
        #expect(trace.contains("X-Fanout-Key: 15/42/alert/1"))
        #expect(try await eventually(seconds: 5) { sip.pending == 0 })
        Self.expectNoPersonalData(log)
    }

    @Test func aWrongPasswordIsRefusedAndReportedFailed() async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.answersWithDigest(username: SIPPeer.username, password: "other"))
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.failed], "\(peer.log())")
        #expect(peer.messages().contains("403 Forbidden"))
        #expect(log.lines.contains { $0.contains("403 Forbidden") })
        Self.expectNoPersonalData(log)
    }

    // MARK: - The audio

    @Test(arguments: [G711.pcmu, G711.pcma])
    func theRTPStreamIsTheRenderedMessage(codec: G711) async throws {
        let capture = try RTPCapture()
        defer { capture.stop() }
        let map = codec == .pcmu ? "a=rtpmap:0 PCMU/8000" : "a=rtpmap:8 PCMA/8000"
        let peer = try SIPPeer(
            scenario: SIPScenarios.answers(mediaPort: "\(capture.port)", codecs: "\(codec.rawValue) 101", map: map))
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let cache = try Self.cache()
        let sip = try heard.adapter(try peer.configuration(cache: cache, dtmfWait: .milliseconds(200)), log: log)
        defer { sip.shutdown() }
        let message = Self.message(text: "Test.", language: "en")
        sip.submit(message, at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.delivered], "\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")

        // The cache holds the rendering; the packets carry exactly its bytes, in 160-byte packets.
        let file = sip.audioFile(for: message)
        let expectedFile = codec == .pcmu ? file : String(file.dropLast(".ulaw".count)) + ".alaw"
        let expected = try [UInt8](Data(contentsOf: URL(fileURLWithPath: expectedFile)))
        #expect(expected.count > 8000, "at least a second of speech: \(expected.count) bytes")
        _ = try await eventually(seconds: 5) { capture.packets.count * 160 >= expected.count }
        let packets = capture.packets.compactMap { SIPRTP.parse($0[...]) }
        #expect(packets.count == (expected.count + 159) / 160)
        guard let first = packets.first else { return }
        #expect(first.marker)
        #expect(packets.dropFirst().allSatisfy { !$0.marker })
        #expect(packets.allSatisfy { $0.payloadType == codec.rawValue && $0.ssrc == first.ssrc })
        #expect(packets.allSatisfy { $0.payload.count == 160 })
        for (i, p) in packets.enumerated() {
            #expect(p.sequence == first.sequence &+ UInt16(i), "sequence of packet \(i)")
            #expect(p.timestamp == first.timestamp &+ UInt32(160 * i), "timestamp of packet \(i)")
        }
        let received = packets.flatMap(\.payload)
        let padded = expected + [UInt8](repeating: codec.silence, count: received.count - expected.count)
        #expect(received == padded)
        // The cache file is named after action, language and text.
        #expect(URL(fileURLWithPath: file).lastPathComponent.hasPrefix("15-en-"))
        // The audio took real time: 20 ms per packet.
        #expect(capture.span >= .milliseconds(20 * (packets.count - 1) - 100))
    }

    // MARK: - Key presses

    @Test(arguments: [(1, AnswerKind.sighting), (2, AnswerKind.stop)])
    func aKeyPressedDuringTheMessageIsAnAnswer(key: Int, kind: AnswerKind) async throws {
        let pcap = "/usr/share/sip-tester/dtmf_2833_\(key).pcap"
        let peer = try SIPPeer(scenario: SIPScenarios.answersAndPresses(pcap, afterMilliseconds: 500))
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(person: 77), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.delivered], "\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        let answers = heard.answers.withLock { $0 }
        // The pcap holds one key press as 10 packets (3 of them the end, repeated): one answer.
        #expect(answers.count == 1)
        #expect(answers.first?.kind == kind)
        #expect(answers.first?.action == Self.action && answers.first?.person == 77)
        #expect(answers.first?.channel == .voice)
        #expect(sip.statistics.sightings + sip.statistics.stops == 1)
    }

    // MARK: - Not answered

    @Test func aBusyLineIsBusy() async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.busy)
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.busy], "\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        Self.expectNoPersonalData(log)
    }

    @Test(arguments: [
        ("503 Service Unavailable", "Retry-After: 30", DeliveryResult.throttled),
        ("503 Service Unavailable", "", .failed), ("480 Temporarily Unavailable", "", .noAnswer),
        ("408 Request Timeout", "", .noAnswer), ("600 Busy Everywhere", "", .busy), ("404 Not Found", "", .failed),
    ])
    func finalResponsesFromTheFarEndMapToResults(status: String, header: String, result: DeliveryResult) async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.refuses(status, header: header))
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [result], "\(peer.log())")
        // SIPp got the ACK of its final response: the scenario completed.
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
    }

    @Test func aPhoneThatRingsPastTheTimeoutIsCancelledAndNotAnswered() async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.ringsForever)
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache(), ringTimeout: .seconds(1)), log: log)
        defer { sip.shutdown() }
        let started = ContinuousClock.now
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.noAnswer], "\(peer.log())")
        #expect(ContinuousClock.now - started >= .seconds(1))
        // SIPp received the CANCEL and the ACK of its 487: the scenario completed.
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        #expect(sip.statistics.cancelled == 1)
    }

    // MARK: - Hung up by the far end, lines

    @Test func aHangUpMidMessageIsDeliveredAndFreesTheLine() async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.hangsUpMidMessage)
        defer { peer.stop() }
        try peer.start(calls: 5)
        let heard = Heard()
        let log = CapturingLogHandler()
        // Two lines for five calls: each call ends when SIPp hangs up (0.7 s), long before its
        // message would have played (about 6 s).
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache(), lines: 2), log: log)
        defer { sip.shutdown() }
        let started = ContinuousClock.now
        for person in 1...5 { sip.submit(Self.message(person: Int64(person)), at: .zero, reporter: DeliveryReporter()) }
        #expect(try await heard.wait(for: 5) == Array(repeating: .delivered, count: 5), "\(peer.log())")
        let elapsed = ContinuousClock.now - started
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        let stats = sip.statistics
        #expect(stats.hungUpByPeer == 5 && stats.delivered == 5)
        #expect(stats.peakCalls == 2)
        #expect(elapsed < .seconds(15), "the lines were freed at each hang-up: \(elapsed)")
        #expect(try await eventually(seconds: 5) { sip.pending == 0 })
    }

    // MARK: - Bad peers

    @Test func malformedResponsesAreIgnoredAndTheCallGoesOn() async throws {
        let peer = try SIPPeer(scenario: SIPScenarios.malformedThenBusy)
        defer { peer.stop() }
        try peer.start()
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(try peer.configuration(cache: try Self.cache()), log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1) == [.busy], "\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        #expect(sip.statistics.malformed >= 4, "\(sip.statistics)")
        #expect(log.lines.contains { $0.contains("datagram ignored") })
        // The number in the junk datagram is masked in the log.
        #expect(!log.lines.contains { $0.contains("31612345678") })
        #expect(log.lines.contains { $0.contains("<number>") })
    }

    @Test func aProxyThatIsNotListeningThrottles() async throws {
        let port = try SIPPeer.freeUDPPorts(1)[0]
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(
            try SIPConfiguration(
                proxyHost: "127.0.0.1", proxyPort: port, username: "fanout", password: "x", localHost: "127.0.0.1",
                audioCacheDirectory: try Self.cache().path),
            log: log)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        // ICMP port unreachable on loopback: the connected socket reports ECONNREFUSED at once.
        #expect(try await heard.wait(for: 1, seconds: 20) == [.throttled])
        #expect(sip.statistics.throttled == 1)
    }

    @Test func aPersonWithoutPhoneNumberFails() async throws {
        let port = try SIPPeer.freeUDPPorts(1)[0]
        let heard = Heard()
        let log = CapturingLogHandler()
        let sip = try heard.adapter(
            try SIPConfiguration(
                proxyHost: "127.0.0.1", proxyPort: port, username: "fanout", password: "x", localHost: "127.0.0.1",
                audioCacheDirectory: try Self.cache().path),
            log: log, phone: nil)
        defer { sip.shutdown() }
        sip.submit(Self.message(), at: .zero, reporter: DeliveryReporter())
        #expect(try await heard.wait(for: 1, seconds: 20) == [.failed])
        #expect(sip.statistics.placed == 0)
        #expect(log.lines.contains { $0.contains("no dialable phone number") })
    }
}

/// A UDP socket on loopback that records every datagram (the RTP the adapter sends), on a thread
/// of its own until ``stop()``.
final class RTPCapture: Sendable {
    let port: UInt16
    private let state = Mutex<
        (packets: [[UInt8]], first: ContinuousClock.Instant?, last: ContinuousClock.Instant?, stop: Bool)
    >(
        ([], nil, nil, false))
    private let done = DispatchSemaphore(value: 0)

    init() throws {
        let port = try SIPPeer.freeUDPPorts(2)[1]  // an even port
        self.port = port
        let ready = DispatchSemaphore(value: 0)
        let failed = Mutex<Error?>(nil)
        let thread = Thread { [self] in
            defer { done.signal() }
            let socket: UDPSocket
            do {
                socket = try UDPSocket.bound(host: "127.0.0.1", port: port)
                ready.signal()
            } catch {
                failed.withLock { $0 = error }
                ready.signal()
                return
            }
            var buffer = [UInt8](repeating: 0, count: 2048)
            while !state.withLock({ $0.stop }) {
                var p = pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 20) > 0 else { continue }
                while case .datagram(let n, _) = socket.receive(into: &buffer) {
                    let packet = Array(buffer[0..<n])
                    let now = ContinuousClock.now
                    state.withLock { s in
                        s.packets.append(packet)
                        if s.first == nil { s.first = now }
                        s.last = now
                    }
                }
            }
        }
        thread.start()
        ready.wait()
        if let e = failed.withLock({ $0 }) { throw e }
    }

    var packets: [[UInt8]] { state.withLock { $0.packets } }

    /// From the first packet to the last.
    var span: Duration {
        state.withLock { s in
            guard let first = s.first, let last = s.last else { return .zero }
            return last - first
        }
    }

    func stop() {
        let first = state.withLock { s -> Bool in
            defer { s.stop = true }
            return !s.stop
        }
        if first { done.wait() }
    }
}

/// The SIP adapter as the dispatcher's voice provider, with phone numbers from a registry.
@Suite(
    .serialized,
    .enabled(if: SIPPeer.shouldRun, "SIPp, espeak-ng or sox is not installed: apt-get install sip-tester espeak-ng sox")
)
struct SIPDispatcherTests {
    @Test func anActionPhonesEveryoneThroughSIPpAndTheLedgerHoldsThemDelivered() async throws {
        let n: Int64 = 4
        let peer = try SIPPeer(scenario: SIPScenarios.hangsUpMidMessage)
        defer { peer.stop() }
        try peer.start(calls: Int(n))
        let dir = try Fixtures.temporaryDirectory("sip-run")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try KannelTests.registry(n, in: dir)
        let log = CapturingLogHandler()
        let sip = try SIPVoiceProvider(
            configuration: try peer.configuration(cache: dir.appendingPathComponent("voice"), lines: 2),
            registry: registry, logger: log.logger())
        defer { sip.shutdown() }
        let ledger = try Ledger.open(at: dir.appendingPathComponent("ledger.sqlite").path)
        let d = try Dispatcher(
            config: DispatchConfig(voice: .init(lines: 2)), providers: [:], deferredProviders: [.voice: sip],
            clock: SystemDispatchClock(), ledger: ledger)
        let driver = Task { try await d.run() }
        defer { driver.cancel() }
        var request = KannelTests.request()
        request.channels = [.voice]
        let recipients = (1...n).map { i in Recipient(id: i, distanceMeters: Double(n - i), channels: [.voice]) }
        let id = try d.start(request, recipients: recipients)
        let done = try await eventually(seconds: 120) { try d.status(id).alerts == [.delivered: Int(n)] }
        let alerts = try d.status(id).alerts
        #expect(done, "status: \(alerts), sip: \(sip.statistics)\n\(peer.log())")
        #expect(try await peer.waitForExit() == 0, "\(peer.log())")
        // Each person's own number was dialled, once.
        let trace = peer.messages()
        for i in 1...n {
            let invites = trace.components(separatedBy: "INVITE sip:\(KannelTests.phone(i))@").count - 1
            #expect(invites == 1, "INVITEs for person \(i)")
        }
        #expect(sip.statistics.peakCalls <= 2)
        try d.flush()
        #expect(try ledger.messages(of: id).allSatisfy { $0.state == .delivered && $0.channel == .voice })
        #expect(!log.lines.contains { $0.contains("+3161") })
    }
}
