import Foundation
import Participants

/// The texts participants get, per incident type and language: the written one (SMS, e-mail,
/// app) and the spoken one (a call), made from the action's description, the number to call
/// and an optional photo link.
///
/// Configured in the dispatcher configuration's `"texts"` object; without one,
/// ``DispatchConfig/texts`` is `nil` and participants get the action's text as it is.
///
/// ```json
/// "texts": {
///   "callNumber": "0800-0011", "spokenCallNumber": "0 8 0 0, 0 0 1 1", "maxSMSParts": 3,
///   "templates": {
///     "*": { "nl": { "written": "Burgernet: {description} Gezien? Bel gratis {number}.\nFoto: {photo}",
///                    "spoken": "Dit is Burgernet. {description} Gezien? Bel gratis {number}." } },
///     "missing-child": { "en": { "written": "Burgernet, missing child: {description} Call {number}." } }
///   }
/// }
/// ```
///
/// Placeholders: `{description}` (the action's text in the person's language), `{number}` (the
/// number to call; spoken: ``spokenCallNumber``), `{photo}` (the photo link). A line holding
/// `{photo}` is left out when the action has none; the photo link is never spoken. A template is
/// looked up by incident type, then `"*"`; in the person's language, then in Dutch; the built-in
/// templates (``builtIn``, nl/fr/de/en) fill what the configuration leaves out.
///
/// ``maxSMSParts`` bounds every rendered written text when the action may text: an action
/// whose text in any of its languages takes more SMS is refused when it starts (GSM 7-bit: 160
/// characters in one SMS, 153 per part when concatenated; UCS-2: 70 and 67).
public struct MessageTemplates: Sendable, Hashable, Codable {
    /// One template: the written text, and the spoken one (`nil`: the written one is spoken).
    public struct Template: Sendable, Hashable, Codable {
        /// For SMS, e-mail and app pushes.
        public var written: String
        /// For calls (`nil`: ``written`` without its photo line).
        public var spoken: String?

        /// Creates a template.
        public init(written: String, spoken: String? = nil) {
            self.written = written
            self.spoken = spoken
        }
    }

    /// The number participants call with what they saw (Burgernet's free number).
    public var callNumber: String
    /// How the number is spoken (digit by digit, with pauses).
    public var spokenCallNumber: String
    /// Most SMS a rendered written text may take (1...``MessageLimits/smsMaxParts``).
    public var maxSMSParts: Int
    /// Incident type (or `"*"`) → language → template.
    public var templates: [String: [String: Template]]

    /// The placeholders a template may use.
    public static let placeholders: Set<String> = ["description", "number", "photo"]

    /// Burgernet's own texts, in the four languages of the border region.
    public static let builtIn: [String: Template] = [
        "nl": Template(
            written: "Burgernet: {description} Heeft u iets gezien? Bel direct gratis {number}.\nFoto: {photo}",
            spoken: "Dit is een bericht van Burgernet. {description} Heeft u iets gezien? Bel dan gratis {number}."),
        "fr": Template(
            written: "Burgernet : {description} Vous avez vu quelque chose ? Appelez gratuitement le {number}.\nPhoto : {photo}",
            spoken: "Ceci est un message de Burgernet. {description} Si vous avez vu quelque chose, appelez gratuitement le {number}."),
        "de": Template(
            written: "Burgernet: {description} Haben Sie etwas gesehen? Rufen Sie kostenlos {number} an.\nFoto: {photo}",
            spoken: "Dies ist eine Nachricht von Burgernet. {description} Wenn Sie etwas gesehen haben, rufen Sie kostenlos {number} an."),
        "en": Template(
            written: "Burgernet: {description} Seen anything? Call {number} free of charge.\nPhoto: {photo}",
            spoken: "This is a message from Burgernet. {description} If you have seen anything, call {number} free of charge."),
    ]

    /// Creates templates (the built-in ones fill in languages not given).
    public init(
        callNumber: String = "0800-0011", spokenCallNumber: String? = nil, maxSMSParts: Int = 3,
        templates: [String: [String: Template]] = [:]
    ) {
        self.callNumber = callNumber
        self.spokenCallNumber = spokenCallNumber ?? Self.spelled(callNumber)
        self.maxSMSParts = maxSMSParts
        self.templates = templates
    }

    /// The template for `incidentType` in `language`: configured for the type, then for `"*"`, in
    /// the language, then the built-in one in the language, then Dutch.
    public func template(incidentType: String, language: String?) -> Template {
        let lang = language ?? "nl"
        return templates[incidentType]?[lang] ?? templates["*"]?[lang] ?? Self.builtIn[lang]
            ?? templates[incidentType]?["nl"] ?? templates["*"]?["nl"] ?? Self.builtIn["nl"]!
    }

    /// The text `channel` carries to a person of `language` in an action described by `description`.
    public func render(
        description: String, photoURL: String?, incidentType: String, language: String?, channel: Channel
    ) -> String {
        let t = template(incidentType: incidentType, language: language)
        if channel == .voice {
            return Self.fill(t.spoken ?? t.written, description: description, number: spokenCallNumber, photo: nil)
        }
        return Self.fill(t.written, description: description, number: callNumber, photo: photoURL)
    }

    /// The alert text of `request` for a person of `language` on `channel`.
    public func alertText(_ request: ActionRequest, language: String?, channel: Channel) -> String {
        render(
            description: request.text(for: language), photoURL: request.photoURL, incidentType: request.incidentType,
            language: language, channel: channel)
    }

    /// Checks that `request`'s written texts, rendered in every language it has (and in the
    /// built-in and configured languages for its default text), fit ``maxSMSParts`` when the
    /// action may text, and every channel's limit.
    ///
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the language, the SMS count and the limit.
    public func check(_ request: ActionRequest) throws {
        var languages = Set(request.texts.keys).union(Self.builtIn.keys)
        for (_, byLanguage) in templates { languages.formUnion(byLanguage.keys) }
        for language in languages.sorted() {
            for channel in request.channels {
                let text = alertText(request, language: language, channel: channel)
                let name = "the alert text as rendered for '\(request.incidentType)' in \(language)"
                try MessageLimits.check(text, named: name, channels: [channel])
                if channel == .sms {
                    let n = MessageLimits.smsLength(text)
                    if n.parts > maxSMSParts {
                        throw DispatchError(
                            .invalidRequest,
                            "\(name) takes \(n.parts) SMS (\(n.units) \(n.isGSM ? "GSM 7-bit characters" : "UCS-2 units")); "
                                + "at most \(maxSMSParts) (texts.maxSMSParts: \(maxSMSParts * (n.isGSM ? 153 : 67)) "
                                + "\(n.isGSM ? "GSM 7-bit characters" : "UCS-2 units")): shorten the description")
                    }
                }
            }
        }
    }

    /// `template` with its placeholders filled; lines with `{photo}` go when there is no photo.
    static func fill(_ template: String, description: String, number: String, photo: String?) -> String {
        var lines: [String] = []
        for line in template.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.contains("{photo}") && photo == nil { continue }
            lines.append(String(line))
        }
        var out = lines.joined(separator: "\n")
        // One pass, so that a description holding "{number}" is not filled in itself.
        var result = ""
        var rest = Substring(out)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}") {
                let name = after[..<close]
                switch name {
                case "description": result += description
                case "number": result += number
                case "photo": result += photo ?? ""
                default: result += "{\(name)}"
                }
                rest = after[after.index(after: close)...]
            } else {
                result += rest[open...]
                rest = ""
            }
        }
        result += rest
        out = result
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A number spoken digit by digit, groups separated by pauses ("0800-0011" → "0 8 0 0, 0 0 1 1").
    static func spelled(_ number: String) -> String {
        number.split(whereSeparator: { !$0.isNumber }).map { $0.map(String.init).joined(separator: " ") }
            .joined(separator: ", ")
    }

    // MARK: - Codable (the "texts" object)

    private enum CodingKeys: String, CodingKey { case callNumber, spokenCallNumber, maxSMSParts, templates }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let number = try c.decodeIfPresent(String.self, forKey: .callNumber) ?? "0800-0011"
        self.init(
            callNumber: number, spokenCallNumber: try c.decodeIfPresent(String.self, forKey: .spokenCallNumber),
            maxSMSParts: try c.decodeIfPresent(Int.self, forKey: .maxSMSParts) ?? 3,
            templates: try c.decodeIfPresent([String: [String: Template]].self, forKey: .templates) ?? [:])
    }

    /// Checks the numbers and the templates' placeholders.
    ///
    /// - Throws: ``DispatchError`` `.invalidConfig` naming `source`, the key and what is wrong.
    public func validate(source: String) throws {
        func bad(_ key: String, _ why: String) -> DispatchError {
            DispatchError(.invalidConfig, "\(source): 'texts.\(key)' \(why)")
        }
        guard (1...MessageLimits.smsMaxParts).contains(maxSMSParts) else {
            throw bad("maxSMSParts", "must be 1...\(MessageLimits.smsMaxParts), got \(maxSMSParts)")
        }
        guard !callNumber.trimmingCharacters(in: .whitespaces).isEmpty, callNumber.count <= 32 else {
            throw bad("callNumber", "must be 1 to 32 characters")
        }
        for (type, byLanguage) in templates.sorted(by: { $0.key < $1.key }) {
            for (language, t) in byLanguage.sorted(by: { $0.key < $1.key }) {
                for (field, text) in [("written", t.written), ("spoken", t.spoken ?? "")] {
                    let key = "templates.\(type).\(language).\(field)"
                    if field == "written" && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                        throw bad(key, "is empty")
                    }
                    if field == "written" && !text.contains("{description}") {
                        throw bad(key, "must contain {description} (the action's text)")
                    }
                    var rest = Substring(text)
                    while let open = rest.firstIndex(of: "{") {
                        let after = rest[rest.index(after: open)...]
                        guard let close = after.firstIndex(of: "}") else { throw bad(key, "has a '{' without '}'") }
                        let name = String(after[..<close])
                        guard Self.placeholders.contains(name) else {
                            throw bad(
                                key,
                                "has the unknown placeholder {\(name.prefix(40))} (known: {description}, {number}, {photo})")
                        }
                        rest = after[after.index(after: close)...]
                    }
                }
            }
        }
    }
}
