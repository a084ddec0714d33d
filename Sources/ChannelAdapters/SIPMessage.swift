/// One SIP message (RFC 3261 section 7) as read from or written to a UDP datagram: a request or a
/// response, its headers in order and its body.
///
/// Parsing is defensive: anything that is not a well-formed message (no start line, a header
/// without a colon, a `Content-Length` beyond the datagram, more than ``maxHeaders`` headers) is
/// `nil`, never a crash.
struct SIPMessage: Sendable, Equatable {
    /// The start line.
    enum Start: Sendable, Equatable {
        /// `METHOD uri SIP/2.0`.
        case request(method: String, uri: String)
        /// `SIP/2.0 code reason`.
        case response(status: Int, reason: String)
    }

    var start: Start
    /// Headers in order, names in their canonical long form (`v` is `Via`).
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    static let maxHeaders = 128

    static func == (a: SIPMessage, b: SIPMessage) -> Bool {
        a.start == b.start && a.body == b.body && a.headers.map(\.name) == b.headers.map(\.name)
            && a.headers.map(\.value) == b.headers.map(\.value)
    }

    init(start: Start, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.start = start
        self.headers = headers
        self.body = body
    }

    // MARK: - Reading

    /// Parses a datagram; `nil` when it is not a SIP message.
    init?(parsing bytes: ArraySlice<UInt8>) {
        // The head ends at the first empty line (CRLF CRLF, or LF LF from sloppy peers).
        var headEnd: Int?
        var bodyStart = bytes.endIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 10 {
                if i + 1 < bytes.endIndex, bytes[i + 1] == 10 {
                    headEnd = i
                    bodyStart = i + 2
                    break
                }
                if i + 2 < bytes.endIndex, bytes[i + 1] == 13, bytes[i + 2] == 10 {
                    headEnd = i
                    bodyStart = i + 3
                    break
                }
            }
            i += 1
        }
        let head = bytes[bytes.startIndex..<(headEnd ?? bytes.endIndex)]
        // Lines are split on the bytes: in a Swift String "\r\n" is one Character.
        var lines: [Substring] = []
        for rawBytes in head.split(separator: 10, omittingEmptySubsequences: false) {
            let lineBytes = rawBytes.last == 13 ? rawBytes.dropLast() : rawBytes
            guard let decoded = String(validating: lineBytes, as: UTF8.self) else { return nil }
            let line = Substring(decoded)
            if let first = line.first, first == " " || first == "\t" {
                // A folded header line continues the previous one.
                guard !lines.isEmpty else { return nil }
                lines[lines.count - 1] = Substring(lines[lines.count - 1] + " " + line.drop { $0 == " " || $0 == "\t" })
            } else if !line.isEmpty {
                lines.append(line)
            }
        }
        guard let first = lines.first, lines.count - 1 <= Self.maxHeaders else { return nil }
        guard let start = Self.startLine(first) else { return nil }
        var headers: [(name: String, value: String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].trimmingSpaces
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return nil }
            headers.append((Self.canonical(String(name)), String(line[line.index(after: colon)...].trimmingSpaces)))
        }
        let available = bytes[bodyStart...]
        var body = Array(available)
        if let length = headers.first(where: { $0.name == "Content-Length" })?.value {
            guard let n = Int(length), n >= 0, n <= available.count else { return nil }
            body = Array(available.prefix(n))
        }
        self.init(start: start, headers: headers, body: body)
    }

    private static func startLine(_ line: Substring) -> Start? {
        let parts = line.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        if parts[0] == "SIP/2.0" {
            guard parts[1].count == 3, let code = Int(parts[1]), (100...699).contains(code) else { return nil }
            return .response(status: code, reason: parts.count > 2 ? String(parts[2]) : "")
        }
        guard parts.count == 3, parts[2] == "SIP/2.0",
            parts[0].allSatisfy({ $0.isASCII && ($0.isUppercase || $0 == "-") }), parts[0].count <= 20
        else { return nil }
        return .request(method: String(parts[0]), uri: String(parts[1]))
    }

    /// The long form of compact header names (RFC 3261 section 7.3.3) and the case used here.
    static func canonical(_ name: String) -> String {
        switch name.lowercased() {
        case "v", "via": "Via"
        case "f", "from": "From"
        case "t", "to": "To"
        case "i", "call-id": "Call-ID"
        case "m", "contact": "Contact"
        case "l", "content-length": "Content-Length"
        case "c", "content-type": "Content-Type"
        case "cseq": "CSeq"
        case "record-route": "Record-Route"
        case "route": "Route"
        case "www-authenticate": "WWW-Authenticate"
        case "proxy-authenticate": "Proxy-Authenticate"
        case "retry-after": "Retry-After"
        default: name
        }
    }

    // MARK: - Headers

    /// The first value of header `name` (canonical form).
    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Every value of header `name`, comma-separated values split (for Via, Record-Route).
    func values(_ name: String) -> [String] {
        headers.filter { $0.name == name }.flatMap { SIPMessage.splitList($0.value) }
    }

    /// The CSeq number and method.
    var cseq: (number: UInt32, method: String)? {
        guard let v = header("CSeq") else { return nil }
        let parts = v.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let n = UInt32(parts[0]) else { return nil }
        return (n, String(parts[1]))
    }

    /// The Call-ID.
    var callID: String? { header("Call-ID") }

    /// The `branch` parameter of the top Via.
    var topBranch: String? { values("Via").first.flatMap { SIPMessage.parameter("branch", in: $0) } }

    /// The status of a response.
    var status: Int? {
        if case .response(let status, _) = start { return status }
        return nil
    }

    /// The method of a request.
    var method: String? {
        if case .request(let method, _) = start { return method }
        return nil
    }

    /// Splits a header value at commas outside quotes and angle brackets.
    static func splitList(_ value: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var angle = false
        for ch in value {
            if ch == "\"" { quoted.toggle() }
            if !quoted, ch == "<" { angle = true }
            if !quoted, ch == ">" { angle = false }
            if ch == ",", !quoted, !angle {
                parts.append(current.trimming(" \t"))
                current = ""
            } else {
                current.append(ch)
            }
        }
        let last = current.trimming(" \t")
        if !last.isEmpty { parts.append(last) }
        return parts
    }

    /// The value of `;name=value` in a header value (after any `<uri>`), lower-case name match.
    static func parameter(_ name: String, in value: String) -> String? {
        let tail = value.lastIndex(of: ">").map { value[value.index(after: $0)...] } ?? value[...]
        for part in tail.split(separator: ";").dropFirst() {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.first?.trimmingSpaces.lowercased() == name {
                return kv.count > 1 ? String(kv[1].trimmingSpaces) : ""
            }
        }
        return nil
    }

    /// The URI of a name-addr (`"Name" <sip:…>;tag=x` or `sip:…;tag=x`).
    static func uri(in value: String) -> String? {
        if let open = value.firstIndex(of: "<"), let close = value[open...].firstIndex(of: ">") {
            return String(value[value.index(after: open)..<close])
        }
        let bare = value.split(separator: ";").first.map { String($0.trimmingSpaces) }
        return bare?.isEmpty == false ? bare : nil
    }

    // MARK: - Writing

    /// The datagram: start line, headers with a correct `Content-Length`, empty line, body.
    var bytes: [UInt8] {
        var text: String
        switch start {
        case .request(let method, let uri): text = "\(method) \(uri) SIP/2.0\r\n"
        case .response(let status, let reason): text = "SIP/2.0 \(status) \(reason)\r\n"
        }
        for (name, value) in headers where name != "Content-Length" { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.count)\r\n\r\n"
        return Array(text.utf8) + body
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: Substring {
        let s = Substring(self)
        guard let first = s.firstIndex(where: { $0 != " " && $0 != "\t" }) else { return s[s.endIndex...] }
        guard let last = s.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return s[s.endIndex...] }
        return Substring(s[first...last])
    }
}

extension String {
    /// Without leading and trailing characters from `set`.
    func trimming(_ set: String) -> String {
        guard let first = firstIndex(where: { !set.contains($0) }), let last = lastIndex(where: { !set.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
