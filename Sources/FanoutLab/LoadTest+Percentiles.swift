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

extension LoadTest {
    /// The wall times of one peer on one query: every repetition, and their percentiles.
    ///
    /// Percentiles are nearest-rank (``percentile(_:of:)``): always one of the measured times,
    /// never interpolated. With few repetitions the high ones are the slowest run (p99 of fewer
    /// than 100 runs is the maximum).
    public struct Timing: Sendable, Equatable {
        /// Seconds per repetition, in the order they ran.
        public var seconds: [Double]
        /// The median (mean of the middle two for an even count), as the text table shows.
        public var median: Double
        /// Nearest-rank 50th, 95th and 99th percentiles, seconds.
        public var p50, p95, p99: Double

        /// The timing of `seconds` (at least one).
        public init(_ seconds: [Double]) {
            self.seconds = seconds
            median = LoadTest.median(seconds)
            p50 = LoadTest.percentile(50, of: seconds) ?? .nan
            p95 = LoadTest.percentile(95, of: seconds) ?? .nan
            p99 = LoadTest.percentile(99, of: seconds) ?? .nan
        }
    }

    /// The nearest-rank `p`-th percentile of `values`: sorted ascending, the value at rank
    /// ⌈p / 100 × n⌉ (1-based; rank 1 for p = 0).
    ///
    /// For 20 values p95 is the 19th smallest, p99 the largest; for 3 values p50 is the middle one.
    ///
    /// - Parameter p: The percentile, 0…100.
    /// - Returns: `nil` for no values or `p` outside 0…100.
    /// - Complexity: O(n log n).
    public static func percentile(_ p: Double, of values: [Double]) -> Double? {
        guard !values.isEmpty, (0...100).contains(p) else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

extension LoadTest.Timing: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(seconds.count, forKey: "runs")
        try c.encode(seconds, forKey: "seconds")
        try c.encode(median, forKey: "median_seconds")
        try c.encode(p50, forKey: "p50_seconds")
        try c.encode(p95, forKey: "p95_seconds")
        try c.encode(p99, forKey: "p99_seconds")
        try c.encode(seconds.min() ?? .nan, forKey: "min_seconds")
        try c.encode(seconds.max() ?? .nan, forKey: "max_seconds")
    }
}

extension LoadTest.Row: Encodable {
    /// The query's figures: participants selected, the timing per peer (keyed by the peer's
    /// name), the median time to the first batch.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(name, forKey: "query")
        try c.encode(count, forKey: "selected")
        try c.encode(firstBatchSeconds, forKey: "first_batch_median_seconds")
        var peers = c.nestedContainer(keyedBy: JSONKey.self, forKey: "peers")
        for (peer, timing) in timings { try peers.encode(timing, forKey: JSONKey(peer.rawValue)) }
    }
}
