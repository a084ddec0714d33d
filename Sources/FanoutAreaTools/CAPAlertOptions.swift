import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// The alert around an action area when it is written as CAP 1.2 (`area convert --to cap`):
/// header fields and texts per language, with defaults for a Burgernet-style action.
public struct CAPAlertOptions: Sendable {
    /// The texts of one language.
    public struct Texts: Sendable, Equatable {
        public var event: String
        public var headline: String
        public var description: String

        /// Creates texts.
        public init(event: String, headline: String, description: String) {
            self.event = event
            self.headline = headline
            self.description = description
        }
    }

    /// Short language codes and the CAP language tags they stand for.
    public static let languageTags = ["nl": "nl-NL", "fr": "fr-BE", "de": "de-DE"]

    /// The default texts for nl-NL, fr-BE and de-DE.
    public static let defaultTexts: [String: Texts] = [
        "nl-NL": Texts(
            event: "Burgernet-actie", headline: "Burgernet: de politie vraagt uw hulp in dit gebied",
            description: "De politie vraagt u uit te kijken in het aangegeven gebied. Ziet u iets? Bel 112."),
        "fr-BE": Texts(
            event: "Action d'alerte citoyenne", headline: "La police demande votre aide dans cette zone",
            description: "La police vous demande d'être attentif dans la zone indiquée. Vous voyez quelque chose ? "
                + "Appelez le 112."),
        "de-DE": Texts(
            event: "Bürgeralarm", headline: "Die Polizei bittet um Ihre Mithilfe in diesem Gebiet",
            description: "Die Polizei bittet Sie, im angegebenen Gebiet aufmerksam zu sein. Sehen Sie etwas? "
                + "Rufen Sie 112 an."),
    ]

    /// `<identifier>`; `nil` makes `fanout-<UUID>`.
    public var identifier: String?
    public var sender = "fanout@burgernet.example"
    /// `<sent>`; `nil` is now.
    public var sent: Date?
    /// The offset `<sent>` is written with; `nil` is the local time zone's at `sent`.
    public var utcOffsetSeconds: Int?
    public var status = CAPMessage.Status.actual
    public var msgType = CAPMessage.MessageType.alert
    public var scope = CAPMessage.Scope.public
    public var references: [CAPMessage.Reference] = []
    /// CAP language tags, one `<info>` each, in this order.
    public var languages = ["nl-NL"]
    public var category = CAPMessage.Category.safety
    public var urgency = CAPMessage.Urgency.immediate
    public var severity = CAPMessage.Severity.moderate
    public var certainty = CAPMessage.Certainty.observed
    /// Texts per language tag; a language without an entry gets ``defaultTexts`` (or, for a
    /// language not there, the nl-NL texts).
    public var texts: [String: Texts] = [:]
    /// `<areaDesc>`; `nil` is the input file's name.
    public var areaDesc: String?

    /// Creates options with the defaults.
    public init() {}

    /// The CAP tag for `nl`, `fr`, `de` (or a full tag such as `en-GB`, returned as given).
    public static func languageTag(_ code: String) -> String { languageTags[code.lowercased()] ?? code }

    /// The message for a WGS84 area: one `<info>` per language, each with one `<area>` holding
    /// one `<polygon>` per polygon.
    ///
    /// - Throws: ``GeoError`` `.unsupportedGeometry` when the area is not WGS84 or has holes
    ///   (CAP polygons are single rings).
    public func message(for area: AreaGeometry, areaDesc: String) throws -> CAPMessage {
        guard area.crs == .wgs84 else {
            throw GeoError(
                .unsupportedGeometry, "\(area.source): CAP needs WGS84 coordinates, the area is in \(area.crs)")
        }
        if let (i, p) = area.polygons.enumerated().first(where: { !$0.element.holes.isEmpty }) {
            throw GeoError(
                .unsupportedGeometry,
                "\(area.source): polygon \(i + 1) has \(p.holes.count) hole(s); a CAP <polygon> is a single ring "
                    + "and cannot leave a hole out (write GeoJSON or GeoPackage instead)")
        }
        return message(
            for: CAPMessage.Area(
                areaDesc: areaDesc, polygons: area.polygons.map { $0.shell.map { LonLat(lon: $0.x, lat: $0.y) } }))
    }

    /// The message for a circular action area: one `<circle>` (`lat,lon radius_km`) per `<info>`.
    ///
    /// - Parameters:
    ///   - center: The centre (WGS84).
    ///   - radiusMeters: The radius in metres (written in km, as CAP wants, with all its digits).
    public func message(circle center: LonLat, radiusMeters: Double, areaDesc: String) -> CAPMessage {
        message(
            for: CAPMessage.Area(
                areaDesc: areaDesc, circles: [CAPCircle(center: center, radiusKm: radiusMeters / 1000)]))
    }

    /// The message with `capArea` in every `<info>`.
    private func message(for capArea: CAPMessage.Area) -> CAPMessage {
        let sent = self.sent ?? Date()
        let offset = utcOffsetSeconds ?? (TimeZone.current.secondsFromGMT(for: sent) / 60 * 60)
        let infos = languages.map { language in
            let t = texts[language] ?? Self.defaultTexts[language] ?? Self.defaultTexts["nl-NL"]
            return CAPMessage.Info(
                language: language, category: category, event: t?.event ?? "", urgency: urgency, severity: severity,
                certainty: certainty, headline: t?.headline ?? "", description: t?.description ?? "", areas: [capArea])
        }
        return CAPMessage(
            identifier: identifier ?? "fanout-\(UUID().uuidString.lowercased())", sender: sender, sent: sent,
            utcOffsetSeconds: offset, status: status, msgType: msgType, scope: scope, references: references,
            infos: infos)
    }
}
