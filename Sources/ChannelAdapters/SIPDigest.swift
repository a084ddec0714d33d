import Crypto
/// HTTP digest authentication for SIP (RFC 2617, RFC 8760): the answer to a 401
/// `WWW-Authenticate` or 407 `Proxy-Authenticate` challenge, with MD5 or SHA-256, with or without
/// `qop=auth`.
struct SIPDigest: Sendable {
    /// The challenge's parameters (names lower-cased, quotes removed).
    var parameters: [String: String]

    /// Parses `Digest realm="…", nonce="…", …`; `nil` for another scheme or a challenge
    /// without realm or nonce.
    init?(challenge: String) {
        let trimmed = challenge.trimmingSpaces
        guard trimmed.lowercased().hasPrefix("digest ") else { return nil }
        var parameters: [String: String] = [:]
        for part in SIPMessage.splitList(String(trimmed.dropFirst("digest ".count))) {
            guard let eq = part.firstIndex(of: "=") else { continue }
            let name = part[..<eq].trimmingSpaces.lowercased()
            var value = part[part.index(after: eq)...].trimmingSpaces
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            parameters[name] = String(value)
        }
        guard parameters["realm"] != nil, parameters["nonce"] != nil else { return nil }
        self.parameters = parameters
    }

    /// The hash the challenge asks for: MD5 (also when unnamed) or SHA-256; `nil` for others.
    var algorithm: String? {
        switch (parameters["algorithm"] ?? "MD5").uppercased() {
        case "MD5": "MD5"
        case "SHA-256": "SHA-256"
        default: nil
        }
    }

    /// The `Authorization` / `Proxy-Authorization` value for `method` on `uri`.
    ///
    /// - Parameter cnonce: The client nonce (random, used when the challenge offers `qop=auth`).
    /// - Returns: `nil` when the algorithm is not supported.
    func authorization(method: String, uri: String, username: String, password: String, cnonce: String) -> String? {
        guard let algorithm, let realm = parameters["realm"], let nonce = parameters["nonce"] else { return nil }
        func hash(_ text: String) -> String { algorithm == "MD5" ? SIPDigest.md5(text) : SIPDigest.sha256(text) }
        let ha1 = hash("\(username):\(realm):\(password)")
        let ha2 = hash("\(method):\(uri)")
        var offersAuth = false
        if let qop = parameters["qop"] {
            offersAuth = qop.split(separator: ",").contains { (option: Substring) -> Bool in
                option.trimmingSpaces == "auth"
            }
        }
        let nc = "00000001"
        let response: String
        if offersAuth {
            response = hash("\(ha1):\(nonce):\(nc):\(cnonce):auth:\(ha2)")
        } else {
            response = hash("\(ha1):\(nonce):\(ha2)")
        }
        var value =
            "Digest username=\"\(username)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(uri)\", "
            + "response=\"\(response)\", algorithm=\(algorithm)"
        if offersAuth { value += ", qop=auth, nc=\(nc), cnonce=\"\(cnonce)\"" }
        if let opaque = parameters["opaque"] { value += ", opaque=\"\(opaque)\"" }
        return value
    }

    static func md5(_ text: String) -> String { hex(Insecure.MD5.hash(data: Array(text.utf8))) }
    static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Array(text.utf8))) }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef")
        var s = ""
        for b in digest {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }
}
