import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - The participant nearest to an area

extension AreaInspector {
    /// Fewer participants than this inside an area make `area check` report the nearest one
    /// outside (finding `few-participants`; none inside is `no-participants`).
    public static let fewParticipants = 10

    /// The participant nearest to an area from outside it, by RD New distance to the area's
    /// boundary (participants inside or on the boundary do not count).
    ///
    /// Every participant's distance to the area's bounding box is a lower bound of its distance
    /// to the area. The search takes the participants whose bound is below a radius that doubles
    /// from 1 km, computes their exact distance with GEOS (`GEOSPreparedDistance_r`) in order of
    /// the bound, and stops as soon as the best exact distance is no larger than the next bound.
    ///
    /// - Parameters:
    ///   - polygons: The area in RD New metres (valid).
    ///   - columns: The participants.
    /// - Returns: The index into `columns` of the nearest participant outside and its distance in
    ///   metres (equal distances: the smaller id); `nil` when nobody is outside.
    /// - Throws: ``GeoError`` on a GEOS failure.
    /// - Complexity: O(n) for the bounds, plus an exact distance for each participant whose bound
    ///   lies below the answer (few, unless the area is very concave).
    public func nearestOutside(
        _ polygons: [PlanarPolygon], columns: ParticipantColumns
    ) throws -> (index: Int, distanceMeters: Double)? {
        let area = try context.makeMultiPolygon(polygons)
        let prepared = try area.prepared()
        let e = try area.envelope()
        let n = columns.count
        var bound = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let dx = max(e.minX - columns.xs[i], 0, columns.xs[i] - e.maxX)
            let dy = max(e.minY - columns.ys[i], 0, columns.ys[i] - e.maxY)
            bound[i] = (dx * dx + dy * dy).squareRoot()
        }
        var best: (index: Int, distanceMeters: Double)?
        var low = -1.0
        var high = 1000.0
        while true {
            var ring = (0..<n).filter { bound[$0] > low && bound[$0] <= high }
            ring.sort { (bound[$0], columns.ids[$0]) < (bound[$1], columns.ids[$1]) }
            for i in ring {
                if let b = best, bound[i] > b.distanceMeters { break }
                let d = try prepared.distance(to: try context.makePoint(x: columns.xs[i], y: columns.ys[i]))
                guard d > 0 else { continue }  // inside or on the boundary
                if best.map({
                    d < $0.distanceMeters || (d == $0.distanceMeters && columns.ids[i] < columns.ids[$0.index])
                })
                    ?? true
                {
                    best = (i, d)
                }
            }
            if let b = best, b.distanceMeters <= high { return b }
            guard bound.contains(where: { $0 > high }) else { return best }
            low = high
            high *= 2
        }
    }

    /// The 8-point compass direction from `from` to `to` in RD New (grid north; RD's grid north is
    /// within 2° of true north in the service region).
    static func compass(from: XY, to: XY) -> String {
        let degrees = atan2(to.x - from.x, to.y - from.y) * 180 / .pi
        let names = ["N", "NE", "E", "SE", "S", "SW", "W", "NW"]
        return names[Int(((degrees + 360 + 22.5).truncatingRemainder(dividingBy: 360)) / 45) % 8]
    }
}
