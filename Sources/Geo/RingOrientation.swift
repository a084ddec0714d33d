/// Ring orientation by the shoelace formula, and RFC 7946's orientation for polygons.
package enum RingOrientation {
    /// Twice the signed area of a closed ring (shoelace): positive when counter-clockwise.
    ///
    /// Summed relative to the first vertex, to keep precision for large RD New or degree values.
    ///
    /// - Complexity: O(n).
    package static func signedDoubleArea(_ ring: [XY]) -> Double {
        guard ring.count >= 3 else { return 0 }
        var sum = 0.0
        let x0 = ring[0].x
        let y0 = ring[0].y
        for i in 0..<(ring.count - 1) {
            let a = ring[i]
            let b = ring[i + 1]
            sum += (a.x - x0) * (b.y - y0) - (b.x - x0) * (a.y - y0)
        }
        return sum
    }
}

extension PlanarPolygon {
    /// The polygon with its rings turned as RFC 7946 wants them: the shell counter-clockwise,
    /// holes clockwise.
    ///
    /// A ring in the wrong direction is reversed (same vertices, the same closing point); a ring
    /// already right, or without area, is kept as it is.
    ///
    /// - Complexity: O(n) in the number of vertices.
    package var orientedRFC7946: PlanarPolygon {
        PlanarPolygon(
            shell: RingOrientation.signedDoubleArea(shell) < 0 ? shell.reversed() : shell,
            holes: holes.map { RingOrientation.signedDoubleArea($0) > 0 ? $0.reversed() : $0 })
    }
}
