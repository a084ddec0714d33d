import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// Vertex checks GEOS validity does not make: repeated vertices and spikes (orientation: see
/// ``RingOrientation``).
///
/// Pure functions over the coordinates of one ring, in any planar units.
package enum RingCheck {
    /// Indices `i` (0-based, the closing point excluded) where vertex `i + 1` lies within
    /// `tolerance` of vertex `i` (an exact repeat when the tolerance is 0).
    ///
    /// - Complexity: O(n).
    package static func nearDuplicates(_ ring: [XY], tolerance: Double) -> [Int] {
        guard ring.count >= 2 else { return [] }
        var result: [Int] = []
        for i in 0..<(ring.count - 1) {
            let dx = ring[i + 1].x - ring[i].x
            let dy = ring[i + 1].y - ring[i].y
            if (dx * dx + dy * dy).squareRoot() <= tolerance { result.append(i + 1 == ring.count - 1 ? 0 : i + 1) }
        }
        return result
    }

    /// Vertices where the ring turns back on itself: the angle between the edges to the previous
    /// and the next distinct vertex is below `maxDegrees`.
    ///
    /// Neighbours within `tolerance` of the vertex are skipped (they are duplicates, reported
    /// separately), so a repeated vertex does not hide or fake a spike.
    ///
    /// - Returns: 0-based indices of the spike vertices, the closing point excluded.
    /// - Complexity: O(n) for rings without long runs of duplicates.
    package static func spikes(_ ring: [XY], maxDegrees: Double = 1, tolerance: Double) -> [Int] {
        // Work on the open ring (closing point dropped).
        let n = ring.count - 1
        guard n >= 3 else { return [] }
        func distance(_ a: XY, _ b: XY) -> Double {
            ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
        }
        var result: [Int] = []
        let limit = maxDegrees * Double.pi / 180
        for i in 0..<n {
            let v = ring[i]
            var p = (i + n - 1) % n
            var steps = 0
            while distance(ring[p], v) <= tolerance && steps < n {
                p = (p + n - 1) % n
                steps += 1
            }
            var q = (i + 1) % n
            steps = 0
            while distance(ring[q], v) <= tolerance && steps < n {
                q = (q + 1) % n
                steps += 1
            }
            let ax = ring[p].x - v.x
            let ay = ring[p].y - v.y
            let bx = ring[q].x - v.x
            let by = ring[q].y - v.y
            let la = (ax * ax + ay * ay).squareRoot()
            let lb = (bx * bx + by * by).squareRoot()
            guard la > tolerance, lb > tolerance else { continue }
            let angle = atan2(abs(ax * by - ay * bx), ax * bx + ay * by)
            if angle < limit { result.append(i) }
        }
        return result
    }
}
