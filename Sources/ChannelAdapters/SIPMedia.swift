/// The G.711 codecs the adapter offers.
enum G711: UInt8, Sendable, Hashable {
    /// µ-law, RTP payload type 0.
    case pcmu = 0
    /// A-law, RTP payload type 8.
    case pcma = 8

    /// The byte of silence (for padding the last packet).
    var silence: UInt8 { self == .pcmu ? 0xFF : 0xD5 }
    /// sox's file type for it.
    var soxType: String { self == .pcmu ? "ul" : "al" }
}

/// The SDP offer the adapter sends (RFC 4566, RFC 3264) and what it reads from an answer.
enum SIPSDP {
    /// The payload type offered for telephone-event (RFC 4733).
    static let eventPayloadType: UInt8 = 101

    /// An offer of PCMU, PCMA and telephone-event/8000 on `host`:`port`, 20 ms packets.
    static func offer(host: String, port: UInt16, session: UInt64) -> [UInt8] {
        let text =
            "v=0\r\no=fanout \(session) \(session) IN IP4 \(host)\r\ns=fanout\r\nc=IN IP4 \(host)\r\nt=0 0\r\n"
            + "m=audio \(port) RTP/AVP 0 8 \(eventPayloadType)\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
            + "a=rtpmap:\(eventPayloadType) telephone-event/8000\r\na=fmtp:\(eventPayloadType) 0-15\r\n"
            + "a=ptime:20\r\na=sendrecv\r\n"
        return Array(text.utf8)
    }

    /// What an answer chose.
    struct Answer: Sendable, Equatable {
        /// Where to send RTP.
        var address: SIPAddress
        /// The codec to send.
        var codec: G711
        /// The telephone-event payload type the far end sends (the offered one when it names none).
        var eventPayloadType: UInt8
    }

    /// Reads an SDP answer; `nil` when it has no usable audio stream (no IPv4 connection address,
    /// port 0, neither PCMU nor PCMA).
    static func answer(_ body: [UInt8]) -> Answer? {
        guard let text = String(validating: body, as: UTF8.self) else { return nil }
        var sessionHost: String?
        var mediaHost: String?
        var port: UInt16?
        var formats: [UInt8] = []
        var event = eventPayloadType
        var inAudio = false
        var audioSeen = false
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingSpaces
            if line.hasPrefix("m=") {
                inAudio = false
                // Only the first audio stream counts.
                guard !audioSeen, line.hasPrefix("m=audio ") else { continue }
                let parts = line.dropFirst(2).split(separator: " ")
                guard parts.count >= 4, let p = UInt16(parts[1]) else { return nil }
                port = p
                formats = parts.dropFirst(3).compactMap { UInt8($0) }
                inAudio = true
                audioSeen = true
            } else if line.hasPrefix("c=") {
                let parts = line.dropFirst(2).split(separator: " ")
                guard parts.count >= 3, parts[0] == "IN", parts[1] == "IP4" else { continue }
                let host = String(parts[2].split(separator: "/").first ?? "")
                if audioSeen { if inAudio { mediaHost = host } } else { sessionHost = host }
            } else if inAudio, line.hasPrefix("a=rtpmap:") {
                let parts = line.dropFirst("a=rtpmap:".count).split(separator: " ", maxSplits: 1)
                if parts.count == 2, let pt = UInt8(parts[0]), parts[1].lowercased().hasPrefix("telephone-event/8000") {
                    event = pt
                }
            }
        }
        guard let port, port > 0, let host = mediaHost ?? sessionHost, SIPAddress.isIPv4(host), host != "0.0.0.0"
        else { return nil }
        guard let codec = formats.lazy.compactMap({ G711(rawValue: $0) }).first else { return nil }
        return Answer(address: SIPAddress(host: host, port: port), codec: codec, eventPayloadType: event)
    }
}

/// RTP packets (RFC 3550): the audio the adapter sends and the telephone-events (RFC 4733) it reads.
enum SIPRTP {
    /// Samples (bytes of G.711) per 20 ms packet.
    static let samplesPerPacket = 160

    /// One audio packet: version 2, no padding, extension or CSRC.
    static func packet(
        payloadType: UInt8, marker: Bool, sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payload: ArraySlice<UInt8>
    ) -> [UInt8] {
        var p: [UInt8] = []
        p.reserveCapacity(12 + payload.count)
        p.append(0x80)
        p.append((marker ? 0x80 : 0) | (payloadType & 0x7F))
        p.append(UInt8(sequence >> 8))
        p.append(UInt8(sequence & 0xFF))
        for shift in stride(from: 24, through: 0, by: -8) { p.append(UInt8((timestamp >> UInt32(shift)) & 0xFF)) }
        for shift in stride(from: 24, through: 0, by: -8) { p.append(UInt8((ssrc >> UInt32(shift)) & 0xFF)) }
        p.append(contentsOf: payload)
        return p
    }

    /// One RTP packet's header fields and payload.
    struct Header: Sendable, Equatable {
        var payloadType: UInt8
        var marker: Bool
        var sequence: UInt16
        var timestamp: UInt32
        var ssrc: UInt32
        var payload: ArraySlice<UInt8>
    }

    /// Parses an RTP packet (CSRCs, extension and padding skipped); `nil` when it is not RTP v2.
    static func parse(_ bytes: ArraySlice<UInt8>) -> Header? {
        guard bytes.count >= 12 else { return nil }
        let b = bytes.startIndex
        guard bytes[b] >> 6 == 2 else { return nil }
        let csrcs = Int(bytes[b] & 0x0F)
        var start = b + 12 + 4 * csrcs
        guard start <= bytes.endIndex else { return nil }
        if bytes[b] & 0x10 != 0 {  // header extension: 4 bytes, then its length in 32-bit words
            guard start + 4 <= bytes.endIndex else { return nil }
            let words = Int(bytes[start + 2]) << 8 | Int(bytes[start + 3])
            start += 4 + 4 * words
            guard start <= bytes.endIndex else { return nil }
        }
        var end = bytes.endIndex
        if bytes[b] & 0x20 != 0 {  // padding: the last byte counts it
            let pad = Int(bytes[end - 1])
            guard pad >= 1, end - pad >= start else { return nil }
            end -= pad
        }
        func word(_ i: Int) -> UInt32 {
            UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
        }
        return Header(
            payloadType: bytes[b + 1] & 0x7F, marker: bytes[b + 1] & 0x80 != 0,
            sequence: UInt16(bytes[b + 2]) << 8 | UInt16(bytes[b + 3]), timestamp: word(b + 4), ssrc: word(b + 8),
            payload: bytes[start..<end])
    }

    /// A telephone-event (RFC 4733 section 2.3): the event (0-9 digits, 10 `*`, 11 `#`) and whether
    /// this packet ends it.
    struct Event: Sendable, Equatable {
        var event: UInt8
        var end: Bool
        var duration: UInt16
    }

    /// The telephone-event in a payload; `nil` when shorter than 4 bytes.
    static func event(_ payload: ArraySlice<UInt8>) -> Event? {
        guard payload.count >= 4 else { return nil }
        let b = payload.startIndex
        return Event(
            event: payload[b], end: payload[b + 1] & 0x80 != 0,
            duration: UInt16(payload[b + 2]) << 8 | UInt16(payload[b + 3]))
    }
}
