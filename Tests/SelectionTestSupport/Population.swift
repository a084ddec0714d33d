import Foundation
import Geo
import Participants
import Selection
import TestSupport

/// A random test population in RD New around the centre of the Netherlands: clustered, with
/// households sharing an exact position (distance ties) and ids not in row order.
public func makePopulation(count: Int, seed: UInt64) -> ParticipantColumns {
    var rng = SeededRandom(seed: seed)
    var columns = ParticipantColumns()
    let centres = (0..<12).map { _ in
        RDPoint(
            x: Double.random(in: 80_000...200_000, using: &rng), y: Double.random(in: 400_000...520_000, using: &rng))
    }
    var ids = Array(Int64(1)...Int64(count))
    ids.shuffle(using: &rng)
    var row = 0
    while row < count {
        let c = centres[Int.random(in: 0..<centres.count, using: &rng)]
        let spread = Double.random(in: 500...15_000, using: &rng)
        // Round to the centimetre: exact ties between households, like real addresses.
        let x = ((c.x + Double.random(in: -spread...spread, using: &rng)) * 100).rounded() / 100
        let y = ((c.y + Double.random(in: -spread...spread, using: &rng)) * 100).rounded() / 100
        let household = Int.random(in: 0..<10, using: &rng) < 3 ? Int.random(in: 2...4, using: &rng) : 1
        for _ in 0..<household where row < count {
            let country: CountryCode? = [CountryCode.nl, .nl, .nl, .be, .de, nil][Int.random(in: 0..<6, using: &rng)]
            columns.append(id: ids[row], x: x, y: y, country: country)
            row += 1
        }
    }
    return columns
}

/// A star-shaped ring (valid by construction: vertices at increasing angles) around `c`.
public func star(_ c: RDPoint, radii: ClosedRange<Double>, vertices: Int, rng: inout SeededRandom, reversed: Bool = false)
    -> [XY]
{
    var ring = (0..<vertices).map { i -> XY in
        let a = Double(i) / Double(vertices) * 2 * Double.pi
        let r = Double.random(in: radii, using: &rng)
        return XY((c.x + r * cos(a)).rounded(), (c.y + r * sin(a)).rounded())
    }
    if reversed { ring.reverse() }
    ring.append(ring[0])
    return ring
}

/// A selection without index-specific row numbers, for comparing indexes that order rows differently.
public func unrowed(_ ps: [SelectedParticipant]) -> [SelectedParticipant] {
    ps.map { SelectedParticipant(id: $0.id, distanceMeters: $0.distanceMeters, country: $0.country, row: 0) }
}
