import FanOut
import FanoutAreaTools
import FanoutCore
import Foundation
import Geo
import GeoFormats
import Hummingbird

/// An action as a CAP 1.2 message: `Alert` while it runs on its first area, `Update` once enlarged
/// (referencing the earlier versions), `Cancel` once stopped or ended (referencing them all).
///
/// Identifiers are stable (`fanout-action-ID-vN`, `fanout-action-ID-cancel`), so a receiver can
/// match an Update or Cancel to the Alert it refers to. `sent` times are wall-clock estimates of
/// the dispatcher's times: exact within one run of the service, shifted by the downtime for
/// versions recorded before a restart.
enum ActionCAP {
    static let sender = "fanout@burgernet.example"

    /// The CAP XML of action `summary` with its area versions.
    ///
    /// - Parameters:
    ///   - dispatcherNow: The dispatcher clock's time now, to place the dispatcher's times on the wall clock.
    /// - Throws: ``ServeError`` `.conflict` when the action's area was not recorded (over 1 MB) or has holes.
    static func xml(
        summary: ActionSummary, versions: [AreaVersion], dispatcherNow: Duration, wallNow: Date = Date()
    ) throws -> String {
        func wall(_ t: Duration) -> Date { wallNow.addingTimeInterval(-(dispatcherNow - t).seconds) }
        guard let latest = versions.last, let geometry = latest.geometry else {
            throw ServeError(.conflict, "action \(summary.id): its area was not recorded (areas over 1 MB are not kept)")
        }
        var options = CAPAlertOptions()
        options.sender = sender
        let identifiers = versions.map { "fanout-action-\(summary.id.rawValue)-v\($0.version)" }
        let references = zip(versions, identifiers).map { v, id in
            CAPMessage.Reference(sender: sender, identifier: id, sent: CAPWriter.dateTime(wall(v.at), utcOffsetSeconds: 0))
        }
        switch summary.state {
        case .running:
            options.identifier = identifiers.last
            options.sent = wall(latest.at)
            options.msgType = versions.count == 1 ? .alert : .update
            options.references = Array(references.dropLast())
        case .stopped, .ended:
            options.identifier = "fanout-action-\(summary.id.rawValue)-cancel"
            options.sent = wallNow
            options.msgType = .cancel
            options.references = references
        }
        options.utcOffsetSeconds = 0
        options.urgency = summary.request.urgency >= .high ? .immediate : .expected
        let texts = summary.request.texts.isEmpty ? ["nl": summary.request.message] : summary.request.texts
        options.languages = texts.keys.sorted().map { CAPAlertOptions.languageTag($0) }
        for (language, text) in texts {
            let headline = text.count > 160 ? String(text.prefix(157)) + "..." : text
            options.texts[CAPAlertOptions.languageTag(language)] = CAPAlertOptions.Texts(
                event: summary.request.incidentType, headline: headline, description: text)
        }
        let areaDesc = "action \(summary.id.rawValue), area version \(latest.version)"
        let message: CAPMessage
        if let circle = parseCircle(geometry) {
            message = options.message(circle: circle.center, radiusMeters: circle.radius, areaDesc: areaDesc)
        } else {
            do {
                let area = try AreaReader.parseGeoJSON(Data(geometry.utf8), name: "action \(summary.id) area")
                message = try options.message(for: area, areaDesc: areaDesc)
            } catch let error as any FanoutError {
                throw ServeError(.conflict, "action \(summary.id): its area cannot be written as CAP: \(error.message)")
            }
        }
        return try CAPWriter.xml(message)
    }

    /// Reads `circle around POINT (lon lat), radius r m` (how the audit records a circle).
    static func parseCircle(_ text: String) -> (center: LonLat, radius: Double)? {
        guard text.hasPrefix("circle around POINT (") else { return nil }
        let numbers = text.dropFirst("circle around POINT (".count)
            .split(whereSeparator: { " (),".contains($0) || $0.isLetter })
            .compactMap { Double($0) }
        guard numbers.count == 3 else { return nil }
        return (LonLat(lon: numbers[0], lat: numbers[1]), numbers[2])
    }
}

extension Routes {
    /// `GET /v1/actions/{id}/cap`.
    func addCAP(to router: Router<ServeContext>) {
        router.get("/v1/actions/:id/cap") { request, context in
            _ = try authorize(request, .readActions)
            let id = try actionID(context)
            let room = try room.room()
            let summary = try room.ledger.summary(of: id)
            let xml = try ActionCAP.xml(
                summary: summary, versions: try room.ledger.areaVersions(of: id), dispatcherNow: room.dispatcher.clock.now)
            return Response(
                status: .ok, headers: [.contentType: "application/cap+xml; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: xml)))
        }
    }
}
