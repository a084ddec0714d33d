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
        /// SQLite's R*Tree module on the registry, sorted by SQLite (``Engine/selectWithSQLiteRTree(_:)``).
        case sqliteRTree = "sqlite-rtree"
    }

    /// The figures for one query.
    public struct Row: Sendable {
        /// The query's name.
        public var name: String
        /// Participants selected (the same for every peer, checked).
        public var count: Int
        /// Wall time of every repetition per peer, with percentiles.
        public var timings: [Peer: Timing]
        /// Median wall time per peer, seconds.
        public var medianSeconds: [Peer: Double] { timings.mapValues(\.median) }
        /// Median time until the engine's first batch of 1,000 was available, seconds.
        public var firstBatchSeconds: Double
    }

    /// The repetitions ``run(engine:queries:peers:repetitions:progress:)`` accepts.
    public static let repetitionsRange = 1...1000
    /// The seconds ``throughput(live:query:threads:seconds:)`` accepts (up to an hour).
    public static let throughputSecondsRange: ClosedRange<Double> = 0.001...3600

    /// Runs each query `repetitions` times per peer (brute force and polygons with fewer when slow).
    ///
    /// The engine runs first when it is among `peers`; every other peer must then return the same
    /// participants in the same order with the same distances (bit for bit).
    ///
    /// - Parameter progress: Called with a line of text before each query.
    /// - Throws: ``SelectionError`` when peers disagree (they must be identical), or any selection error.
    public static func run(
        engine: Engine, queries: [ReferenceQuery] = ReferenceQuery.all, peers: [Peer] = Peer.allCases,
        repetitions: Int = 15, progress: ((String) -> Void)? = nil
    ) throws -> [Row] {
        guard repetitionsRange.contains(repetitions) else {
            throw AreaToolError(.badArgument, "repetitions must be 1 to 1000, got \(repetitions)")
        }
        let clock = ContinuousClock()
        var rows: [Row] = []
        for query in queries {
            progress?(query.name)
            let request = try query.request(on: engine)
            var timings: [Peer: Timing] = [:]
            var reference: (peer: Peer, participants: [(id: Int64, distance: Double)])?
            // The engine first, when it runs: every other peer is checked against it.
            for peer in peers.filter({ $0 == .engine }) + peers.filter({ $0 != .engine }) {
                var times: [Double] = []
                let runs = peer == .engine ? repetitions : max(3, repetitions / 5)
                for _ in 0..<runs {
                    let start = clock.now
                    let got: [(id: Int64, distance: Double)]
                    switch peer {
                    case .engine:
                        let r = try engine.select(request)
                        times.append((clock.now - start).seconds)
                        got = r.participants.map { ($0.id, $0.distanceMeters) }
                    case .bruteForce:
                        let r = try engine.selectByBruteForce(request)
                        times.append((clock.now - start).seconds)
                        got = r.participants.map { ($0.id, $0.distanceMeters) }
                    case .strtree:
                        let r = try engine.selectWithSTRtree(request)
                        times.append((clock.now - start).seconds)
                        got = r.participants.map { ($0.id, $0.distanceMeters) }
                    case .sqliteRTree:
                        let r = try engine.selectWithSQLiteRTree(request)
                        times.append((clock.now - start).seconds)
                        got = r.map { ($0.id, $0.distanceMeters) }
                    }
                    if let reference {
                        try check(
                            got, equals: reference.participants, query: query.name, peer: peer,
                            reference: reference.peer)
                    } else {
                        reference = (peer, got)
                    }
                }
                timings[peer] = Timing(times)
            }
            var firstBatch: [Double] = []
            for _ in 0..<repetitions {
                let start = clock.now
                var at = 0.0
                _ = try engine.select(request, firstBatch: 1_000) { _ in at = (clock.now - start).seconds }
                firstBatch.append(at)
            }
            rows.append(
                Row(
                    name: query.name, count: reference?.participants.count ?? 0, timings: timings,
                    firstBatchSeconds: median(firstBatch)))
        }
        return rows
    }

    /// Builds the SQLite R*Tree of the engine's registry (``Registry/buildRTreeIndex()``), so that
    /// ``run(engine:queries:peers:repetitions:progress:)`` times queries alone.
    ///
    /// - Returns: The participants indexed and the seconds the build took.
    /// - Throws: ``SelectionError`` when the engine has no registry; ``RegistryError`` from SQLite.
    public static func buildSQLiteRTree(engine: Engine) throws -> (count: Int, seconds: Double) {
        guard let registry = engine.registry else {
            throw SelectionError(.noRegistry, "the SQLite R*Tree peer needs an engine opened on a registry")
        }
        let clock = ContinuousClock()
        let start = clock.now
        let count = try registry.buildRTreeIndex()
        return (count, (clock.now - start).seconds)
    }

    /// Throws unless `got` holds the same participants as `reference`, in the same order, with the
    /// same distances (bit for bit).
    static func check(
        _ got: [(id: Int64, distance: Double)], equals expected: [(id: Int64, distance: Double)], query: String,
        peer: Peer, reference: Peer
    ) throws {
        guard got.count == expected.count else {
            throw SelectionError(
                .invalidArea,
                "\(query): \(peer.rawValue) selected \(got.count) participants, "
                    + "\(reference.rawValue) \(expected.count)")
        }
        for i in got.indices where got[i].id != expected[i].id || got[i].distance != expected[i].distance {
            throw SelectionError(
                .invalidArea,
                "\(query): \(peer.rawValue) disagrees with \(reference.rawValue) at rank \(i + 1): participant "
                    + "\(got[i].id) at \(got[i].distance) m, \(reference.rawValue) has \(expected[i].id) "
                    + "at \(expected[i].distance) m")
        }
    }

    static func median(_ xs: [Double]) -> Double {
        let s = xs.sorted()
        if s.isEmpty { return .nan }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
