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
    func info(_ action: ActionID) -> WebPushActionInfo? {
        guard let summary = try? ledger.summary(of: action), let areas = try? ledger.areaVersions(of: action) else {
            return nil
        }
        if let hit = cache.withLock({ $0[action] }), hit.versions == areas.count { return hit.info }
        let info = WebPushActionInfo(urgency: summary.request.urgency, area: Self.area(areas.last?.geometry))
        cache.withLock { $0[action] = (areas.count, info) }
        return info
    }

    /// Outer rings in `[lon, lat]` from an area record's text; empty when not in WGS84.
    static func area(_ text: String?) -> [[[Double]]] {
        guard let text else { return [] }
        if text.hasPrefix("circle around POINT (") {
            let numbers = text.split(whereSeparator: { !"0123456789.-".contains($0) }).compactMap { Double($0) }
            guard numbers.count >= 3 else { return [] }
            let (lon, lat, r) = (numbers[0], numbers[1], numbers[2])
            guard abs(lon) <= 180, abs(lat) < 90, r > 0 else { return [] }
            let dLat = r / 111_320
            let dLon = r / (111_320 * cos(lat * .pi / 180))
            let ring = (0...32).map { k -> [Double] in
                let t = 2 * Double.pi * Double(k % 32) / 32
                return [lon + dLon * cos(t), lat + dLat * sin(t)]
            }
            return [ring]
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
        let geometry = (object["geometry"] as? [String: Any]) ?? object
        if object["crs"] != nil || geometry["crs"] != nil { return [] }  // not WGS84 longitude, latitude
        let polygons: [[[[Double]]]]
        switch geometry["type"] as? String {
        case "Polygon": polygons = [(geometry["coordinates"] as? [[[Double]]]) ?? []]
        case "MultiPolygon": polygons = (geometry["coordinates"] as? [[[[Double]]]]) ?? []
        default: return []
        }
        let rings = polygons.compactMap(\.first).filter { ring in
            ring.count >= 4 && ring.allSatisfy { $0.count >= 2 && abs($0[0]) <= 180 && abs($0[1]) <= 90 }
        }
        return rings.count == polygons.count ? rings : []
    }
}
