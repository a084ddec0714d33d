@testable import ChannelAdapters
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import TestSupport
import Testing

/// The signed reply-link tokens: what the service verifies when a participant clicks "seen" or "stop".
@Suite struct MailReplyTokenTests {
    static let secret = Array("0123456789abcdef0123456789abcdef".utf8)

    @Test(arguments: [
        (Int64(1), Int64(1), AnswerKind.sighting), (42, 123_456_789, .stop), (7, 8, .acknowledgement),
        (Int64.max, Int64.max, .stop), (1, -5, .sighting),
    ])
    func aSignedTokenVerifiesToWhatWasSigned(action: Int64, person: Int64, kind: AnswerKind) throws {
        let tokens = try MailReplyToken(secret: Self.secret)
        let token = tokens.sign(action: ActionID(rawValue: action), person: person, kind: kind)
        #expect(token.count == MailReplyToken.length)
        #expect(token.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        let claims = tokens.verify(token)
        #expect(claims?.action == ActionID(rawValue: action) && claims?.person == person && claims?.kind == kind)
    }

    @Test(arguments: [Channel.voice, .sms, .app])
    func aTokenOfAnotherChannelCarriesItAndEveryChangeIsRefused(channel: Channel) throws {
        let tokens = try MailReplyToken(secret: Self.secret)
        let token = tokens.sign(action: ActionID(rawValue: 42), person: 7, kind: .sighting, channel: channel)
        #expect(token.count == MailReplyToken.length + 1)
        #expect(
            tokens.claims(token)
                == MailReplyToken.Claims(action: ActionID(rawValue: 42), person: 7, kind: .sighting, channel: channel))
        // A mail's token stays version 1 (67 characters): links already sent keep working.
        #expect(tokens.sign(action: ActionID(rawValue: 42), person: 7, kind: .sighting).count == MailReplyToken.length)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var chars = Array(token)
        for i in chars.indices {
            let was = chars[i]
            chars[i] = alphabet[(alphabet.firstIndex(of: was)! + 1) % alphabet.count]
            #expect(tokens.claims(String(chars)) == nil, "position \(i)")  // 51 bytes: every bit of 68 characters counts
            chars[i] = was
        }
        #expect(try MailReplyToken(secret: Array("another-secret-0123456789".utf8)).claims(token) == nil)
    }

    @Test func everyChangedCharacterIsRefused() throws {
        let tokens = try MailReplyToken(secret: Self.secret)
        let token = Array(tokens.sign(action: ActionID(rawValue: 3), person: 99, kind: .sighting))
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var refused = 0
        for i in token.indices {
            for replacement in [alphabet[((alphabet.firstIndex(of: token[i]) ?? 0) + 1) % 64], "A", "_"]
            where replacement != token[i] {
                var changed = token
                changed[i] = replacement
                #expect(tokens.verify(String(changed)) == nil, "position \(i)")
                refused += 1
            }
        }
        #expect(refused >= token.count)
    }

    @Test func aTokenOfAnotherSecretAndMalformedTokensAreRefused() throws {
        let tokens = try MailReplyToken(secret: Self.secret)
        let other = try MailReplyToken(secret: Array("another secret, also 32 bytes!!!".utf8))
        let token = tokens.sign(action: ActionID(rawValue: 5), person: 6, kind: .stop)
        #expect(other.verify(token) == nil)
        for bad in ["", "abc", String(token.dropLast()), token + "A", token + "=", String(token.prefix(66)) + "+",
            String(repeating: "A", count: 67), token.replacingOccurrences(of: "-", with: "+")]
        where bad != token {
            #expect(tokens.verify(bad) == nil, "\(bad)")
        }
    }

    @Test func aShortSecretIsRefused() {
        #expect(throws: ProviderAdapterError.self) { try MailReplyToken(secret: Array("too short".utf8)) }
    }

    /// The token is the 18-byte payload and its HMAC-SHA256 as Python's hmac module computes them.
    @Test func theTokenIsThePayloadAndTheHMACPythonComputes() throws {
        let tokens = try MailReplyToken(secret: Self.secret)
        let token = tokens.sign(action: ActionID(rawValue: 258), person: 65_537, kind: .stop)
        let dir = try Fixtures.temporaryDirectory("token")
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("token.py")
        try """
        import base64, hashlib, hmac, struct
        payload = bytes([1, ord('x')]) + struct.pack('>qq', 258, 65537)
        mac = hmac.new(b'0123456789abcdef0123456789abcdef', b'fanout mail reply v1' + payload, hashlib.sha256).digest()
        print(base64.urlsafe_b64encode(payload + mac).decode().rstrip('='), end='')
        """.write(to: script, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        let child = try ChildProcess("/usr/bin/python3", [script.path], output: out)
        let deadline = ContinuousClock.now + .seconds(30)
        while !child.poll().exited, ContinuousClock.now < deadline { usleep(5_000) }
        #expect(try String(contentsOf: out, encoding: .utf8) == token)
    }
}
