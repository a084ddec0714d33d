import Foundation
import Geo
import Participants

/// How long an action's texts may be on each channel, and what a photo URL must look like:
/// checked when an action starts (message, texts per language, photo URL) and ends (result), by
/// the dispatcher and, with the option names, by the command line.
///
/// | channel | limit | why |
/// | --- | --- | --- |
/// | SMS | 6 concatenated SMS: 918 GSM 7-bit characters (extension characters such as `€` count two), or 402 UTF-16 units in UCS-2 | what an SMSC and Kannel's `max-messages` commonly allow; more parts arrive out of order or not at all |
/// | voice | 1,000 characters | spoken by text-to-speech at about 15 characters a second: about a minute, the planner's typical call |
/// | e-mail | 10,000 characters | a long alert is not read |
/// | app push | 2,048 bytes of UTF-8 | APNs and FCM take 4,096 bytes of payload, which also holds the photo URL and the keys |
///
/// A photo URL is an absolute `http` or `https` URL with a host, without spaces or control
/// characters, of at most 1,024 bytes.
public enum MessageLimits {
    /// Most SMS one text may be split into.
    public static let smsMaxParts = 6
    /// Most characters of a spoken (voice) text.
    public static let voiceMaxCharacters = 1_000
    /// Most characters of an e-mail text.
    public static let emailMaxCharacters = 10_000
    /// Most UTF-8 bytes of an app push text.
    public static let appMaxBytes = 2_048
    /// Most UTF-8 bytes of a photo URL.
    public static let photoURLMaxBytes = 1_024

    /// How a text goes by SMS: its encoding, its length in that encoding's units and the number of
    /// SMS it takes.
    public struct SMSLength: Sendable, Hashable {
        /// Whether every character is in the GSM 03.38 alphabet (7-bit); else UCS-2.
        public var isGSM: Bool
        /// Septets (GSM; an extension character is two) or UTF-16 units (UCS-2).
        public var units: Int
        /// SMS needed: one up to 160 septets (70 UCS-2 units), else 153 (67) per part.
        public var parts: Int
    }

    /// The SMS length of `text`.
    /// - Complexity: O(n) in the text's length.
    public static func smsLength(_ text: String) -> SMSLength {
        var septets = 0
        var gsm = true
        for s in text.unicodeScalars {
            if gsmBasic.contains(s) {
                septets += 1
            } else if gsmExtension.contains(s) {
                septets += 2
            } else {
                gsm = false
                break
            }
        }
        let units = gsm ? septets : text.utf16.count
        let (single, part) = gsm ? (160, 153) : (70, 67)
        let parts = units == 0 ? 1 : units <= single ? 1 : (units + part - 1) / part
        return SMSLength(isGSM: gsm, units: units, parts: parts)
    }

    /// Whether every character of `text` is in the GSM 03.38 default alphabet or its extension table.
    public static func isGSM(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { gsmBasic.contains($0) || gsmExtension.contains($0) }
    }

    /// The GSM 03.38 default alphabet.
    static let gsmBasic: Set<Unicode.Scalar> = Set(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)
    /// The GSM 03.38 extension table (two septets each).
    static let gsmExtension: Set<Unicode.Scalar> = Set("^{}\\[~]|€\u{0C}".unicodeScalars)

    /// Checks that `text` fits every channel in `channels`.
    ///
    /// - Parameter name: Names the text in the message (`--message`, `result`, `text for language 'fr'`).
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the text, the channel, the length found
    ///   and the limit.
    public static func check(_ text: String, named name: String, channels: [Channel]) throws {
        for channel in Channel.allCases where channels.contains(channel) {
            if let problem = problem(with: text, on: channel) {
                throw DispatchError(.invalidRequest, "\(name): \(problem)")
            }
        }
    }

    /// What is wrong with `text` on `channel`, or `nil` when it fits.
    static func problem(with text: String, on channel: Channel) -> String? {
        switch channel {
        case .sms:
            let n = smsLength(text)
            guard n.parts > smsMaxParts else { return nil }
            let found =
                n.isGSM
                ? "\(n.units) GSM 7-bit characters"
                : "\(n.units) UTF-16 units in UCS-2 (it has characters outside the GSM alphabet)"
            return "too long for sms: \(found) take \(n.parts) SMS; at most \(smsMaxParts) "
                + "(\(smsMaxParts * 153) GSM 7-bit characters, or \(smsMaxParts * 67) in UCS-2)"
        case .voice:
            let n = text.count
            return n > voiceMaxCharacters
                ? "too long for voice: \(n) characters; at most \(voiceMaxCharacters) (about a minute of speech)" : nil
        case .email:
            let n = text.count
            return n > emailMaxCharacters ? "too long for email: \(n) characters; at most \(emailMaxCharacters)" : nil
        case .app:
            let n = text.utf8.count
            return n > appMaxBytes ? "too long for app push: \(n) bytes of UTF-8; at most \(appMaxBytes)" : nil
        }
    }

    /// Checks a photo URL: absolute `http`/`https` with a host, no spaces or control characters,
    /// at most ``photoURLMaxBytes``.
    ///
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the field (`name`) and what is wrong
    ///   (the URL itself is shown up to 80 characters).
    public static func checkPhotoURL(_ url: String, named name: String) throws {
        func bad(_ why: String) -> DispatchError {
            let shown = url.count > 80 ? "\(url.prefix(80))…" : url
            return DispatchError(.invalidRequest, "\(name): '\(shown.debugDescription.dropFirst().dropLast())' \(why)")
        }
        if url.utf8.count > photoURLMaxBytes {
            throw bad("is \(url.utf8.count) bytes long; at most \(photoURLMaxBytes)")
        }
        if url.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            throw bad("has a space or a control character")
        }
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { throw bad("is not an http or https URL") }
        guard parts.host?.isEmpty == false else { throw bad("has no host") }
    }

    /// Checks an action request's texts (message, each language's text) on its channels, and its
    /// photo URL.
    ///
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the text (`message`, `text for language
    ///   'fr'`, `photoURL`), the channel and the length.
    public static func check(_ request: ActionRequest) throws {
        try check(request.message, named: "message", channels: request.channels)
        for (language, text) in request.texts.sorted(by: { $0.key < $1.key }) {
            try check(text, named: "text for language '\(language.prefix(10))'", channels: request.channels)
        }
        if let url = request.photoURL { try checkPhotoURL(url, named: "photoURL") }
    }
}
