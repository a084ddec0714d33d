import FanOut
import Foundation
/// One outgoing call's state: its INVITE client transaction (RFC 3261 section 17.1.1), its
/// dialog once answered, and its RTP stream.
///
/// Owned by the event loop's thread (not `Sendable`): only that thread reads or changes it.
final class SIPCall {
    enum State: Equatable {
        /// INVITE sent, no response yet (Timer A retransmits, Timer B gives up).
        case calling
        /// A provisional response came (ringing).
        case proceeding
        /// The ring timeout ran out: CANCEL sent, waiting for the INVITE's 487.
        case cancelling
        /// Answered: the message plays, then the DTMF wait.
        case answered
    }

    let job: SIPCore.Job
    /// The number dialled: personal data, only ever in the Request-URI and To.
    let phone: String
    let rendering: SIPAudio.Rendering
    let rtp: UDPSocket
    let rtpPort: UInt16
    let callID: String
    let localTag: String
    var state = State.calling
    var cseq: UInt32 = 1
    var branch: String
    /// The INVITE as last sent (retransmitted while ``State/calling``).
    var invite: [UInt8] = []
    var authorized = false
    var retransmitAt: ContinuousClock.Instant?
    var retransmitInterval: Duration = SIPTimers.t1
    var giveUpAt: ContinuousClock.Instant
    let ringDeadline: ContinuousClock.Instant
    let placedAt: ContinuousClock.Instant

    // The dialog (after a 2xx).
    var remoteTag: String?
    var remoteTo = ""
    var remoteTarget = ""
    var routes: [String] = []
    var ack: [UInt8]?

    // The media (after a 2xx).
    var media: SIPSDP.Answer?
    var mediaAddress: sockaddr_in?
    var mediaStart: ContinuousClock.Instant?
    var packetsSent = 0
    let packetCount: Int
    let ssrc: UInt32
    let firstSequence: UInt16
    let firstTimestamp: UInt32
    var endAt: ContinuousClock.Instant?
    var eventsSeen: Set<UInt32> = []

    init(
        job: SIPCore.Job, phone: String, rendering: SIPAudio.Rendering, rtp: UDPSocket, rtpPort: UInt16,
        ringTimeout: Duration, now: ContinuousClock.Instant
    ) {
        self.job = job
        self.phone = phone
        self.rendering = rendering
        self.rtp = rtp
        self.rtpPort = rtpPort
        callID = SIPRandom.token(20)
        localTag = SIPRandom.token(10)
        branch = SIPRandom.branch()
        placedAt = now
        giveUpAt = now + SIPTimers.b
        ringDeadline = now + ringTimeout
        packetCount = (rendering.pcmu.count + SIPRTP.samplesPerPacket - 1) / SIPRTP.samplesPerPacket
        ssrc = UInt32.random(in: 1...UInt32.max)
        firstSequence = UInt16.random(in: 0...UInt16.max)
        firstTimestamp = UInt32.random(in: 0...UInt32.max)
    }

    /// When packet `i` is due.
    func due(_ i: Int) -> ContinuousClock.Instant? {
        mediaStart.map { $0 + .milliseconds(20 * i) }
    }

    /// The earliest instant this call needs the loop's attention.
    var nextDeadline: ContinuousClock.Instant {
        var next = giveUpAt
        if let r = retransmitAt { next = min(next, r) }
        if state == .calling || state == .proceeding { next = min(next, ringDeadline) }
        if state == .answered {
            if packetsSent < packetCount, let d = due(packetsSent) { next = min(next, d) }
            if let e = endAt { next = min(next, e) }
        }
        return next
    }
}

/// The SIP timers of RFC 3261 (section 17, table 4) the adapter uses.
enum SIPTimers {
    /// The round-trip estimate: the first retransmission interval.
    static let t1: Duration = .milliseconds(500)
    /// The longest retransmission interval of non-INVITE requests.
    static let t2: Duration = .seconds(4)
    /// INVITE transaction timeout (64·T1); also Timer F for non-INVITE requests and Timer D.
    static let b: Duration = .seconds(32)
}

/// Random tokens for tags, Call-IDs and branches.
enum SIPRandom {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")

    static func token(_ count: Int) -> String {
        var g = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &g)] })
    }

    /// A branch with RFC 3261's magic cookie.
    static func branch() -> String { "z9hG4bK" + token(16) }
}

/// How a final response ends a call (before any CANCEL): the brief's mapping table.
enum SIPOutcome {
    /// The result for final `status` (`retryAfter`: the response has a Retry-After header).
    static func result(status: Int, retryAfter: Bool) -> DeliveryResult {
        switch status {
        case 200..<300: .delivered
        case 486, 600: .busy
        case 408, 480: .noAnswer
        case 503 where retryAfter: .throttled
        default: .failed
        }
    }

    /// Whether `phone` can be dialled as a SIP URI user part: `+` then digits, `*` and `#` allowed.
    static func dialable(_ phone: String) -> String? {
        let compact = phone.filter { $0 != " " && $0 != "-" && $0 != "(" && $0 != ")" && $0 != "." }
        guard !compact.isEmpty, compact.count <= 32 else { return nil }
        for (i, ch) in compact.enumerated() {
            guard ch.isASCII, ch.isNumber || ch == "*" || ch == "#" || (ch == "+" && i == 0) else { return nil }
        }
        guard compact.contains(where: \.isNumber) else { return nil }
        return compact.replacingOccurrences(of: "#", with: "%23")
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
