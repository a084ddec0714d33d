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
import Synchronization
import Synthetic

extension LoadTest {
    /// Selections per second with `threads` threads selecting at once, each with its own engine
    /// (GEOS and PROJ contexts) on the same shared live index.
    ///
    /// - Parameters:
    ///   - live: The shared index.
    ///   - query: The query every thread repeats.
    ///   - threads: Threads selecting at once.
    ///   - seconds: How long they run.
    ///   - data: The data directory of each thread's engine (give the first engine's ``Engine/data``).
    ///   - rdGrid: Whether each thread's engine needs the RD grid (the first engine's ``Engine/rdGrid``).
    /// - Returns: Completed selections per second, over all threads.
    /// - Throws: ``AreaToolError`` `.badArgument` for `seconds` outside
    ///   ``throughputSecondsRange``; the first error a thread met.
    public static func throughput(
        live: LiveIndex, query: ReferenceQuery, threads: Int, seconds: Double, data: DataDirectory = .bundled,
        rdGrid: RDGridRequirement = .required
    ) throws -> Double {
        guard throughputSecondsRange.contains(seconds) else {
            throw AreaToolError(.badArgument, "seconds must be 0.001 to 3600, got \(seconds)")
        }
        let done = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let workers = (0..<max(1, threads)).map { _ in
            Thread {
                do {
                    let engine = try Engine(live: live, data: data, rdGrid: rdGrid)
                    let request = try query.request(on: engine)
                    while ContinuousClock.now < deadline {
                        _ = try engine.select(request)
                        done.add(1, ordering: .relaxed)
                    }
                } catch {
                    failure.withLock { $0 = $0 ?? "\(error)" }
                }
            }
        }
        let start = ContinuousClock.now
        workers.forEach { $0.start() }
        while workers.contains(where: { !$0.isFinished }) { usleep(1_000) }
        if let message = failure.withLock({ $0 }) { throw SelectionError(.invalidArea, message) }
        return Double(done.load(ordering: .relaxed)) / (ContinuousClock.now - start).seconds
    }
}

extension LoadTest {
    /// Median seconds to sort the first `count` of `participants` outside-in, from a shuffled
    /// order, with the engine's radix sort and with the standard library's comparison sort.
    public static func sortSeconds(_ participants: [SelectedParticipant], count: Int, repetitions: Int = 9)
        -> (radix: Double, comparison: Double)
    {
        var sample = Array(participants.prefix(count))
        var generator = SplitMix64(seed: 7)
        sample.shuffle(using: &generator)
        let clock = ContinuousClock()
        var radix: [Double] = []
        var comparison: [Double] = []
        for _ in 0..<max(1, repetitions) {
            var a = sample
            let t0 = clock.now
            OutsideIn.sort(&a)
            radix.append((clock.now - t0).seconds)
            var b = sample
            let t1 = clock.now
            b.sort(by: OutsideIn.precedes)
            comparison.append((clock.now - t1).seconds)
        }
        return (median(radix), median(comparison))
    }
}
