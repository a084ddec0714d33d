import FanOut
import Foundation
import Synchronization

/// Writes one alert mail: RFC 5322 headers and a MIME multipart/alternative body (text/plain and
/// text/html, UTF-8, quoted-printable) with the person's reply links.
///
/// The mail has `Date`, `Message-ID`, `Auto-Submitted: auto-generated` (RFC 3834: no
/// auto-replies), `List-Unsubscribe` (with `List-Unsubscribe-Post` for an https target, RFC 8058)
/// and `X-Fanout-Key` (the idempotency key). The body is the message text, an optional photo link
/// and two links, `<replyBaseURL><token>`: "seen" (``AnswerKind/sighting``) and "stop".
struct MailComposer: Sendable {
    /// The encoded parts of recent texts (the same for every recipient of an action's text).
    let bodies = MailBodyCache()

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

        let parts = bodies.parts(for: message, labels: labels)
        // Only the links differ from one recipient of the text to the next: the rest is encoded once.
        let plainLinks = "\(labels.seen): \(seen)\n\(labels.stop): \(stop)\n"
        let button = "display:inline-block;padding:10px 16px;margin:4px;border-radius:4px;color:#fff;text-decoration:none"
        let htmlLinks = "<a href=\"\(seen)\" style=\"\(button);background:#1a7f37\">\(Self.escaped(labels.seen))</a>\n"
            + "<a href=\"\(stop)\" style=\"\(button);background:#b42318\">\(Self.escaped(labels.stop))</a></p>\n"
        var out = Array(head.utf8)
        out.reserveCapacity(out.count + parts.plainHead.count + parts.htmlHead.count + 2048)
        out += Array("\r\n--\(Self.boundary)\r\n".utf8)
        out += Array("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        out += parts.plainHead
        out += Self.quotedPrintable(plainLinks)
        out += parts.plainTail
        out += Array("\r\n--\(Self.boundary)\r\n".utf8)
        out += Array("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8)
        out += parts.htmlHead
        out += Self.quotedPrintable(htmlLinks)
        out += parts.htmlTail
        out += Array("\r\n--\(Self.boundary)--\r\n".utf8)
        return out
    }

    /// The quoted-printable parts of a text's mail that are the same for every recipient: the
    /// text, the photo link and the words before the links; the footer after them.
    static func bodyParts(_ message: OutboundMessage, labels: Labels) -> MailBodyParts {
        var text = message.text + "\n\n"
        if let photo = message.photoURL, isSafeURL(photo) { text += "\(labels.photo): \(photo)\n\n" }
        text += "\(labels.intro)\n"
        var html = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n<p>"
        html += escaped(message.text).replacingOccurrences(of: "\n", with: "<br>\n") + "</p>\n"
        if let photo = message.photoURL, isSafeURL(photo) {
            html += "<p><a href=\"\(escaped(photo))\">\(escaped(labels.photo))</a></p>\n"
        }
        html += "<p>\(escaped(labels.intro))</p>\n<p>\n"
        return MailBodyParts(
            plainHead: quotedPrintable(text), plainTail: quotedPrintable("\n-- \n\(labels.footer)\n"),
            htmlHead: quotedPrintable(html),
            htmlTail: quotedPrintable("<p style=\"color:#666;font-size:small\">\(escaped(labels.footer))</p>\n</body></html>\n"))
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

    /// Quoted-printable (RFC 2045 6.7) of `text` with CRLF line ends and lines of at most 76
    /// characters; `text`'s line breaks (LF or CRLF) end lines, so a text ending in one ends in CRLF.
    ///
    /// - Complexity: O(n), one pass over the UTF-8 bytes.
    static func quotedPrintable(_ text: String) -> [UInt8] {
        let source = Array(text.utf8)
        return source.withUnsafeBufferPointer { bytes in
            let hex: StaticString = "0123456789ABCDEF"
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 4 + 16)
            var width = 0
            var i = 0
            let n = bytes.count
            while i < n {
                let byte = bytes[i]
                if byte == 10 || (byte == 13 && i + 1 < n && bytes[i + 1] == 10) {
                    out.append(13)
                    out.append(10)
                    width = 0
                    i += byte == 13 ? 2 : 1
                    continue
                }
                let lineEnds = i + 1 == n || bytes[i + 1] == 10 || (bytes[i + 1] == 13 && i + 2 < n && bytes[i + 2] == 10)
                let literal = (byte >= 33 && byte <= 126 && byte != 61) || ((byte == 32 || byte == 9) && !lineEnds)
                let need = literal ? 1 : 3
                // A soft break ("=") when the character would pass column 75 (76 at the line's end).
                if width + need > (lineEnds ? 76 : 75) {
                    out.append(61)
                    out.append(13)
                    out.append(10)
                    width = 0
                }
                if literal {
                    out.append(byte)
                } else {
                    hex.withUTF8Buffer { h in
                        out.append(61)
                        out.append(h[Int(byte >> 4)])
                        out.append(h[Int(byte & 15)])
                    }
                }
                width += need
                i += 1
            }
            return out
        }
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

/// The quoted-printable parts of one text's mail around its personal links (CRLF lines).
struct MailBodyParts: Sendable {
    var plainHead: [UInt8]
    var plainTail: [UInt8]
    var htmlHead: [UInt8]
    var htmlTail: [UInt8]
}

/// The encoded parts of the last texts mailed, so that a text going to 10,000 people is encoded
/// once, not 10,000 times. Holds at most 64 texts (a text, photo and language each).
final class MailBodyCache: Sendable {
    private struct Key: Hashable {
        var text: String
        var photo: String?
        var language: String?
    }

    private let entries = Mutex<[Key: MailBodyParts]>([:])

    /// The parts for `message`'s text, photo and language (made and kept on first use).
    func parts(for message: OutboundMessage, labels: MailComposer.Labels) -> MailBodyParts {
        let key = Key(text: message.text, photo: message.photoURL, language: message.language)
        if let parts = entries.withLock({ $0[key] }) { return parts }
        let parts = MailComposer.bodyParts(message, labels: labels)
        entries.withLock { e in
            if e.count >= 64 { e.removeAll() }
            e[key] = parts
        }
        return parts
    }
}
