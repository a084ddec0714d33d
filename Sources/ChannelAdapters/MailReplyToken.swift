import Crypto
import FanOut
import Foundation
import Participants
import ProviderAdapters

/// The signed token of a mail's personal reply link (`<replyBaseURL><token>`): which action,
/// which person and which answer (sighting, acknowledgement, stop) the link stands for.
///
/// A token is 50 bytes in base64url without padding (67 characters): a version byte (1), the
/// answer kind (`s` sighting, `a` acknowledgement, `x` stop), the action and the person as 64-bit
/// big-endian integers, and an HMAC-SHA256 over a fixed label and those 18 bytes with the
/// service's secret. Nothing personal is in it (the person is the registry's id), and nobody
/// without the secret can make or change one: ``verify(_:)`` refuses any changed byte.
///
/// The mail adapter signs the links; the service that serves `replyBaseURL` verifies them and hands
/// the answer (``ParticipantAnswer``, channel email) to the ledger.
///
/// A reply from another channel (the app's buttons, whose links the Web Push adapter puts in each
/// push) is a version 2 token: 51 bytes (68 characters), the channel's code (`v`, `s`, `e`, `a`)
/// after the kind. The answer is then recorded on that channel.
public struct MailReplyToken: Sendable {
    /// The shortest secret accepted (32 random bytes are recommended).
    public static let minimumSecretBytes = 16
    /// A token's length in characters.
    public static let length = 67

    /// What a valid token says.
    public struct Claims: Sendable, Hashable {
        /// The action answered.
        public var action: ActionID
        /// The person who answers.
        public var person: Int64
        /// The answer.
        public var kind: AnswerKind
        /// The channel the link came by (email for version 1 tokens).
        public var channel: Channel = .email
    }

    private static let label = Array("fanout mail reply v1".utf8)
    private static let version: UInt8 = 1
    /// The secret's bytes (swift-crypto's `SymmetricKey` is not `Sendable`: one is made per use).
    private let secret: [UInt8]
    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// Creates a signer and verifier with `secret`.
    ///
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` for a secret shorter than
    ///   ``minimumSecretBytes``.
    public init(secret: [UInt8]) throws {
        guard secret.count >= Self.minimumSecretBytes else {
            throw ProviderAdapterError(
                .invalidConfiguration, "the reply secret must be at least \(Self.minimumSecretBytes) bytes")
        }
        self.secret = secret
    }

    /// The token for `person`'s answer `kind` to `action`.
    ///
    /// - Complexity: One HMAC-SHA256 over 38 bytes.
    public func sign(action: ActionID, person: Int64, kind: AnswerKind, channel: Channel = .email) -> String {
        let payload = Self.payload(action: action, person: person, kind: kind, channel: channel)
        let mac = HMAC<SHA256>.authenticationCode(for: Self.label + payload, using: key)
        return Self.base64URL(payload + Array(mac))
    }

    /// What `token` says, or `nil` when it is not a token signed with this secret (malformed,
    /// another secret, a changed byte, an unknown version or kind).
    ///
    /// The HMAC is compared in constant time (swift-crypto's `isValidAuthenticationCode`).
    public func verify(_ token: String) -> (action: ActionID, person: Int64, kind: AnswerKind)? {
        guard let claims = claims(token) else { return nil }
        return (claims.action, claims.person, claims.kind)
    }

    /// What `token` says as ``Claims``, or `nil` as for ``verify(_:)``.
    public func claims(_ token: String) -> Claims? {
        guard token.utf8.count == Self.length || token.utf8.count == Self.length + 1,
            let bytes = Self.decodeBase64URL(token), bytes.count == 50 || bytes.count == 51
        else { return nil }
        let size = bytes.count - 32
        let payload = Array(bytes[0..<size])
        let mac = bytes[size...]
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Self.label + payload, using: key) else {
            return nil
        }
        let expected: UInt8 = size == 18 ? Self.version : Self.version + 1
        guard payload[0] == expected, let kind = Self.kind(payload[1]) else { return nil }
        var channel = Channel.email
        if size == 19 {
            guard let c = Channel.allCases.first(where: { Self.code($0) == payload[2] }), c != .email else { return nil }
            channel = c
        }
        let at = size - 16
        func int64(_ at: Int) -> Int64 {
            Int64(bitPattern: payload[at..<at + 8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        }
        return Claims(action: ActionID(rawValue: int64(at)), person: int64(at + 8), kind: kind, channel: channel)
    }

    // MARK: - Encoding

    /// Version 1 (18 bytes) for a mail's link, version 2 (19 bytes, with the channel) otherwise.
    private static func payload(action: ActionID, person: Int64, kind: AnswerKind, channel: Channel) -> [UInt8] {
        var bytes: [UInt8] = channel == .email ? [version, code(kind)] : [version + 1, code(kind), code(channel)]
        bytes.reserveCapacity(19)
        for value in [action.rawValue, person] {
            let bits = UInt64(bitPattern: value)
            for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        }
        return bytes
    }

    private static func code(_ kind: AnswerKind) -> UInt8 {
        switch kind {
        case .sighting: UInt8(ascii: "s")
        case .acknowledgement: UInt8(ascii: "a")
        case .stop: UInt8(ascii: "x")
        }
    }

    private static func code(_ channel: Channel) -> UInt8 {
        switch channel {
        case .voice: UInt8(ascii: "v")
        case .sms: UInt8(ascii: "s")
        case .email: UInt8(ascii: "e")
        case .app: UInt8(ascii: "a")
        }
    }

    private static func kind(_ code: UInt8) -> AnswerKind? {
        switch code {
        case UInt8(ascii: "s"): .sighting
        case UInt8(ascii: "a"): .acknowledgement
        case UInt8(ascii: "x"): .stop
        default: nil
        }
    }

    /// `bytes` in base64url without padding (RFC 4648 5).
    static func base64URL(_ bytes: [UInt8]) -> String {
        let alphabet: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return alphabet.withUTF8Buffer { a in
            var out: [UInt8] = []
            out.reserveCapacity((bytes.count * 4 + 2) / 3)
            var i = 0
            while i + 2 < bytes.count {
                let v = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
                out += [a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]]
                i += 3
            }
            if i + 1 == bytes.count {
                let v = Int(bytes[i]) << 16
                out += [a[v >> 18], a[(v >> 12) & 63]]
            } else if i + 2 == bytes.count {
                let v = Int(bytes[i]) << 16 | Int(bytes[i + 1]) << 8
                out += [a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63]]
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Decodes unpadded base64url; `nil` for any other character.
    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        guard text.utf8.allSatisfy({ c in
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
        }) else { return nil }
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.utf8.count % 4 != 0 { standard += "=" }
        guard let data = Data(base64Encoded: standard) else { return nil }
        // Only the canonical spelling: unused low bits set in the last character would give a
        // second token for the same bytes.
        guard base64URL(Array(data)) == text else { return nil }
        return Array(data)
    }
}
