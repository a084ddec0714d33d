import Crypto
import Foundation
import Participants
import Synchronization

/// VAPID (RFC 8292): the `Authorization: vapid t=<JWT>, k=<public key>` header that identifies
/// the sender to a push service.
///
/// The JWT is ES256 over `{"typ":"JWT","alg":"ES256"}` and `{"aud":<endpoint origin>,"exp":…,"sub":…}`.
/// One token per push service origin is signed and reused until half its lifetime is gone: a
/// push service sees the same token for thousands of messages (and the signing cost is paid once).
final class WebPushVAPID: Sendable {
    private struct Token {
        var header: String
        var renewAt: Date
    }

    let subject: String
    let lifetime: Duration
    /// The `k` parameter: the public key, uncompressed point, base64url.
    let publicKey: String
    /// The key's scalar: the key type is not `Sendable`; a key is made from it for each signature
    /// (one per push service origin every half lifetime).
    private let keyBytes: [UInt8]
    private let tokens = Mutex<[String: Token]>([:])

    init(subject: String, key: P256.Signing.PrivateKey, lifetime: Duration) {
        self.subject = subject
        keyBytes = Array(key.rawRepresentation)
        self.lifetime = lifetime
        publicKey = Base64URL.encode(Array(key.publicKey.x963Representation))
    }

    /// The `Authorization` header value for requests to `origin` at `now`.
    ///
    /// - Throws: A signing error from swift-crypto (never seen).
    func authorization(origin: String, now: Date = Date()) throws -> String {
        if let token = tokens.withLock({ $0[origin] }), token.renewAt > now { return token.header }
        let seconds = Int(lifetime.components.seconds)
        let jwt = try token(audience: origin, expiry: Int(now.timeIntervalSince1970) + seconds)
        let header = "vapid t=\(jwt), k=\(publicKey)"
        let renew = now.addingTimeInterval(Double(seconds) / 2)
        tokens.withLock { $0[origin] = Token(header: header, renewAt: renew) }
        return header
    }

    /// A signed JWT for `audience` expiring at `expiry` (Unix seconds).
    func token(audience: String, expiry: Int) throws -> String {
        let header = Base64URL.encode(Array(#"{"typ":"JWT","alg":"ES256"}"#.utf8))
        let claims = #"{"aud":\#(Self.jsonString(audience)),"exp":\#(expiry),"sub":\#(Self.jsonString(subject))}"#
        let input = header + "." + Base64URL.encode(Array(claims.utf8))
        let key = try P256.Signing.PrivateKey(rawRepresentation: keyBytes)
        let signature = try key.signature(for: Array(input.utf8))
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// `text` as a JSON string literal.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// The origin of an endpoint URL (RFC 6454): `https://host[:port]`, the port left out when it
    /// is the scheme's default; `nil` for a URL without scheme or host.
    static func origin(of endpoint: String) -> String? {
        guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
            let host = url.host?.lowercased(), !host.isEmpty
        else { return nil }
        let shownHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        if let port = url.port, !(scheme == "https" && port == 443), !(scheme == "http" && port == 80) {
            return "\(scheme)://\(shownHost):\(port)"
        }
        return "\(scheme)://\(shownHost)"
    }
}
