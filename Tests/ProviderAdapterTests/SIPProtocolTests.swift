@testable import ChannelAdapters
import FanOut
import Foundation
@testable import ProviderAdapters
import Testing

/// The SIP adapter's pieces against independent expectations: RFC 2617's own digest example,
/// the RTP of sip-tester's DTMF pcap (bytes as tshark shows them), RFC 3261 message syntax.
@Suite struct SIPProtocolTests {
    // MARK: - Digest

    @Test func theDigestResponseIsRFC2617sExample() throws {
        // RFC 2617 section 3.5: Mufasa / "Circle Of Life", qop=auth, nc=00000001, cnonce 0a4f113b.
        let challenge = try #require(
            SIPDigest(
                challenge:
                    "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""
            ))
        let value = try #require(
            challenge.authorization(
                method: "GET", uri: "/dir/index.html", username: "Mufasa", password: "Circle Of Life",
                cnonce: "0a4f113b"))
        #expect(value.contains("response=\"6629fae49393a05397450978507c4ef1\""))
        #expect(value.contains("qop=auth, nc=00000001, cnonce=\"0a4f113b\""))
        #expect(value.contains("opaque=\"5ccc069c403ebaf9f0171e9517f40e41\""))
    }

    @Test func aDigestWithoutQopHashesNonceAndHA2Only() throws {
        let challenge = try #require(SIPDigest(challenge: "Digest realm=\"r\", nonce=\"n\""))
        let value = try #require(
            challenge.authorization(method: "INVITE", uri: "sip:1@h", username: "u", password: "p", cnonce: "c"))
        let ha1 = SIPDigest.md5("u:r:p")
        let ha2 = SIPDigest.md5("INVITE:sip:1@h")
        #expect(value.contains("response=\"\(SIPDigest.md5("\(ha1):n:\(ha2)"))\""))
        #expect(!value.contains("qop"))
        // MD5 of the empty string, as every MD5 implementation has it.
        #expect(SIPDigest.md5("") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(SIPDigest.sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test(arguments: [
        "Basic realm=\"r\"", "Digest realm=\"r\"", "Digest nonce=\"n\"", "",
        "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
    ])
    func challengesTheAdapterCannotAnswerAreRecognized(challenge: String) {
        let digest = SIPDigest(challenge: challenge)
        #expect(digest == nil || digest?.algorithm == nil)
    }

    // MARK: - RTP and RFC 4733

    @Test func theFirstPacketOfSipTestersKeyOneIsEventOne() throws {
        // Frame 1 and 8 of /usr/share/sip-tester/dtmf_2833_1.pcap, as tshark prints their UDP payload.
        let first = try #require(SIPRTP.parse(Self.bytes("80e51f30000033e00e05384e010a0000")[...]))
        #expect(first.payloadType == 101 && first.marker && first.sequence == 0x1f30 && first.timestamp == 0x33e0)
        #expect(first.ssrc == 0x0e05_384e)
        #expect(SIPRTP.event(first.payload) == SIPRTP.Event(event: 1, end: false, duration: 0))
        let last = try #require(SIPRTP.parse(Self.bytes("80651f37000033e00e05384e018a08c0")[...]))
        #expect(SIPRTP.event(last.payload) == SIPRTP.Event(event: 1, end: true, duration: 0x08c0))
        #expect(last.timestamp == first.timestamp)  // one event, one timestamp
    }

    @Test func anAudioPacketHasTheRFC3550Header() throws {
        let payload = [UInt8](repeating: 0x55, count: 160)
        let p = SIPRTP.packet(
            payloadType: 8, marker: true, sequence: 0xFFFF, timestamp: 0xFFFF_FF60, ssrc: 0x0102_0304,
            payload: payload[...])
        #expect(Array(p.prefix(12)) == [0x80, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x60, 1, 2, 3, 4])
        #expect(p.count == 172)
        let parsed = try #require(SIPRTP.parse(p[...]))
        #expect(parsed.payload.elementsEqual(payload))
    }

    @Test(arguments: [
        [UInt8](), [0x80], [0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        [0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20], [0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF],
    ])
    func broken_RTP_isNotParsed(bytes: [UInt8]) {
        #expect(SIPRTP.parse(bytes[...]) == nil)
    }

    // MARK: - SDP

    @Test func theAnswerNamesAddressCodecAndEventType() throws {
        let sdp =
            "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 96\r\nc=IN IP4 10.0.0.2\r\na=rtpmap:96 telephone-event/8000\r\n"
        let answer = try #require(SIPSDP.answer(Array(sdp.utf8)))
        #expect(
            answer
                == SIPSDP.Answer(address: SIPAddress(host: "10.0.0.2", port: 4000), codec: .pcma, eventPayloadType: 96))
        // A rejected stream (port 0).
        #expect(SIPSDP.answer(Array("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 0 RTP/AVP 0\r\n".utf8)) == nil)
        #expect(SIPSDP.answer(Array("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 18\r\n".utf8)) == nil)  // G.729 only
        #expect(SIPSDP.answer(Array("v=0\r\nc=IN IP6 ::1\r\nm=audio 5 RTP/AVP 0\r\n".utf8)) == nil)
        #expect(SIPSDP.answer([0xFF, 0xFE]) == nil)
    }

    @Test func theOfferHasPCMUPCMAAndTelephoneEvent() {
        let offer = String(decoding: SIPSDP.offer(host: "127.0.0.1", port: 20_000, session: 7), as: UTF8.self)
        #expect(offer.contains("m=audio 20000 RTP/AVP 0 8 101\r\n"))
        #expect(offer.contains("a=rtpmap:101 telephone-event/8000\r\n"))
        #expect(offer.contains("c=IN IP4 127.0.0.1\r\n"))
    }

    // MARK: - SIP messages

    @Test func aResponseWithCompactHeadersAndFoldingIsRead() throws {
        let text =
            "SIP/2.0 180 Ringing\r\nv: SIP/2.0/UDP 1.2.3.4:5060;branch=z9hG4bKabc;rport\r\nf: <sip:a@b>;tag=1\r\nt: <sip:c@d>\r\n ;tag=2\r\ni: xyz\r\nCSeq: 7 INVITE\r\nl: 0\r\n\r\n"
        let m = try #require(SIPMessage(parsing: Array(text.utf8)[...]))
        #expect(m.status == 180)
        #expect(m.topBranch == "z9hG4bKabc")
        #expect(m.callID == "xyz")
        #expect(m.cseq?.number == 7 && m.cseq?.method == "INVITE")
        #expect(SIPMessage.parameter("tag", in: m.header("To") ?? "") == "2")
        // Written back, it reads the same.
        #expect(SIPMessage(parsing: m.bytes[...]) == m)
    }

    @Test(arguments: [
        "", "\r\n\r\n", "SIP/2.0 2x0 OK\r\n\r\n", "SIP/2.0 99 Low\r\n\r\n", "HELLO\r\n\r\n",
        "INVITE sip:a SIP/3.0\r\n\r\n",
        "SIP/2.0 200 OK\r\nNoColon\r\n\r\n", "SIP/2.0 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        " folded first\r\n\r\n",
        "SIP/2.0 200 OK\r\nContent-Length: -1\r\n\r\n", "SIP/2.0 200 OK\r\nContent-Length: abc\r\n\r\n",
    ])
    func malformedMessagesAreNil(text: String) {
        #expect(SIPMessage(parsing: Array(text.utf8)[...]) == nil)
    }

    @Test func randomBytesNeverCrashTheParsers() {
        var g = SystemRandomNumberGenerator()
        let seeds = [
            Array(
                "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP a;branch=b\r\nCSeq: 1 INVITE\r\nContent-Length: 3\r\n\r\nabc".utf8),
            Array("v=0\r\nc=IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n".utf8),
        ]
        for _ in 0..<20_000 {
            var bytes = seeds[Int.random(in: 0..<2, using: &g)]
            for _ in 0..<Int.random(in: 1...8, using: &g) {
                let i = Int.random(in: 0..<bytes.count, using: &g)
                switch Int.random(in: 0..<3, using: &g) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &g)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 0...255, using: &g), at: i)
                }
                if bytes.isEmpty { break }
            }
            _ = SIPMessage(parsing: bytes[...])
            _ = SIPSDP.answer(bytes)
            _ = SIPRTP.parse(bytes[...]).map { SIPRTP.event($0.payload) }
            _ = SIPDigest(challenge: String(decoding: bytes, as: UTF8.self))
        }
    }

    // MARK: - Outcomes and numbers

    @Test(arguments: [
        (200, false, DeliveryResult.delivered), (486, false, .busy), (600, false, .busy), (480, false, .noAnswer),
        (408, false, .noAnswer), (503, true, .throttled), (503, false, .failed), (404, false, .failed),
        (487, false, .failed), (500, false, .failed),
    ])
    func finalResponsesMapToResults(status: Int, retryAfter: Bool, result: DeliveryResult) {
        #expect(SIPOutcome.result(status: status, retryAfter: retryAfter) == result)
    }

    @Test func onlyDialableNumbersAreCalled() {
        #expect(SIPOutcome.dialable("+31 6 1234-5678") == "+31612345678")
        #expect(SIPOutcome.dialable("*31#") == "*31%23")
        #expect(SIPOutcome.dialable("31+6") == nil)
        #expect(SIPOutcome.dialable("sip:evil@host") == nil)
        #expect(SIPOutcome.dialable("") == nil)
        #expect(SIPOutcome.dialable("+") == nil)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            out.append(UInt8(hex[i..<j], radix: 16) ?? 0)
            i = j
        }
        return out
    }
}
