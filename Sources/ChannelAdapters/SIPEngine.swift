import FanOut
import Foundation
import Logging
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The event loop of ``SIPVoiceProvider``: one thread that owns the signalling socket and every
/// call's RTP socket, places calls (at most ``SIPConfiguration/lines`` at once), retransmits per
/// RFC 3261's timers, plays the messages as RTP and hears the key presses.
///
/// Not `Sendable`: it lives and dies on its thread. It reaches the rest of the adapter only
/// through ``SIPCore`` (the queue under its lock, and ``SIPCore/finish(_:_:reason:replay:)``).
final class SIPEngine {
    /// A non-INVITE client transaction (CANCEL, BYE): retransmitted per Timer E until a final
    /// response or Timer F.
    struct Transaction {
        var bytes: [UInt8]
        var nextAt: ContinuousClock.Instant
        var interval: Duration
        var giveUpAt: ContinuousClock.Instant
    }

    let core: SIPCore
    let socket: UDPSocket
    let local: SIPAddress
    var calls: [String: SIPCall] = [:]
    var preparing = 0
    var transactions: [String: Transaction] = [:]
    /// Calls ended recently: the ACK to send again when their final response is retransmitted.
    var ended: [String: (ack: [UInt8]?, until: ContinuousClock.Instant)] = [:]
    var usedPorts: Set<UInt16> = []
    var portCursor: UInt16
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var malformed = 0
    let configuration: SIPConfiguration

    init(core: SIPCore, socket: UDPSocket, local: SIPAddress) {
        self.core = core
        self.socket = socket
        self.local = local
        configuration = core.configuration
        portCursor = configuration.rtpPorts.lowerBound
    }

    /// The Request-URI (and To) of a call: `sip:<number>@<proxy>[:port]`.
    func requestURI(_ call: SIPCall) -> String {
        "sip:\(call.phone)@\(configuration.proxyHost)"
            + (configuration.proxyPort == 5060 ? "" : ":\(configuration.proxyPort)")
    }

    // MARK: - The loop

    func run() {
        var nextCleanup = ContinuousClock.now + .seconds(1)
        while true {
            let taken = core.state.withLock {
                s -> (
                    stop: Bool, jobs: [SIPCore.Job], prepared: [SIPCore.Prepared], rejected: [SIPCore.Job],
                    replays: [(SIPCore.Job, DeliveryResult)]
                ) in
                if s.stopping { return (true, [], [], [], []) }
                var jobs: [SIPCore.Job] = []
                let free = configuration.lines - preparing - calls.count
                while jobs.count < free, let job = s.pop() { jobs.append(job) }
                let prepared = s.prepared
                s.prepared = []
                let rejected = s.rejected
                s.rejected = []
                let replays = s.replays
                s.replays = []
                s.active = preparing + jobs.count + calls.count
                s.statistics.peakCalls = max(s.statistics.peakCalls, calls.count)
                return (false, jobs, prepared, rejected, replays)
            }
            if taken.stop {
                hangUpAll()
                return
            }
            preparing += taken.jobs.count
            core.prepare(taken.jobs)
            for job in taken.rejected { core.finish(job, .throttled, reason: "the adapter's queue is full") }
            for (job, result) in taken.replays { core.finish(job, result, replay: true) }
            for (i, prepared) in taken.prepared.enumerated() {
                preparing -= 1
                start(prepared)
                // Between INVITEs of a burst, the responses to the earlier ones are read.
                if i % 16 == 15 { readSignalling() }
            }
            waitAndRead()
            let now = ContinuousClock.now
            for call in Array(calls.values) { tick(call, now: now) }
            retransmitTransactions(now: now)
            if now >= nextCleanup {
                ended = ended.filter { $0.value.until > now }
                nextCleanup = now + .seconds(1)
            }
        }
    }

    /// Waits (at most 20 ms, less when a timer or packet is due sooner) for datagrams and reads them.
    private func waitAndRead() {
        let now = ContinuousClock.now
        var next = now + .milliseconds(20)
        for call in calls.values { next = min(next, call.nextDeadline) }
        for t in transactions.values { next = min(next, t.nextAt) }
        let milliseconds = max(0, Int32((next - now).wholeMillisecondsRoundedDown))
        let answered = calls.values.filter { $0.state == .answered }
        var fds = [pollfd(fd: socket.fd, events: Int16(POLLIN), revents: 0)]
        fds += answered.map { pollfd(fd: $0.rtp.fd, events: Int16(POLLIN), revents: 0) }
        let r = poll(&fds, nfds_t(fds.count), milliseconds)  // ready count, 0 on timeout, -1 with errno
        guard r > 0 else { return }
        if fds[0].revents != 0 { readSignalling() }
        for (i, call) in answered.enumerated() where fds[i + 1].revents != 0 { readMedia(call) }
    }

    // MARK: - Placing a call

    private func start(_ prepared: SIPCore.Prepared) {
        let job = prepared.job
        let phone: String
        let rendering: SIPAudio.Rendering
        switch prepared.outcome {
        case .failure(let e):
            core.finish(job, .failed, reason: e.description)
            return
        case .success(let ready): (phone, rendering) = ready
        }
        guard let (rtp, port) = bindRTP() else {
            core.finish(job, .throttled, reason: "no free RTP port in \(configuration.rtpPorts)")
            return
        }
        let now = ContinuousClock.now
        let call = SIPCall(
            job: job, phone: phone, rendering: rendering, rtp: rtp, rtpPort: port,
            ringTimeout: configuration.ringTimeout, now: now)
        call.invite = invite(call, authorization: nil)
        calls[call.callID] = call
        usedPorts.insert(port)
        core.state.withLock { $0.statistics.placed += 1 }
        if let error = socket.send(call.invite) {
            endCall(
                call, Self.unreachable(error) ? .throttled : .failed,
                reason: "sending the INVITE failed: \(Self.text(error))")
            return
        }
        call.retransmitAt = now + SIPTimers.t1
    }

    /// An RTP socket on a free even port of the range.
    private func bindRTP() -> (UDPSocket, UInt16)? {
        let range = configuration.rtpPorts
        let evenLow = range.lowerBound % 2 == 0 ? range.lowerBound : range.lowerBound + 1
        let slots = (Int(range.upperBound) - Int(evenLow)) / 2 + 1
        for _ in 0..<slots {
            var port = portCursor % 2 == 0 ? portCursor : portCursor + 1
            if port < evenLow || port > range.upperBound { port = evenLow }
            portCursor = port >= range.upperBound - 1 ? evenLow : port + 2
            if usedPorts.contains(port) { continue }
            if let s = try? UDPSocket.bound(host: configuration.localHost, port: port) { return (s, port) }
        }
        return nil
    }

    private static func unreachable(_ error: Int32) -> Bool {
        [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EHOSTDOWN, ENETDOWN].contains(error)
    }

    static func text(_ error: Int32) -> String { "\(String(cString: strerror(error))) (errno \(error))" }

    // MARK: - Ending a call

    /// Ends `call`: frees its line and RTP port and reports `result`.
    func endCall(_ call: SIPCall, _ result: DeliveryResult, reason: String?, ack: [UInt8]? = nil) {
        guard calls.removeValue(forKey: call.callID) != nil else { return }
        usedPorts.remove(call.rtpPort)
        ended[call.callID] = (ack ?? call.ack, ContinuousClock.now + SIPTimers.b)
        core.finish(call.job, result, reason: reason)
    }

    /// Sends BYE for an answered call (retransmitted until answered).
    func sendBye(_ call: SIPCall) {
        call.cseq += 1
        let branch = SIPRandom.branch()
        var headers = [("Via", via(branch)), ("Max-Forwards", "70")]
        headers += call.routes.map { ("Route", $0) }
        headers += [
            ("From", from(call)), ("To", call.remoteTo), ("Call-ID", call.callID), ("CSeq", "\(call.cseq) BYE"),
            ("User-Agent", "fanout"),
        ]
        let bye = SIPMessage(start: .request(method: "BYE", uri: call.remoteTarget), headers: headers).bytes
        startTransaction(branch, bye)
    }

    /// Sends CANCEL for a ringing call (RFC 3261 section 9.1: same branch, CSeq number and To as the INVITE).
    func sendCancel(_ call: SIPCall) {
        let headers = [
            ("Via", via(call.branch)), ("Max-Forwards", "70"), ("From", from(call)), ("To", "<\(requestURI(call))>"),
            ("Call-ID", call.callID), ("CSeq", "\(call.cseq) CANCEL"), ("User-Agent", "fanout"),
        ]
        let cancel = SIPMessage(start: .request(method: "CANCEL", uri: requestURI(call)), headers: headers).bytes
        startTransaction(call.branch, cancel)
    }

    private func startTransaction(_ branch: String, _ bytes: [UInt8]) {
        let now = ContinuousClock.now
        _ = socket.send(bytes)  // a lost request is retransmitted; an unreachable proxy ends in Timer F
        transactions[branch] = Transaction(
            bytes: bytes, nextAt: now + SIPTimers.t1, interval: SIPTimers.t1, giveUpAt: now + SIPTimers.b)
    }

    private func retransmitTransactions(now: ContinuousClock.Instant) {
        for (branch, var t) in transactions where now >= t.nextAt {
            if now >= t.giveUpAt {
                transactions[branch] = nil
                continue
            }
            _ = socket.send(t.bytes)
            t.interval = min(t.interval * 2, SIPTimers.t2)
            t.nextAt = now + t.interval
            transactions[branch] = t
        }
    }

    /// At shutdown: BYE to answered calls, CANCEL to ringing ones, once each; nothing reported.
    private func hangUpAll() {
        for call in calls.values {
            switch call.state {
            case .answered: sendBye(call)
            case .proceeding: sendCancel(call)
            case .calling, .cancelling: break
            }
        }
        calls = [:]
        core.state.withLock { $0.active = 0 }
    }

    // MARK: - Building requests

    func via(_ branch: String) -> String { "SIP/2.0/UDP \(local.host):\(local.port);branch=\(branch);rport" }

    func from(_ call: SIPCall) -> String {
        (configuration.displayName.map { "\"\($0)\" " } ?? "") + "<\(configuration.fromURI)>;tag=\(call.localTag)"
    }

    /// The INVITE with its SDP offer (and the credentials for a challenge).
    func invite(_ call: SIPCall, authorization: (name: String, value: String)?) -> [UInt8] {
        var headers = [
            ("Via", via(call.branch)), ("Max-Forwards", "70"), ("From", from(call)), ("To", "<\(requestURI(call))>"),
            ("Call-ID", call.callID), ("CSeq", "\(call.cseq) INVITE"),
            ("Contact", "<sip:\(configuration.username)@\(local.host):\(local.port)>"),
            ("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"), ("User-Agent", "fanout"),
            ("X-Fanout-Key", call.job.message.idempotencyKey), ("Content-Type", "application/sdp"),
        ]
        if let authorization { headers.append(authorization) }
        let sdp = SIPSDP.offer(host: local.host, port: call.rtpPort, session: UInt64(call.ssrc))
        return SIPMessage(start: .request(method: "INVITE", uri: requestURI(call)), headers: headers, body: sdp).bytes
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down (negative durations as they are).
    var wholeMillisecondsRoundedDown: Int {
        let (seconds, atto) = components
        return Int(max(-86_400, min(seconds, 86_400))) * 1000 + Int(atto / 1_000_000_000_000_000)
    }
}
