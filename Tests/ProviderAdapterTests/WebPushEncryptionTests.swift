@testable import ChannelAdapters
import Crypto
import FanOut
import Foundation
import Participants
@testable import ProviderAdapters
import Testing

/// The Web Push message encryption against RFC 8291's worked example (Appendix A, every value
/// copied from the RFC), VAPID tokens, the answer mapping, and the payload with its area.
@Suite struct WebPushEncryptionTests {
    /// RFC 8291 Appendix A, base64url as the RFC prints them.
    enum RFC8291 {
        static let plaintext = "When I grow up, I want to be a watermelon"
        static let asPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
        static let asPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        static let uaPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
        static let uaPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        static let authSecret = "BTBZMqHH6r4Tts7J_aSIgg"
        static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
        static let ecdhSecret = "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
        static let ikm = "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"
        static let prk = "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc"
        static let cek = "oIhVW04MRdy2XN9CiKLxTg"
        static let nonce = "4h_95klXJ5E_qnoN"
        static let body =
            "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
            + "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
            + "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    }

    static func bytes(_ text: String) throws -> [UInt8] { try #require(Base64URL.decode(text)) }

    @Test func theRFC8291ExampleIsEncryptedByteForByte() throws {
        let sender = try P256.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(RFC8291.asPrivate))
        #expect(Base64URL.encode(Array(sender.publicKey.x963Representation)) == RFC8291.asPublic)
        let keys = try WebPushEncryption.keys(
            p256dh: Self.bytes(RFC8291.uaPublic), auth: Self.bytes(RFC8291.authSecret), sender: sender,
            salt: Self.bytes(RFC8291.salt))
        #expect(Base64URL.encode(keys.ecdhSecret) == RFC8291.ecdhSecret)
        #expect(Base64URL.encode(keys.ikm) == RFC8291.ikm)
        #expect(Base64URL.encode(keys.prk) == RFC8291.prk)
        #expect(Base64URL.encode(keys.cek) == RFC8291.cek)
        #expect(Base64URL.encode(keys.nonce) == RFC8291.nonce)
        let body = try WebPushEncryption.encrypt(
            Array(RFC8291.plaintext.utf8), p256dh: Self.bytes(RFC8291.uaPublic), auth: Self.bytes(RFC8291.authSecret),
            sender: sender, salt: Self.bytes(RFC8291.salt))
        #expect(Base64URL.encode(body) == RFC8291.body)
    }

    @Test func theSubscriberDecryptsWhatIsEncryptedWithAFreshKeyAndSalt() throws {
        // The user agent's side of the RFC's example, with the adapter's own random sender key and salt.
        let ua = try P256.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(RFC8291.uaPrivate))
        #expect(Base64URL.encode(Array(ua.publicKey.x963Representation)) == RFC8291.uaPublic)
        let plaintext = Array("Burgernet: vermist meisje (8), rode jas".utf8)
        let body = try WebPushEncryption.encrypt(
            plaintext, p256dh: Self.bytes(RFC8291.uaPublic), auth: Self.bytes(RFC8291.authSecret))
        #expect(body.count == WebPushEncryption.headerBytes + plaintext.count + WebPushEncryption.recordOverhead)
        // RFC 8188 header: salt, rs = 4096, idlen = 65, keyid = the sender's public key.
        #expect(Array(body[16..<20]) == [0, 0, 0x10, 0])
        #expect(body[20] == 65)
        let sender = try P256.KeyAgreement.PublicKey(x963Representation: body[21..<86])
        let secret = try ua.sharedSecretFromKeyAgreement(with: sender)
        let info = Array("WebPush: info".utf8) + [0] + (try Self.bytes(RFC8291.uaPublic)) + Array(body[21..<86])
        let ikm = secret.hkdfDerivedSymmetricKey(
            using: SHA256.self, salt: try Self.bytes(RFC8291.authSecret), sharedInfo: info, outputByteCount: 32)
        let cek = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: ikm, salt: body[0..<16], info: Array("Content-Encoding: aes128gcm".utf8) + [0],
            outputByteCount: 16)
        let nonce = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: ikm, salt: body[0..<16], info: Array("Content-Encoding: nonce".utf8) + [0],
            outputByteCount: 12)
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }), ciphertext: body[86..<(body.count - 16)],
            tag: body[(body.count - 16)...])
        let opened = try AES.GCM.open(box, using: cek)
        #expect(Array(opened) == plaintext + [2])
    }

    @Test func aPayloadOverTheLimitAndABadKeyAreRefused() throws {
        #expect(WebPushEncryption.maxPlaintextBytes == 3993)
        #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt(
                [UInt8](repeating: 65, count: 3994), p256dh: Self.bytes(RFC8291.uaPublic),
                auth: Self.bytes(RFC8291.authSecret))
        }
        var notAPoint = try Self.bytes(RFC8291.uaPublic)
        notAPoint[64] ^= 1
        #expect(throws: WebPushEncryption.Failure.self) {
            try WebPushEncryption.encrypt([1], p256dh: notAPoint, auth: Self.bytes(RFC8291.authSecret))
        }
    }

    // MARK: - VAPID

    @Test func aVAPIDTokenIsAnES256JWTForTheOriginThatTheKeyVerifies() throws {
        let key = P256.Signing.PrivateKey()
        let vapid = WebPushVAPID(subject: "mailto:ops@burgernet.example", key: key, lifetime: .seconds(43_200))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let header = try vapid.authorization(origin: "https://push.example.net", now: now)
        #expect(header.hasPrefix("vapid t="))
        let parts = header.dropFirst("vapid t=".count).components(separatedBy: ", k=")
        #expect(parts.count == 2)
        #expect(parts[1] == Base64URL.encode(Array(key.publicKey.x963Representation)))
        let jwt = parts[0].split(separator: ".").map(String.init)
        #expect(jwt.count == 3)
        let head = try #require(
            try JSONSerialization.jsonObject(with: Data(Self.bytes(jwt[0]))) as? [String: String])
        #expect(head == ["typ": "JWT", "alg": "ES256"])
        let claims = try #require(try JSONSerialization.jsonObject(with: Data(Self.bytes(jwt[1]))) as? [String: Any])
        #expect(claims["aud"] as? String == "https://push.example.net")
        #expect(claims["sub"] as? String == "mailto:ops@burgernet.example")
        #expect(claims["exp"] as? Int == 1_800_000_000 + 43_200)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: Self.bytes(jwt[2]))
        #expect(key.publicKey.isValidSignature(signature, for: Array("\(jwt[0]).\(jwt[1])".utf8)))
        // Reused within half its lifetime, renewed after.
        #expect(try vapid.authorization(origin: "https://push.example.net", now: now + 21_000) == header)
        #expect(try vapid.authorization(origin: "https://push.example.net", now: now + 21_700) != header)
        #expect(try vapid.authorization(origin: "https://other.example.net", now: now) != header)
    }

    @Test(arguments: [
        ("https://fcm.googleapis.com/fcm/send/abc:def", "https://fcm.googleapis.com"),
        ("https://Updates.Push.Services.Mozilla.com:443/wpush/v2/x", "https://updates.push.services.mozilla.com"),
        ("https://127.0.0.1:8443/push/t", "https://127.0.0.1:8443"), ("http://localhost:80/p", "http://localhost"),
        ("http://[::1]:9000/p", "http://[::1]:9000"),
    ])
    func theAudienceIsTheEndpointsOrigin(endpoint: String, origin: String) {
        #expect(WebPushVAPID.origin(of: endpoint) == origin)
    }

    // MARK: - Answers

    @Test func answersMapToResults() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(WebPushOutcome.of(status: 201, retryAfter: nil) == .delivered)
        #expect(WebPushOutcome.of(status: 202, retryAfter: nil) == .delivered)
        #expect(WebPushOutcome.of(status: 410, retryAfter: nil) == .gone)
        #expect(WebPushOutcome.of(status: 404, retryAfter: nil) == .gone)
        #expect(WebPushOutcome.of(status: 429, retryAfter: "7") == .throttled(retryAfterSeconds: 7))
        #expect(WebPushOutcome.of(status: 429, retryAfter: nil) == .throttled(retryAfterSeconds: nil))
        #expect(
            WebPushOutcome.of(status: 503, retryAfter: "Fri, 15 Jan 2027 08:00:30 GMT", now: now)
                == .throttled(retryAfterSeconds: 1_800_000_030 - 1_800_000_000))
        #expect(WebPushOutcome.of(status: 500, retryAfter: "soon") == .throttled(retryAfterSeconds: nil))
        #expect(WebPushOutcome.of(status: 413, retryAfter: nil) == .failed)
        #expect(WebPushOutcome.of(status: 400, retryAfter: nil) == .failed)
        #expect(WebPushOutcome.of(status: 403, retryAfter: nil) == .failed)
        #expect(WebPushOutcome.of(status: 301, retryAfter: nil) == .failed)
    }
}
