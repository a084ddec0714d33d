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

/// The demo: a cached registry of synthetic participants and two sample actions.
public enum Demo {
    /// One sample action of the demo.
    public struct Action: Sendable {
        /// Its name, for the report.
        public var name: String
        /// The request.
        public var request: SelectionRequest
    }

    /// The demo's sample actions: a 2 km circle around Amsterdam Dam square, and a 10 km circle
    /// around Kerkrade that crosses into Germany.
    public static let actions: [Action] = [
        Action(
            name: "2 km around Amsterdam Dam square",
            request: SelectionRequest(area: .circle(center: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 2_000))),
        Action(
            name: "10 km around Kerkrade (crosses into Germany)",
            request: SelectionRequest(area: .circle(center: LonLat(lon: 6.0650, lat: 50.8655), radiusMeters: 10_000))),
    ]

    /// What preparing the demo database did.
    public struct Preparation: Sendable {
        /// The registry path.
        public var databasePath: String
        /// Whether it was built now (false: found in the cache).
        public var built: Bool
        /// Seconds spent generating the CSV (0 when cached).
        public var generateSeconds: Double
        /// Seconds spent importing (0 when cached).
        public var importSeconds: Double
        /// What the import reported (its warnings, such as country contradictions), when built now.
        public var importReport: ImportReport?
        /// The generated CSV the import read, as named in the report's warnings (removed afterwards).
        public var csvPath: String
    }

    /// Version of the cached registry's contents: bumped whenever the generator, the import or the
    /// RD New transformation changes what a registry holds, so a stale cache is never reused.
    public static let cacheVersion = 4

    /// The demo's participant counts: 1 to 20 million.
    public static let countRange = 1...20_000_000

    /// Builds the demo registry in `directory` unless one with `count` participants is there.
    ///
    /// The registry is written under a temporary name and renamed when complete, so an
    /// interrupted build is never mistaken for a finished one.
    ///
    /// - Parameters:
    ///   - count: Participants, within ``countRange``.
    ///   - data: Where the RD grid and the borders are (default: the package's own files).
    ///   - progress: Called with a stage name and the rows done so far.
    /// - Throws: ``AreaToolError`` `.badArgument` for a count outside ``countRange``; the
    ///   generator's and the registry's errors.
    public static func prepare(
        in directory: URL, count: Int, seed: UInt64 = 2016, data: DataDirectory = .bundled,
        progress: ((String, Int) -> Void)? = nil
    ) throws -> Preparation {
        guard countRange.contains(count) else {
            throw AreaToolError(.badArgument, "the demo's count must be 1 to 20000000, got \(count)")
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let db = directory.appendingPathComponent("participants-v\(cacheVersion)-\(count)-\(seed).sqlite")
        let csv = directory.appendingPathComponent("participants-v\(cacheVersion)-\(count)-\(seed).csv")
        if FileManager.default.fileExists(atPath: db.path) {
            return Preparation(
                databasePath: db.path, built: false, generateSeconds: 0, importSeconds: 0, importReport: nil,
                csvPath: csv.path)
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        try PopulationGenerator.writeCSV(
            count: count, seed: seed, places: try PlaceTable.load(), countries: try .borders(.data(data)), to: csv,
            progress: { progress?("generate", $0) })
        let t1 = clock.now
        let building = directory.appendingPathComponent(".building-\(ProcessInfo.processInfo.processIdentifier).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: building.path + suffix) }
            try? FileManager.default.removeItem(at: csv)
        }
        let report: ImportReport
        do {
            let registry = try Registry.open(at: building.path, data: data)
            report = try registry.importCSV(csv, options: ImportOptions()) { progress?("import", $0.rows) }
            try registry.checkpoint()
        }
        let t2 = clock.now
        guard rename(building.path, db.path) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: db.path])
        }
        return Preparation(
            databasePath: db.path, built: true, generateSeconds: (t1 - t0).seconds, importSeconds: (t2 - t1).seconds,
            importReport: report, csvPath: csv.path)
    }
}
