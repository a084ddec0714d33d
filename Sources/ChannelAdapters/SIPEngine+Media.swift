import FanOut
import Foundation
// MARK: - Timers and media

extension SIPEngine {
    /// The most packets one call sends in one pass when the loop fell behind.
    static let catchUpPackets = 10
    /// Packets due this soon are sent now: the loop wakes once for the calls whose packets fall
    /// close together, not once per call (the far end's jitter buffer absorbs a few ms).
    static let earlyWindow: Duration = .milliseconds(5)

    /// Runs `call`'s due timers and sends its due RTP packets.
    func tick(_ call: SIPCall, now: ContinuousClock.Instant) {
        switch call.state {
        case .calling:
            if now >= call.giveUpAt {
                endCall(call, .failed, reason: "no final response to the INVITE within 32 s (Timer B)")
                return
            }
            if let at = call.retransmitAt, now >= at {
                _ = socket.send(call.invite)  // Timer A: a lost INVITE; an error shows on the next read
                call.retransmitInterval = call.retransmitInterval * 2
                call.retransmitAt = now + call.retransmitInterval
            }
        case .proceeding:
            if now >= call.ringDeadline {
                core.state.withLock { $0.statistics.cancelled += 1 }
                sendCancel(call)
                call.state = .cancelling
                call.giveUpAt = now + SIPTimers.b
            }
        case .cancelling:
            if now >= call.giveUpAt {
                endCall(call, .noAnswer, reason: "ring timeout; no 487 after the CANCEL")
            }
        case .answered:
            play(call, now: now)
        }
    }

    /// Sends the packets due, then ends the call once the DTMF wait after the last one is over.
    private func play(_ call: SIPCall, now: ContinuousClock.Instant) {
        guard let media = call.media, let address = call.mediaAddress else { return }
        let audio = call.rendering.bytes(media.codec)
        var sent = 0
        var late = 0
        while call.packetsSent < call.packetCount, sent < Self.catchUpPackets, let due = call.due(call.packetsSent),
            due <= now + Self.earlyWindow
        {
            let i = call.packetsSent
            let start = i * SIPRTP.samplesPerPacket
            var payload = audio[start..<min(start + SIPRTP.samplesPerPacket, audio.count)]
            if payload.count < SIPRTP.samplesPerPacket {
                payload = ArraySlice(
                    Array(payload)
                        + [UInt8](repeating: media.codec.silence, count: SIPRTP.samplesPerPacket - payload.count))
            }
            let packet = SIPRTP.packet(
                payloadType: media.codec.rawValue, marker: i == 0,
                sequence: call.firstSequence &+ UInt16(truncatingIfNeeded: i),
                timestamp: call.firstTimestamp &+ UInt32(truncatingIfNeeded: i * SIPRTP.samplesPerPacket),
                ssrc: call.ssrc,
                payload: payload)
            // A lost packet is a gap in the audio, not a reason to end the call.
            _ = call.rtp.send(packet, to: address)
            call.packetsSent += 1
            sent += 1
            if now - due > .milliseconds(40) { late += 1 }
        }
        if sent > 0 {
            core.state.withLock {
                $0.statistics.packetsSent += sent
                $0.statistics.latePackets += late
            }
        }
        if call.packetsSent == call.packetCount, call.endAt == nil, let end = call.due(call.packetCount) {
            call.endAt = end + configuration.dtmfWait
        }
        if let end = call.endAt, now >= end {
            sendBye(call)
            endCall(call, .delivered, reason: nil)
        } else if now >= call.giveUpAt {
            sendBye(call)
            endCall(call, .delivered, reason: nil)
        }
    }

    /// Reads the datagrams on `call`'s RTP port: key presses (RFC 4733) become answers.
    func readMedia(_ call: SIPCall) {
        while calls[call.callID] != nil {
            switch call.rtp.receive(into: &buffer) {
            case .none: return
            case .error: continue  // an ICMP error for an earlier packet: the audio goes on
            case .datagram(let count, _):
                guard let packet = SIPRTP.parse(buffer[0..<count]) else { continue }
                guard let media = call.media, packet.payloadType == media.eventPayloadType,
                    let event = SIPRTP.event(packet.payload)
                else { continue }
                // One key press is many packets with the same timestamp: counted once.
                guard call.eventsSeen.insert(packet.timestamp).inserted else { continue }
                heard(event.event, on: call)
            }
        }
    }

    private func heard(_ digit: UInt8, on call: SIPCall) {
        let kind: AnswerKind
        switch digit {
        case 1: kind = .sighting
        case 2: kind = .stop
        default:
            core.state.withLock { $0.statistics.otherKeys += 1 }
            return
        }
        core.state.withLock { s in
            if kind == .sighting { s.statistics.sightings += 1 } else { s.statistics.stops += 1 }
        }
        let key = call.job.message.key
        core.logger.info(
            "sip: key pressed", metadata: ["key": "\(call.job.message.idempotencyKey)", "answer": "\(kind.rawValue)"])
        core.answers?(ParticipantAnswer(action: key.action, person: key.person, kind: kind, channel: .voice))
    }
}
