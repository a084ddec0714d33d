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

/// Where the benchmarks find their inputs and keep what they generate.
///
/// Generated data (the 1.6M registry, the CSV for the import benchmark, the per-query counts) lives
/// in the cache directory: `$FANOUT_BENCH_CACHE` when set, else `Benchmarks/.cache` (git-ignored).
/// It is built on first use and reused by later runs.
enum BenchmarkData {
    /// Participants in the reference registry.
    static let participantCount = 1_600_000
    /// The generator seed (the demo's default).
    static let seed: UInt64 = 2016

    /// The `Benchmarks/` package directory, found from this source file's path.
    static let packageDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // SelectionBenchmarks/
        .deletingLastPathComponent()  // Benchmarks/Benchmarks/
        .deletingLastPathComponent()  // Benchmarks/

    /// The cache directory (created when missing).
    static var cacheDirectory: URL {
        get throws {
            let url: URL
            if let given = ProcessInfo.processInfo.environment["FANOUT_BENCH_CACHE"], !given.isEmpty {
                url = URL(fileURLWithPath: given, isDirectory: true)
            } else {
                url = packageDirectory.appendingPathComponent(".cache", isDirectory: true)
            }
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
    }

    /// The directory where each query benchmark records its result count.
    static var countsDirectory: URL {
        get throws {
            let url = try cacheDirectory.appendingPathComponent("counts", isDirectory: true)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
    }

    /// Builds the 1.6M reference registry once (`Demo.prepare`) and returns its path.
    static func referenceRegistryPath() throws -> String {
        let preparation = try Demo.prepare(
            in: try cacheDirectory, count: participantCount, seed: seed,
            progress: Progress(every: 400_000, what: "reference registry").report)
        if preparation.built {
            note(
                "built reference registry \(preparation.databasePath): generate "
                    + "\(seconds(preparation.generateSeconds)), import \(seconds(preparation.importSeconds))")
        }
        return preparation.databasePath
    }

    /// Loads every participant of the reference registry as columns.
    static func loadReferenceColumns() throws -> ParticipantColumns {
        try Registry.open(at: try referenceRegistryPath()).loadColumns()
    }

    /// The CSV the import benchmark imports, generated once (outside any measurement).
    static func importCSV() throws -> URL {
        let url = try cacheDirectory.appendingPathComponent(
            "import-v\(Demo.cacheVersion)-\(participantCount)-\(seed).csv")
        if !FileManager.default.fileExists(atPath: url.path) {
            let start = ContinuousClock.now
            try PopulationGenerator.writeCSV(
                count: participantCount, seed: seed, places: try PlaceTable.load(), countries: try .borders(), to: url,
                progress: Progress(every: 400_000, what: "import CSV").generated)
            let elapsed = (ContinuousClock.now - start).components
            note("generated \(url.path) in \(seconds(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18))")
        }
        return url
    }

    /// Writes a line to standard error (standard output belongs to the benchmark tool).
    static func note(_ line: String) {
        FileHandle.standardError.write(Data(("[fanout-bench] " + line + "\n").utf8))
    }

    private static func seconds(_ s: Double) -> String { DecimalFormat.string(s, decimals: 1) + " s" }
}

/// Throttled progress lines for the one-time data preparation.
private final class Progress {
    private let every: Int
    private let what: String
    private var next: Int

    init(every: Int, what: String) {
        self.every = every
        self.what = what
        self.next = every
    }

    func report(_ stage: String, _ rows: Int) {
        guard rows >= next else { return }
        next = (rows / every + 1) * every
        BenchmarkData.note("preparing \(what): \(stage) \(rows) rows")
    }

    func generated(_ rows: Int) { report("generate", rows) }
}
