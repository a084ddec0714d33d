import Foundation

/// Runs the reference queries on an engine with the engine's index and its comparison peers and
/// measures them side by side.
public enum LoadTest {
    /// A way to answer a selection.
    public enum Peer: String, Sendable, CaseIterable {
        /// The engine's grid index.
        case engine
        /// A scan over every participant in contiguous arrays: the floor for a full pass.
        case bruteForce = "brute-force"
        /// A GEOS STRtree with per-point tests (the original design).
        case strtree = "geos-strtree"
    }

    /// The figures for one query.
    public struct Row: Sendable {
        /// The query's name.
        public var name: String
        /// Participants selected (the same for every peer, checked).
        public var count: Int
        /// Median wall time per peer, seconds.
        public var medianSeconds: [Peer: Double]
        /// Median time until the engine's first batch of 1,000 was available, seconds.
        public var firstBatchSeconds: Double
    }

    /// Runs each query `repetitions` times per peer (brute force and polygons with fewer when slow).
    ///
    /// - Parameter progress: Called with a line of text before each query.
    /// - Throws: ``SelectionError`` when peers disagree (they must be identical), or any selection error.
    public static func run(
        engine: Engine, queries: [ReferenceQuery] = ReferenceQuery.all, peers: [Peer] = Peer.allCases,
        repetitions: Int = 15, progress: ((String) -> Void)? = nil
    ) throws -> [Row] {
        let clock = ContinuousClock()
        var rows: [Row] = []
        for query in queries {
            progress?(query.name)
            let request = try query.request(on: engine)
            var medians: [Peer: Double] = [:]
            var reference: [SelectedParticipant]?
            for peer in peers {
                var times: [Double] = []
                let runs = peer == .engine ? repetitions : max(3, repetitions / 5)
                for _ in 0..<runs {
                    let start = clock.now
                    let result: SelectionResult
                    switch peer {
                    case .engine: result = try engine.select(request)
                    case .bruteForce: result = try engine.selectByBruteForce(request)
                    case .strtree: result = try engine.selectWithSTRtree(request)
                    }
                    times.append((clock.now - start).seconds)
                    let ids = result.participants
                    if let reference, reference.map(\.id) != ids.map(\.id) {
                        throw SelectionError(.invalidArea, "\(query.name): \(peer.rawValue) disagrees with the engine")
                    }
                    reference = reference ?? ids
                }
                medians[peer] = median(times)
            }
            var firstBatch: [Double] = []
            for _ in 0..<repetitions {
                let start = clock.now
                var at = 0.0
                _ = try engine.select(request, firstBatch: 1_000) { _ in at = (clock.now - start).seconds }
                firstBatch.append(at)
            }
            rows.append(
                Row(name: query.name, count: reference?.count ?? 0, medianSeconds: medians, firstBatchSeconds: median(firstBatch)))
        }
        return rows
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        if s.isEmpty { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
