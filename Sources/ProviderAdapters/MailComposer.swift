import FanOut
import Foundation

/// Writes one alert mail: RFC 5322 headers and a MIME multipart/alternative body (text/plain and
/// text/html, UTF-8, quoted-printable) with the person's reply links.
///
/// The mail has `Date`, `Message-ID`, `Auto-Submitted: auto-generated` (RFC 3834: no
/// auto-replies), `List-Unsubscribe` (with `List-Unsubscribe-Post` for an https target, RFC 8058)
/// and `X-Fanout-Key` (the idempotency key). The body is the message text, an optional photo link
/// and two links, `<replyBaseURL><token>`: "seen" (``AnswerKind/sighting``) and "stop".
struct MailComposer: Sendable {
    /// The words around the links, per language (Dutch for any language not listed).
    struct Labels: Sendable {
        var seen: String
        var stop: String
        var photo: String
        var intro: String
        var footer: String

        static func of(_ language: String?) -> Labels {
            switch language?.prefix(2) {
            case "en":
                Labels(
                    seen: "I have seen something", stop: "Stop: no more messages for this action",
                    photo: "View the photo", intro: "Did you see something? Tell us with one click:",
                    footer: "This is an automatic message from the alert network. Do not reply to it.")
            default:
                Labels(
                    seen: "Ik heb iets gezien", stop: "Stop: geen berichten meer over deze actie",
                    photo: "Bekijk de foto", intro: "Iets gezien? Laat het ons met één klik weten:",
                    footer: "Dit is een automatisch bericht van het alarmnetwerk. Beantwoord het niet.")
            }
        }
    }

    static let boundary = "=_fanout-alternative"

    let configuration: SMTPConfiguration
    let tokens: MailReplyToken
    /// Makes Message-IDs of this adapter unique against an earlier ledger's same keys.
    let instance: String
    let domain: String

    init(configuration: SMTPConfiguration, tokens: MailReplyToken) {
        self.configuration = configuration
        self.tokens = tokens
        instance = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        domain = String(configuration.fromAddress.split(separator: "@").last ?? "localhost")
    }

    /// The reply link for `kind`.
    func link(_ message: OutboundMessage, _ kind: AnswerKind) -> String {
        configuration.replyBaseURL + tokens.sign(action: message.key.action, person: message.key.person, kind: kind)
    }

    /// The whole mail to `address` as CRLF lines (not yet dot-stuffed).
    func compose(_ message: OutboundMessage, to address: String, date: Date = Date()) -> [UInt8] {
        let labels = Labels.of(message.language)
        let seen = link(message, .sighting)
        let stop = link(message, .stop)
        let unsubscribe = configuration.unsubscribeURL ?? stop
        var head = ""
        func header(_ name: String, _ value: String) { head += "\(name): \(value)\r\n" }
        header("From", Self.mailbox(name: configuration.fromName, address: configuration.fromAddress))
        header("To", "<\(address)>")
        header("Subject", Self.encodedWord(configuration.subject, start: "Subject: ".count))
        header("Date", Self.rfc5322Date(date))
        let key = message.key
        header("Message-ID", "<fanout.\(key.action.rawValue).\(key.person).\(key.kind.rawValue).\(message.attempt).\(instance)@\(domain)>")
        header("Auto-Submitted", "auto-generated")
        header("List-Unsubscribe", "<\(unsubscribe)>")
        if unsubscribe.hasPrefix("https://") { header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click") }
        header("X-Fanout-Key", message.idempotencyKey)
        if let language = message.language, language.allSatisfy({ $0.isASCII && ($0.isLetter || $0 == "-") }) {
            header("Content-Language", language)
        }
        header("MIME-Version", "1.0")
        header("Content-Type", "multipart/alternative; boundary=\"\(Self.boundary)\"")

        var text = message.text + "\n\n"
        if let photo = message.photoURL, Self.isSafeURL(photo) { text += "\(labels.photo): \(photo)\n\n" }
        text += "\(labels.intro)\n\(labels.seen): \(seen)\n\(labels.stop): \(stop)\n\n-- \n\(labels.footer)\n"

        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<p>"
        html += Self.escaped(message.text).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>\n"
        if let photo = message.photoURL, Self.isSafeURL(photo) {
            html += "<p><a href=\"\(Self.escaped(photo))\">\(Self.escaped(labels.photo))</a></p>\n"
        }
        let button = "display:inline-block;padding:10px 16px;margin:4px;border-radius:4px;color:#fff;text-decoration:none"
        html += "<p>\(Self.escaped(labels.intro))</p>\n<p>"
        html += "<a href=\"\(seen)\" style=\"\(button);background:#1a7f37\">\(Self.escaped(labels.seen))</a>\n"
        html += "<a href=\"\(stop)\" style=\"\(button);background:#b42318\">\(Self.escaped(labels.stop))</a></p>\n"
        html += "<p style=\"color:#666;font-size:small\">\(Self.escaped(labels.footer))</p>\n</body></html>\n"

        var body = "\r\n--\(Self.boundary)\r\n"
        body += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        body += Self.quotedPrintable(text)
        body += "\r\n--\(Self.boundary)\r\n"
        body += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        body += Self.quotedPrintable(html)
        body += "\r\n--\(Self.boundary)--\r\n"
        return Array(head.utf8) + Array(body.utf8)
    }

    // MARK: - Encodings

    /// `"Name" <address>`, the name as an RFC 2047 encoded word when it is not plain ASCII.
    static func mailbox(name: String, address: String) -> String {
        if name.isEmpty { return "<\(address)>" }
        let plain = name.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 && $0 != "\"" && $0 != "\\" }
        return (plain ? "\"\(name)\"" : encodedWord(name, start: 6)) + " <\(address)>"
    }

    /// `text` as is when it is printable ASCII, else as RFC 2047 `=?UTF-8?B?…?=` words folded
    /// onto continuation lines (each word at most 75 characters, no character split).
    static func encodedWord(_ text: String, start: Int) -> String {
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 32 && $0.value < 127 }), start + text.count <= 78 {
            return text
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// Quoted-printable (RFC 2045 6.7) of `text` with CRLF line ends and lines of at most 76 characters.
    static func quotedPrintable(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, rawLine) in lines.enumerated() {
            var line = rawLine[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            var width = 0
            let count = line.count
            for (i, byte) in line.enumerated() {
                let last = i == count - 1
                let literal =
                    (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=")) || ((byte == 32 || byte == 9) && !last)
                let need = literal ? 1 : 3
                // A soft break ("=") when the character would pass column 75 (76 with the "=").
                if width + need > (last ? 76 : 75) {
                    out += [UInt8(ascii: "="), 13, 10]
                    width = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    out += [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
                }
                width += need
            }
            if index < lines.count - 1 { out += [13, 10] }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `&`, `<`, `>` and `"` as HTML entities.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Whether `url` is an http(s) URL without spaces, quotes or angle brackets (safe in an
    /// attribute and a text line).
    static func isSafeURL(_ url: String) -> Bool {
        (url.hasPrefix("https://") || url.hasPrefix("http://"))
            && url.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }

    /// `Mon, 07 Dec 2026 20:15:51 +0000`.
    static func rfc5322Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "Thu, 01 Jan 1970 00:00:00 +0000" }
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[Int(parts.tm_wday) % 7]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon) % 12]) "
            + "\(parts.tm_year + 1900) \(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) +0000"
    }
}
