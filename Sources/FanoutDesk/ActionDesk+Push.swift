import ChannelAdapters
import FanOut
import Foundation
import Participants
import ProviderAdapters
import Synchronization

/// What the Web Push adapter puts in each push about its action: the urgency, and the action's
/// latest area in WGS84 so that the app can decide on the phone whether it is inside.
///
/// Read from the ledger once per action and area version and kept in memory (the adapter asks for
/// every push, on its worker threads). The area comes from the latest area version's text: a
/// circle (`circle around POINT (lon lat), radius r m`) becomes a 32-sided polygon; a GeoJSON
/// Polygon or MultiPolygon in longitude and latitude is taken as it is (outer rings); an area in
/// another coordinate system is left out (the push then has no `area`, and the app shows the
/// message without deciding).
final class PushActionInfo: Sendable {
    private let ledger: Ledger
    private let cache = Mutex<[ActionID: (versions: Int, info: WebPushActionInfo)]>([:])

    init(ledger: Ledger) { self.ledger = ledger }

    /// The info of `action` (`nil` when the ledger cannot be read).
    ///
    /// Per push it reads one count (the action's area versions); the summary and the area only
    /// when that count changed.
    func info(_ action: ActionID) -> WebPushActionInfo? {
        guard let count = try? ledger.areaVersionCount(of: action) else { return nil }
        if let hit = cache.withLock({ $0[action] }), hit.versions == count { return hit.info }
        guard let summary = try? ledger.summary(of: action), let areas = try? ledger.areaVersions(of: action) else {
            return nil
        }
        let info = WebPushActionInfo(urgency: summary.request.urgency, area: Self.area(areas.last?.geometry))
        cache.withLock { $0[action] = (areas.count, info) }
        return info
    }

    /// The area a push carries: a circle as 32 sides, WGS84 polygons as given, nothing otherwise.
    static func area(_ text: String?) -> [[[Double]]] { RecordedArea(text)?.rings() ?? [] }
}
