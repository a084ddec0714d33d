import ProviderAdapters

/// One SMTP reply (RFC 5321 4.2): a three-digit code and its text lines, joined from a
/// multi-line reply (`250-…` lines up to the `250 …` line).
struct SMTPReply: Sendable, Hashable, CustomStringConvertible {
    /// The code, 200...599.
    var code: Int
    /// The text of each line, without the code.
    var lines: [String]

    /// 2xx.
    var isPositive: Bool { (200..<300).contains(code) }
    /// 4xx: try again later.
    var isTransient: Bool { (400..<500).contains(code) }
    /// 5xx: refused for good.
    var isPermanent: Bool { code >= 500 }

    /// The code and the first line, e-mail addresses and digit runs masked (for logs and errors).
    var description: String { "\(code) \(Self.masked(lines.first ?? ""))" }

    /// `text` with every word holding an `@` replaced by `<address>` and digit runs masked,
    /// cut to 160 characters: what a server says may echo the recipient's address.
    static func masked(_ text: String) -> String {
        let words = text.split(separator: " ", omittingEmptySubsequences: false).map {
            $0.contains("@") ? "<address>" : String($0)
        }
        return PersonalData.masked(words.joined(separator: " "), limit: 160)
    }
}

/// Collects reply lines into ``SMTPReply``s.
///
/// A line that is not `ddd`, `ddd text` or `ddd-text` with a code of 200...599, a continuation
/// line whose code differs, or a reply of more than ``maxLines`` lines is malformed: the
/// connection is then closed (never a crash, never a guess).
struct SMTPReplyParser: Sendable {
    /// At most this many lines in one reply (an EHLO answer has about ten).
    static let maxLines = 100

    private var pending: SMTPReply?

    /// The outcome of one line.
    enum Step: Sendable, Equatable {
        /// The line continues a reply.
        case more
        /// The line ends a reply.
        case reply(SMTPReply)
        /// The line is not SMTP: the reason (the line itself is not kept: it may be personal).
        case malformed(String)
    }

    /// Feeds one line (without CRLF).
    mutating func feed(_ line: [UInt8]) -> Step {
        guard line.count >= 3, line[0...2].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return .malformed("a reply line that does not start with a three-digit code")
        }
        let code = line[0...2].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        guard (200...599).contains(code) else { return .malformed("a reply code \(code) outside 200...599") }
        let separator: UInt8? = line.count > 3 ? line[3] : nil
        guard separator == nil || separator == UInt8(ascii: " ") || separator == UInt8(ascii: "-") else {
            return .malformed("a reply line without a space or '-' after its code")
        }
        let text = line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : ""
        if let p = pending, p.code != code {
            pending = nil
            return .malformed("a multi-line reply whose codes differ (\(p.code), then \(code))")
        }
        var reply = pending ?? SMTPReply(code: code, lines: [])
        reply.lines.append(text)
        if separator == UInt8(ascii: "-") {
            guard reply.lines.count < Self.maxLines else {
                pending = nil
                return .malformed("a reply of more than \(Self.maxLines) lines")
            }
            pending = reply
            return .more
        }
        pending = nil
        return .reply(reply)
    }

    /// Whether a multi-line reply is half read.
    var isInside: Bool { pending != nil }
}

/// What an EHLO answer offers (RFC 5321 4.1.1.1), read from its lines after the first.
struct SMTPExtensions: Sendable, Hashable {
    var pipelining = false
    var startTLS = false
    var authPlain = false
    var eightBitMIME = false
    /// The SIZE limit in bytes (0: none given).
    var sizeLimit = 0

    init() {}

    init(ehlo reply: SMTPReply) {
        for line in reply.lines.dropFirst() {
            let words = line.uppercased().split(separator: " ")
            guard let keyword = words.first else { continue }
            switch keyword {
            case "PIPELINING": pipelining = true
            case "STARTTLS": startTLS = true
            case "8BITMIME": eightBitMIME = true
            case "AUTH": authPlain = words.dropFirst().contains("PLAIN")
            case "SIZE": sizeLimit = words.count > 1 ? Int(words[1]) ?? 0 : 0
            default: break
            }
        }
    }
}
