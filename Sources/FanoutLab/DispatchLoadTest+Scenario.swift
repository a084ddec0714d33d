import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

extension DispatchLoadTest {
    /// One action of a load-test scenario.
    public struct PlannedAction: Sendable {
        /// A label for the report (worst-case actions are listed by name).
        public var name: String
        /// When it starts (dispatcher time).
        public var startAt: Duration
        /// Circle centre (the incident point).
        public var centre: LonLat
        /// Circle radius in metres.
        public var radiusMeters: Double
        /// Incident type, urgency, message and channels.
        public var request: ActionRequest
        /// When it is ended, relative to its start (`nil`: ended once every alert is done; mails
        /// are never ended).
        public var endAfter: Duration?
        /// Whether it is a mail (no end message).
        public var isMail: Bool
    }

    /// The city centres worst-case actions are drawn around.
    static let amsterdam = LonLat(lon: 4.8930, lat: 52.3731)
    static let rotterdam = LonLat(lon: 4.4777, lat: 51.9244)
    static let theHague = LonLat(lon: 4.3007, lat: 52.0705)
    static let utrecht = LonLat(lon: 5.1214, lat: 52.0908)

    static let urgentTypes = ["missing-child", "burglary", "robbery", "hit-and-run", "missing-person"]

    static func request(_ type: String, _ urgency: Urgency, _ channels: [Channel]) -> ActionRequest {
        ActionRequest(
            incidentType: type, urgency: urgency,
            message: "Burgernet load test: \(type)", channels: channels, confirmed: true)
    }

    /// The most actions a month scenario may have.
    public static let maxActions = 1_000_000

    /// A realistic month (DOMAIN.md, 2016 figures): `urgent` time-critical actions (about 667) at
    /// uniformly random times over 30 days, around population-weighted places, radius
    /// log-uniform 500 m – 5 km, ended 20–90 minutes after the start; and `mails` non-urgent
    /// e-mails (about 1,500) to a neighbourhood (200 m – 1.5 km), never ended.
    ///
    /// - Throws: ``AreaToolError`` `.badArgument` unless both counts are 0 or more and together at
    ///   most ``maxActions``.
    public static func month(urgent: Int = 667, mails: Int = 1_500, seed: UInt64) throws -> [PlannedAction] {
        guard urgent >= 0, mails >= 0, urgent <= maxActions - mails else {
            throw AreaToolError(
                .badArgument, "urgent (\(urgent)) and mails (\(mails)) must be 0 or more, together at most \(maxActions)")
        }
        let places = try PlaceTable.load()
        let total = places.reduce(0) { $0 + $1.population }
        var rng = SplitMix(seed)
        func place() -> LonLat {
            var pick = Int(rng.unit() * Double(total))
            for p in places {
                pick -= p.population
                if pick < 0 {
                    // Up to about 2 km from the place's centre.
                    return LonLat(lon: p.lon + (rng.unit() - 0.5) * 0.06, lat: p.lat + (rng.unit() - 0.5) * 0.036)
                }
            }
            return LonLat(lon: places[0].lon, lat: places[0].lat)
        }
        let monthSeconds = 30.0 * 86_400
        var out: [PlannedAction] = []
        for i in 0..<urgent {
            let type = urgentTypes[Int(rng.unit() * Double(urgentTypes.count))]
            let urgency: Urgency = type == "missing-child" ? .critical : (rng.unit() < 0.5 ? .high : .normal)
            out.append(
                PlannedAction(
                    name: "urgent \(i + 1): \(type)", startAt: milliseconds(rng.unit() * monthSeconds),
                    centre: place(), radiusMeters: 500 * pow(10, rng.unit()),
                    request: request(type, urgency, [.voice, .sms, .app]),
                    endAfter: milliseconds(1_200 + rng.unit() * 4_200), isMail: false))
        }
        for i in 0..<mails {
            out.append(
                PlannedAction(
                    name: "mail \(i + 1)", startAt: milliseconds(rng.unit() * monthSeconds), centre: place(),
                    radiusMeters: 200 + rng.unit() * 1_300, request: request("neighbourhood-mail", .low, [.email]),
                    endAfter: nil, isMail: true))
        }
        return out.sorted { $0.startAt < $1.startAt }
    }

    /// The worst case: three large actions at once (10 km around Amsterdam, Rotterdam and The
    /// Hague) and a regional crisis alert around Utrecht whose radius is chosen so that it reaches
    /// at least `crisisRecipients` participants, all started at the same moment and ended when
    /// their alerts are done.
    public static func worstCase(engine: Engine, crisisRecipients: Int = 200_000) throws -> [PlannedAction] {
        // Smallest radius (to 50 m) whose circle holds at least `crisisRecipients`.
        var low = 1_000.0
        var high = 150_000.0
        while high - low > 50 {
            let mid = (low + high) / 2
            let n = try engine.select(SelectionRequest(area: .circle(center: utrecht, radiusMeters: mid)))
                .participants.count
            if n >= crisisRecipients { high = mid } else { low = mid }
        }
        let large: [(String, LonLat)] = [("Amsterdam", amsterdam), ("Rotterdam", rotterdam), ("The Hague", theHague)]
        var out = large.map { name, centre in
            PlannedAction(
                name: "large: 10 km around \(name)", startAt: .zero, centre: centre, radiusMeters: 10_000,
                request: request("robbery", .high, [.voice, .sms, .app]), endAfter: nil, isMail: false)
        }
        out.append(
            PlannedAction(
                name: "crisis alert: \(Int(high / 1000)) km around Utrecht", startAt: .zero, centre: utrecht,
                radiusMeters: high, request: request("crisis-alert", .critical, [.sms, .app, .voice]), endAfter: nil,
                isMail: false))
        return out
    }

    /// The channel a participant prefers in the load test (the synthetic registry has no
    /// preferences): 36% voice, 36% SMS, 28% app (450,000 app users of 1.6 million).
    static func preferred(_ id: Int64) -> [Channel] {
        var h = SplitMix(UInt64(bitPattern: id) &* 0x9E37_79B9_7F4A_7C15)
        let u = h.unit()
        return u < 0.36 ? [.voice] : u < 0.72 ? [.sms] : [.app]
    }
}

/// `seconds` rounded to whole milliseconds: scenario times stay on the dispatcher's nanosecond
/// grid (a time between two nanoseconds livelocks its channel-ready event; see `ScaledClock`).
private func milliseconds(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }
