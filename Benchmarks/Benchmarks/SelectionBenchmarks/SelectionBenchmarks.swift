// Benchmarks of participant selection on a 1.6M synthetic registry: the CSV import, the index
// builds, and the reference query set with the engine's index, the GEOS STRtree peer and the
// brute-force scan.
//
// Each benchmark runs in its own process (package-benchmark does that), so peak memory is per
// benchmark, but it is the whole process: the loaded columns and the engine's index included.
import Benchmark
import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

let benchmarks: @Sendable () -> Void = {
    // Benchmark names have no spaces: see `Selector.benchmarkName(_:)`.
    //
    // A slowdown of more than 20% at the 90th percentile fails `benchmark thresholds check`
    // against the committed Thresholds/ (and at the 50th or 90th percentile fails
    // `benchmark baseline check` between two baselines). Faster by more than 20% is reported
    // as an improvement (exit code 4): update the thresholds then.
    let regression = BenchmarkThresholds(relative: [.p50: 20.0, .p90: 20.0])
    // Circle queries make a few dozen allocations (the result array growing). The count also
    // grows with the iteration's wall time (the harness samples the process every 5 ms; seen:
    // 79 -> 114 when a loaded machine doubled the time), so a relative tolerance would flag the
    // load, not the code. ±100 still catches any per-participant allocation (thousands).
    let fewMallocsTolerance = BenchmarkThresholds(absolute: [.p50: 100, .p90: 100])
    func thresholds(
        _ metrics: [BenchmarkMetric], fewMallocs: Bool = false
    ) -> [BenchmarkMetric: BenchmarkThresholds] {
        Dictionary(
            uniqueKeysWithValues: metrics.map {
                ($0, $0 == .mallocCountTotal && fewMallocs ? fewMallocsTolerance : regression)
            })
    }
    let allMetrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal]
    // CPU time comes from the kernel in 10 ms ticks here: meaningless for sub-10 ms iterations,
    // so fast benchmarks leave it out (a query is single-threaded: its CPU time is its wall time).
    let fastMetrics: [BenchmarkMetric] = [.wallClock, .peakMemoryResident, .mallocCountTotal]

    // MARK: - Import

    let importMetrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident]
    Benchmark(
        "import-1.6M",
        configuration: .init(
            metrics: importMetrics, timeUnits: .milliseconds, warmupIterations: 0,
            maxDuration: .seconds(45), maxIterations: 3, thresholds: thresholds(importMetrics))
    ) { benchmark, csv in
        // A fresh registry each iteration; opening it is part of what an import costs.
        let directory = try BenchmarkData.cacheDirectory
        let path = directory.appendingPathComponent("import-run-\(getpid()).sqlite").path
        removeDatabase(at: path)
        defer { removeDatabase(at: path) }
        benchmark.startMeasurement()
        let report = try Registry.open(at: path).importCSV(csv, options: ImportOptions())
        benchmark.stopMeasurement()
        let expected = BenchmarkData.participantCount
        guard report.inserted == expected else {
            throw BenchmarkFailure("import inserted \(report.inserted) rows, expected \(expected)")
        }
    } setup: {
        try BenchmarkData.importCSV()  // generated once, outside the measurement
    }

    // MARK: - Index build

    let buildConfiguration = Benchmark.Configuration(
        metrics: allMetrics, timeUnits: .milliseconds, warmupIterations: 0,
        maxDuration: .seconds(20), maxIterations: 5, thresholds: thresholds(allMetrics))

    // The engine's own index (`Engine(columns:)`), timed up to a first answer.
    Benchmark("index-build-1.6M", configuration: buildConfiguration) { benchmark, columns in
        benchmark.startMeasurement()
        let engine = try Engine(columns: columns)
        let first = try engine.select(ReferenceQuery.oneMeterProbe)
        benchmark.stopMeasurement()
        blackHole(first)
        blackHole(engine)
    } setup: {
        try BenchmarkData.loadReferenceColumns()
    }

    // The GEOS STRtree peer, built on the engine's first `selectWithSTRtree`: a GEOS point per
    // participant inserted, then sorted by GEOS on that first query.
    Benchmark("strtree-build-1.6M", configuration: buildConfiguration) { benchmark, columns in
        let engine = try Engine(columns: columns)
        benchmark.startMeasurement()
        let first = try engine.selectWithSTRtree(ReferenceQuery.oneMeterProbe)
        benchmark.stopMeasurement()
        blackHole(first)
        blackHole(engine)
    } setup: {
        try BenchmarkData.loadReferenceColumns()
    }

    // MARK: - Reference queries: engine, STRtree peer, brute force

    for selector in Selector.allCases {
        for query in ReferenceQuery.all {
            let slow: Bool
            let circle: Bool
            switch (selector, query.shape) {
            case (.bruteForce, .areaFile): (slow, circle) = (true, false)  // a GEOS covers test per participant
            case (_, .areaFile): (slow, circle) = (false, false)
            case (_, .circle): (slow, circle) = (false, true)
            }
            let metrics = slow ? allMetrics : fastMetrics
            let configuration = Benchmark.Configuration(
                metrics: metrics, timeUnits: .microseconds, warmupIterations: slow ? 0 : 1,
                maxDuration: .seconds(slow ? 12 : 2), maxIterations: slow ? 5 : 1_000,
                thresholds: thresholds(metrics, fewMallocs: circle))
            Benchmark(selector.benchmarkName(query), configuration: configuration) { benchmark, fixture in
                let (engine, request, expected) = try fixture.prepared()  // untimed on first use
                benchmark.startMeasurement()
                let result = try selector.select(request, on: engine)
                benchmark.stopMeasurement()
                guard result.participants.count == expected else {
                    let count = result.participants.count
                    throw BenchmarkFailure("\(query.name): \(count) participants, expected \(expected)")
                }
                blackHole(result)
            } setup: {
                QueryFixture(query: query, selector: selector, columns: try BenchmarkData.loadReferenceColumns())
            }
        }
    }
}

extension ReferenceQuery {
    /// A 1 m circle at the Dam: the cheapest query, to time an index up to its first answer.
    static let oneMeterProbe = SelectionRequest(area: .circle(center: amsterdamDam, radiusMeters: 1))
}

/// A benchmark that measured something other than what it should have.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Removes a SQLite database and its WAL/SHM files, if present.
func removeDatabase(at path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}
