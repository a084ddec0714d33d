import Crypto
import Foundation
/// Web Push message encryption (RFC 8291): the `aes128gcm` content coding of RFC 8188 with one
/// record, keyed by ECDH on P-256 between a fresh sender key and the subscriber's `p256dh`, mixed
/// with the subscriber's `auth` secret through HKDF-SHA256.
///
/// ```
/// ecdh_secret = ECDH(as_private, ua_public)
/// IKM   = HKDF(salt = auth_secret, IKM = ecdh_secret, info = "WebPush: info" 0x00 ua_public as_public, L = 32)
/// PRK   = HKDF-Extract(salt, IKM)
/// CEK   = HKDF-Expand(PRK, "Content-Encoding: aes128gcm" 0x00, 16)
/// NONCE = HKDF-Expand(PRK, "Content-Encoding: nonce" 0x00, 12)
/// body  = salt(16) ‖ rs(4, 4096) ‖ idlen(1, 65) ‖ as_public(65) ‖ AES-128-GCM(CEK, NONCE, plaintext ‖ 0x02)
/// ```
enum WebPushEncryption {
    /// The header in front of the record: salt, record size, key id length, the sender's key.
    static let headerBytes = 16 + 4 + 1 + 65
    /// The record's overhead after the plaintext: the padding delimiter and the GCM tag.
    static let recordOverhead = 1 + 16
    /// The largest body a push service must take (RFC 8030 §7.2).
    static let maxBodyBytes = 4096
    /// The largest plaintext that fits in ``maxBodyBytes``: 3993 bytes.
    static let maxPlaintextBytes = maxBodyBytes - headerBytes - recordOverhead
    /// The record size written in the header (RFC 8291 §4 uses 4096).
    static let recordSize: UInt32 = 4096

    /// The keys derived for one message (for the RFC's intermediate values in tests).
    struct Keys {
        var ecdhSecret: [UInt8]
        var ikm: [UInt8]
        var prk: [UInt8]
        var cek: [UInt8]
        var nonce: [UInt8]
    }

    /// Why a message could not be encrypted.
    enum Failure: Error, CustomStringConvertible {
        /// The subscription's `p256dh` is not a P-256 point, or its `auth` not 16 bytes.
        case badSubscriptionKey(String)
        /// The plaintext is longer than ``maxPlaintextBytes``.
        case tooLong(Int)
        /// The cryptography library refused (never seen: every input is checked first).
        case crypto(String)

        var description: String {
            switch self {
            case .badSubscriptionKey(let what): "the subscription's \(what)"
            case .tooLong(let n): "the payload is \(n) bytes, more than the \(maxPlaintextBytes) a push can carry"
            case .crypto(let what): "encryption failed: \(what)"
            }
        }
    }

    /// Derives the keys of a message from the subscriber's key and secret, the sender's key and the salt.
    static func keys(
        p256dh: [UInt8], auth: [UInt8], sender: P256.KeyAgreement.PrivateKey, salt: [UInt8]
    ) throws(Failure) -> Keys {
        guard auth.count == 16 else { throw .badSubscriptionKey("auth secret is not 16 bytes") }
        let subscriber: P256.KeyAgreement.PublicKey
        do { subscriber = try P256.KeyAgreement.PublicKey(x963Representation: p256dh) } catch {
            throw .badSubscriptionKey("p256dh is not a P-256 point")
        }
        let shared: SharedSecret
        do { shared = try sender.sharedSecretFromKeyAgreement(with: subscriber) } catch {
            throw .crypto("ECDH: \(error)")
        }
        let ecdhSecret = shared.withUnsafeBytes { Array($0) }
        let senderPublic = Array(sender.publicKey.x963Representation)
        let info = Array("WebPush: info".utf8) + [0] + p256dh + senderPublic
        let ikm = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: ecdhSecret), salt: auth, info: info, outputByteCount: 32)
        let ikmBytes = ikm.withUnsafeBytes { Array($0) }
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let prkBytes = prk.withUnsafeBytes { Array($0) }
        let cek = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(
            pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        return Keys(
            ecdhSecret: ecdhSecret, ikm: ikmBytes, prk: prkBytes, cek: cek.withUnsafeBytes { Array($0) },
            nonce: nonce.withUnsafeBytes { Array($0) })
    }

    /// Encrypts `plaintext` for the subscriber: the whole request body.
    ///
    /// - Parameters:
    ///   - sender: The sender's key pair, fresh for every message (a parameter for the RFC's example).
    ///   - salt: 16 random bytes, fresh for every message (likewise).
    /// - Throws: ``Failure``.
    static func encrypt(
        _ plaintext: [UInt8], p256dh: [UInt8], auth: [UInt8],
        sender: P256.KeyAgreement.PrivateKey = P256.KeyAgreement.PrivateKey(),
        salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: 0...255) }
    ) throws(Failure) -> [UInt8] {
        guard plaintext.count <= maxPlaintextBytes else { throw .tooLong(plaintext.count) }
        guard salt.count == 16 else { throw .crypto("the salt is not 16 bytes") }
        let k = try keys(p256dh: p256dh, auth: auth, sender: sender, salt: salt)
        let sealed: AES.GCM.SealedBox
        do {
            sealed = try AES.GCM.seal(
                plaintext + [2], using: SymmetricKey(data: k.cek), nonce: AES.GCM.Nonce(data: k.nonce))
        } catch {
            throw .crypto("AES-GCM: \(error)")
        }
        var body: [UInt8] = []
        body.reserveCapacity(headerBytes + plaintext.count + recordOverhead)
        body += salt
        body += withUnsafeBytes(of: recordSize.bigEndian) { Array($0) }
        body.append(65)
        body += Array(sender.publicKey.x963Representation)
        body += Array(sealed.ciphertext)
        body += Array(sealed.tag)
        return body
    }
}
