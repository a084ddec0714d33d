import FanoutEngine
import Geo
import Participants
import Selection
import TestSupport

/// A random test population in RD New around the centre of the Netherlands: clustered, with
/// households sharing an exact position (distance ties) and ids not in row order.
func makePopulation(count: Int, seed: UInt64) -> ParticipantColumns {
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
