import FanOut
import FanoutAreaTools
import Foundation
import Geo
import GeoFormats

/// The public side of an action, as social media and neighbourhood chat groups may pass it on:
/// its description, photo link, a generalised area (``PublicArea``) and the number to call, and
/// nothing else (no participant, no count, no incident point). Only actions the dispatcher
/// released (``Ledger/publish(_:photoURL:origin:)``) and did not withdraw are in it.
///
/// Each action is a CAP 1.2 message: `Alert` on its first area, `Update` after each enlargement,
/// `Cancel` once stopped or ended (with the end message as its description). The identifiers
/// (`fanout-public-ID-vN`, `fanout-public-ID-end`) and `sent` times (the wall-clock times of the
/// start, enlargement and end commands) are stable: reading the feed twice gives the same
/// messages, and a receiver matches an Update to its Alert by `references`.
public struct PublicAction: Sendable, Equatable {
    /// The action.
    public var id: ActionID
    /// The incident type (`<event>`).
    public var incidentType: String
    /// Whether it is time-critical (CAP urgency `Immediate`, else `Expected`).
    public var timeCritical: Bool
    /// The description per language code (`nl`, `en`...), as the dispatcher wrote it.
    public var texts: [String: String]
    /// The photo link released with it.
    public var photoURL: String?
    /// The number to call.
    public var callNumber: String
    /// The latest area, generalised; `nil` when it was not recorded or is in another CRS.
    public var area: PublicArea?
    /// When each area version was given (start, then each enlargement; wall clock).
    public var versions: [Date]
    /// The end: when, and the end message (`nil` while it runs).
    public var end: (at: Date, result: String?)?
    /// When the dispatcher first released it.
    public var released: Date

    public static func == (a: PublicAction, b: PublicAction) -> Bool {
        a.id == b.id && a.incidentType == b.incidentType && a.timeCritical == b.timeCritical && a.texts == b.texts
            && a.photoURL == b.photoURL && a.callNumber == b.callNumber && a.area == b.area && a.versions == b.versions
            && a.end?.at == b.end?.at && a.end?.result == b.end?.result && a.released == b.released
    }

    /// When the public part last changed: its latest version, its end or its release.
    public var updated: Date { max(end?.at ?? .distantPast, versions.last ?? .distantPast, released) }

    /// The CAP identifier of the latest message.
    public var identifier: String {
        end == nil ? "fanout-public-\(id.rawValue)-v\(max(versions.count, 1))" : "fanout-public-\(id.rawValue)-end"
    }

    /// The headline in the first language (the feed entry's title).
    public var headline: String {
        let text = end.map { "\(Self.endedWord) \(incidentType): \($0.result ?? "")" } ?? firstText
        return text.count > 160 ? String(text.prefix(157)) + "..." : text
    }

    private static let endedWord = "Ended"

    private var firstText: String { texts["nl"] ?? texts.keys.sorted().first.flatMap { texts[$0] } ?? incidentType }
}

extension PublicAction {
    /// The public part of `action` from the ledger; `nil` when it is not released now.
    ///
    /// - Parameters:
    ///   - callNumber: The number participants call (the dispatch configuration's `texts.callNumber`).
    /// - Throws: ``DispatchError`` `.unknownAction`, `.ledger`.
    public static func read(_ action: ActionID, from ledger: Ledger, callNumber: String) throws -> PublicAction? {
        guard let publication = try ledger.publication(of: action), publication.released else { return nil }
        return try read(publication, from: ledger, callNumber: callNumber)
    }

    /// The public part of a released action whose publication state the caller has read.
    static func read(_ publication: Publication, from ledger: Ledger, callNumber: String) throws -> PublicAction {
        let action = publication.action
        let summary = try ledger.summary(of: action)
        let areas = try ledger.areaVersions(of: action)
        let log = try ledger.commandLog(CommandLogQuery(action: action, limit: 10_000)).records
        let versions = log.filter { $0.command == .start || $0.command == .enlarge }.map(\.origin.wallTime)
        var end: (Date, String?)?
        if summary.state != .running {
            let at = log.last { $0.command == .end || $0.command == .stop }?.origin.wallTime ?? publication.changed
            end = (at, summary.result)
        }
        let texts = summary.request.texts.isEmpty ? ["nl": summary.request.message] : summary.request.texts
        return PublicAction(
            id: action, incidentType: summary.request.incidentType, timeCritical: summary.request.urgency.isTimeCritical,
            texts: texts, photoURL: publication.photoURL ?? summary.request.photoURL, callNumber: callNumber,
            area: RecordedArea(areas.last?.geometry).map(PublicArea.generalising),
            versions: versions.isEmpty ? [publication.firstReleased] : versions, end: end,
            released: publication.firstReleased)
    }

    /// The action as a CAP 1.2 message (see ``PublicAction``).
    public var cap: CAPMessage {
        let sender = PublicFeed.sender
        let references = versions.enumerated().map { i, at in
            CAPMessage.Reference(
                sender: sender, identifier: "fanout-public-\(id.rawValue)-v\(i + 1)",
                sent: CAPWriter.dateTime(at, utcOffsetSeconds: 0))
        }
        let areaDesc = "action \(id.rawValue), generalised area (at least \(Int(PublicArea.margin)) m past the real one)"
        var capArea = CAPMessage.Area(areaDesc: areaDesc)
        switch area {
        case .circle(let center, let r)?: capArea.circles = [CAPCircle(center: center, radiusKm: r / 1000)]
        case .polygon(let ring)?: capArea.polygons = [ring]
        case nil: break
        }
        let infos = texts.keys.sorted().map { language -> CAPMessage.Info in
            var info = CAPMessage.Info(
                language: CAPAlertOptions.languageTag(language), category: .safety, event: incidentType,
                urgency: end != nil ? .past : (timeCritical ? .immediate : .expected), severity: .moderate,
                certainty: .observed, headline: headline, description: end?.result ?? texts[language] ?? "",
                instruction: end == nil ? PublicFeed.instruction(language, number: callNumber) : nil,
                areas: capArea.circles.isEmpty && capArea.polygons.isEmpty ? [] : [capArea])
            info.contact = callNumber
            if let photoURL {
                info.resources = [
                    CAPMessage.Resource(
                        description: PublicFeed.photoWord(language), mimeType: PublicFeed.mimeType(of: photoURL),
                        uri: photoURL)
                ]
            }
            return info
        }
        let sent = end?.at ?? versions.last ?? released
        let msgType: CAPMessage.MessageType = end != nil ? .cancel : (versions.count > 1 ? .update : .alert)
        return CAPMessage(
            identifier: identifier, sender: sender, sent: sent, utcOffsetSeconds: 0, msgType: msgType,
            references: end != nil ? references : Array(references.dropLast()), infos: infos)
    }
}

/// The public feeds: every released action as CAP 1.2 in an Atom feed (RFC 4287, each entry
/// holding its CAP message) and in an RSS 2.0 feed, and each action's CAP message on its own,
/// optionally with an XML signature (``CAPSignature``).
public struct PublicFeed: Sendable {
    /// The feeds' title.
    public var title: String
    /// Where the feeds are published, without a trailing slash (`https://example.org/public`):
    /// the feeds are `BASE/actions.atom` and `BASE/actions.rss`, each action `BASE/actions/ID.cap`.
    public var baseURL: String
    /// The actions, most recently released first.
    public var actions: [PublicAction]

    /// CAP's `<sender>` of every public message.
    public static let sender = "fanout-public@burgernet.example"

    /// Creates a feed.
    public init(title: String, baseURL: String, actions: [PublicAction]) {
        self.title = title
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.actions = actions
    }

    /// The released actions of `ledger` (at most `limit`).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public static func read(
        from ledger: Ledger, title: String, baseURL: String, callNumber: String, limit: Int = 50
    ) throws -> PublicFeed {
        let actions = try ledger.releasedActions(limit: limit).map {
            try PublicAction.read($0, from: ledger, callNumber: callNumber)
        }
        return PublicFeed(title: title, baseURL: baseURL, actions: actions)
    }

    /// When the feed last changed (its newest action's change; 1970 when empty).
    public var updated: Date { actions.map(\.updated).max() ?? Date(timeIntervalSince1970: 0) }

    /// The link of `action`'s CAP message.
    public func capURL(_ action: ActionID) -> String { "\(baseURL)/actions/\(action.rawValue).cap" }

    /// The Atom feed.
    ///
    /// - Throws: ``GeoError`` `.parse` when an action cannot be written as CAP (not expected).
    public func atom() throws -> String {
        func e(_ s: String) -> String { CAPWriter.escape(s) }
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <id>\(e(baseURL))/actions.atom</id>
              <title>\(e(title))</title>
              <updated>\(Self.rfc3339(updated))</updated>
              <link rel="self" type="application/atom+xml" href="\(e(baseURL))/actions.atom"/>
              <author><name>\(e(title))</name></author>

            """
        for a in actions {
            let cap = try CAPWriter.canonicalAlert(a.cap)
            x += """
                  <entry>
                    <id>\(e(baseURL))/actions/\(a.id.rawValue)</id>
                    <title>\(e(a.headline))</title>
                    <updated>\(Self.rfc3339(a.updated))</updated>
                    <published>\(Self.rfc3339(a.released))</published>
                    <summary>\(e(summary(a)))</summary>
                    <link rel="alternate" type="application/cap+xml" href="\(e(capURL(a.id)))"/>

                """
            if let photo = a.photoURL {
                x += "    <link rel=\"enclosure\" type=\"\(e(Self.mimeType(of: photo)))\" href=\"\(e(photo))\"/>\n"
            }
            x += "    <content type=\"application/cap+xml\">\(cap)</content>\n  </entry>\n"
        }
        return x + "</feed>\n"
    }

    /// The RSS 2.0 feed. Each item's `guid` is the CAP identifier of the action's latest message,
    /// so a reader that follows guids sees each enlargement and the end as a new item.
    public func rss() -> String {
        func e(_ s: String) -> String { CAPWriter.escape(s) }
        var x = """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
              <channel>
                <title>\(e(title))</title>
                <link>\(e(baseURL))/actions.rss</link>
                <description>\(e(title))</description>
                <lastBuildDate>\(Self.rfc822(updated))</lastBuildDate>
                <atom:link rel="self" type="application/rss+xml" href="\(e(baseURL))/actions.rss"/>

            """
        for a in actions {
            x += """
                    <item>
                      <title>\(e(a.headline))</title>
                      <link>\(e(capURL(a.id)))</link>
                      <description>\(e(summary(a)))</description>
                      <guid isPermaLink="false">\(e(a.identifier))</guid>
                      <pubDate>\(Self.rfc822(a.updated))</pubDate>
                    </item>

                """
        }
        return x + "  </channel>\n</rss>\n"
    }

    /// The entry's text: the description (or the end message), what to do, the photo link.
    func summary(_ a: PublicAction) -> String {
        let language = a.texts["nl"] != nil ? "nl" : a.texts.keys.sorted().first ?? "nl"
        var parts = [a.end.map { $0.result ?? "" } ?? (a.texts[language] ?? "")]
        if a.end == nil { parts.append(Self.instruction(language, number: a.callNumber)) }
        if let photo = a.photoURL { parts.append("\(Self.photoWord(language)): \(photo)") }
        return parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    static func instruction(_ language: String, number: String) -> String {
        switch language {
        case "nl": return "Gezien? Bel gratis \(number)."
        case "fr": return "Vu quelque chose ? Appelez gratuitement le \(number)."
        case "de": return "Etwas gesehen? Rufen Sie kostenlos \(number) an."
        default: return "Seen anything? Call \(number) free of charge."
        }
    }

    static func photoWord(_ language: String) -> String {
        switch language {
        case "nl": return "Foto"
        case "fr": return "Photo"
        case "de": return "Foto"
        default: return "Photo"
        }
    }

    /// The MIME type a photo link's extension names (`application/octet-stream` when none).
    static func mimeType(of url: String) -> String {
        let path = URLComponents(string: url)?.path.lowercased() ?? ""
        for (ext, type) in [
            (".jpg", "image/jpeg"), (".jpeg", "image/jpeg"), (".png", "image/png"), (".gif", "image/gif"),
            (".webp", "image/webp"),
        ] where path.hasSuffix(ext) { return type }
        return "application/octet-stream"
    }

    /// `2026-12-08T01:02:03Z`.
    static func rfc3339(_ d: Date) -> String {
        String(CAPWriter.dateTime(d, utcOffsetSeconds: 0).dropLast(6)) + "Z"
    }

    /// `Tue, 08 Dec 2026 01:02:03 +0000` (RFC 822 with a four-digit year, as RSS 2.0 uses it).
    static func rfc822(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(secondsFromGMT: 0)
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return f.string(from: d)
    }
}
