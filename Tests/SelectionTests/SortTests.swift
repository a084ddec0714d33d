import TestSupport
import Testing

@testable import Selection
import Geo
import Participants
import FanoutEngine

@Suite struct SortTests {
    /// Random participants with many exact distance ties (households) and a spread of magnitudes.
    static func sample(_ n: Int, seed: UInt64) -> [SelectedParticipant] {
        var rng = SeededRandom(seed: seed)
        var ids = (0..<n).map { Int64($0 + 1) }
        ids.shuffle(using: &rng)
        return (0..<n).map { i in
            let d: Double =
                switch i % 4 {
                case 0: Double(Int.random(in: 0...50, using: &rng))  // many ties, including 0
                case 1: Double.random(in: 0...1, using: &rng)
                default: Double.random(in: 0...500_000, using: &rng)
                }
            return SelectedParticipant(id: ids[i], distanceMeters: d, country: nil, row: Int32(i))
        }
    }

    @Test(arguments: [0, 1, 2, 100, 511, 512, 513, 10_000, 200_000])
    func radixSortEqualsTheComparisonSort(n: Int) {
        var a = Self.sample(n, seed: UInt64(n) + 1)
        var b = a
        OutsideIn.radixSort(&a)
        b.sort(by: OutsideIn.precedes)
        #expect(a == b)
    }

    @Test(arguments: [(10_000, 1_000), (10_000, 1), (10_000, 10_000), (500, 1_000), (10_000, 0)])
    func partialSortPutsTheFirstBatchInFront(n: Int, k: Int) {
        var a = Self.sample(n, seed: 77)
        var full = a
        full.sort(by: OutsideIn.precedes)
        let placed = OutsideIn.partialSort(&a, first: k)
        #expect(placed == min(k, n))
        #expect(Array(a.prefix(placed)) == Array(full.prefix(placed)))
        #expect(Set(a.map(\.id)) == Set(full.map(\.id)))
    }
}
