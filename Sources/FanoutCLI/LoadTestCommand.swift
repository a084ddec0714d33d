import ArgumentParser
import FanOut
import FanoutAreaTools
import FanoutCore
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

struct LoadTestCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "loadtest",
        abstract: "Time the reference queries with the engine and its comparison peers.",
        discussion: """
            Opens the registry (timing the cold start), then runs the reference query set (circles around Amsterdam \
            Dam 1/5/20 km, Utrecht Dom 10/50 km, Kerkrade 15 km, the Rotterdam 40 km² and Maastricht 670 km² \
            polygons of areas/ in the data directory) with the engine's grid index, a brute-force scan, a GEOS \
            STRtree and SQLite's R*Tree module, checks that all give the same participants in the same order with \
            the same distances, and prints median times, the engine/brute-force ratio, how many times slower the \
            STRtree and the R*Tree are than the engine, and the time to the first batch of 1,000. Build with -c \
            release for meaningful figures.

            The sqlite-rtree peer builds an in-memory R*Tree over the registry's RD New positions first (timed and \
            printed; about 20 s of CPU for 1.6 million participants) and answers circles in one SQL statement: \
            R*Tree search, exact test on the stored doubles, ORDER BY distance DESC, id ASC. For polygons SQLite \
            gives the bounding-box candidates already sorted, and GEOS keeps those the polygon covers. The registry \
            file is not changed.

            'fanout loadtest dispatch' load-tests the dispatcher instead.
            """,
        subcommands: [LoadTestDispatchCommand.self])

    @Option(
        help: ArgumentHelp(
            "The registry database (for example the demo's, demo-data/participants-v3-1600000-2016.sqlite).",
            valueName: "FILE"))
    var db: String

    @Option(
        help: ArgumentHelp("Runs per query for the engine (peers run a fifth of that, at least 3).", valueName: "N"))
    var repetitions: Int = 15

    @Option(
        help: ArgumentHelp(
            "Peers to run, comma-separated: engine, brute-force, geos-strtree, sqlite-rtree.", valueName: "PEER,..."))
    var peers: String = "engine,brute-force,geos-strtree,sqlite-rtree"

    @Option(help: ArgumentHelp("Only the reference queries whose name contains this text.", valueName: "TEXT"))
    var query: String?

    @Option(
        help: ArgumentHelp("Seconds per concurrency measurement (1 and 2 threads); 0 skips it.", valueName: "SECONDS"))
    var concurrencySeconds: Double = 3

    @Flag(
        help: JSONOutput.flagHelp(
            "Printed at the end, with every repetition's time and p50/p95/p99 per query and peer."))
    var json = false
    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard LoadTest.repetitionsRange.contains(repetitions) else {
            throw ValidationError("--repetitions must be 1...1,000, got \(repetitions)")
        }
        guard concurrencySeconds == 0 || LoadTest.throughputSecondsRange.contains(concurrencySeconds) else {
            throw ValidationError("--concurrency-seconds must be 0 (skip) or 0.001...3,600, got \(concurrencySeconds)")
        }
        for p in peers.split(separator: ",") where LoadTest.Peer(rawValue: String(p)) == nil {
            throw ValidationError("--peers: unknown peer '\(p)' (engine, brute-force, geos-strtree, sqlite-rtree)")
        }
        if chosenQueries.isEmpty {
            throw ValidationError(
                "--query \(query ?? ""): no reference query matches (\(ReferenceQuery.all.map(\.name).joined(separator: ", ")))"
            )
        }
    }

    /// The reference queries whose name contains --query.
    var chosenQueries: [ReferenceQuery] {
        ReferenceQuery.all.filter { q in query.map { q.name.localizedCaseInsensitiveContains($0) } ?? true }
    }

    /// Prints a line of the text report (nothing with --json).
    func say(_ line: String) { if !json { print(line) } }

    func run() throws {
        try requireRegistry(db)
        let chosen = peers.split(separator: ",").compactMap { LoadTest.Peer(rawValue: String($0)) }
        let rssBefore = residentBytes()
        let clock = ContinuousClock()
        let t0 = clock.now
        let engine = try Engine.open(registryAt: db, readOnly: true, data: commandData)
        let opened = (clock.now - t0).seconds
        let first = try engine.select(ReferenceQuery.all[0].request(on: engine))
        let coldStart = (clock.now - t0).seconds
        let n = engine.columns.count
        say("participants: \(grouped(n)); index: \(engine.indexSource)")
        say(
            "cold start: open + index \(duration(opened)), first query answered after \(duration(coldStart)) "
                + "(\(grouped(first.participants.count)) selected)")
        say(
            "index memory: \(grouped(engine.index.memoryBytes)) bytes = "
                + "\(DecimalFormat.string(Double(engine.index.memoryBytes) / Double(max(n, 1)), decimals: 1)) bytes per participant; "
                + "process RSS grew \(grouped((residentBytes() - rssBefore) / 1_048_576)) MiB while opening")
        let rssGrowth = residentBytes() - rssBefore
        let queries = chosenQueries
        var rtree: (count: Int, seconds: Double)?
        if chosen.contains(.sqliteRTree) {
            note("building the SQLite R*Tree")
            let built = try LoadTest.buildSQLiteRTree(engine: engine)
            rtree = built
            say(
                "sqlite r*tree: \(grouped(built.count)) participants indexed in \(duration(built.seconds)) (in memory)")
        }
        let rows = try LoadTest.run(engine: engine, queries: queries, peers: chosen, repetitions: repetitions) { name in
            note("running \(name)")
        }
        say("")
        var header = "| query | selected |"
        var rule = "| --- | ---: |"
        for p in chosen {
            header += " \(p.rawValue) |"
            rule += " ---: |"
        }
        if chosen.contains(.engine) && chosen.contains(.bruteForce) {
            header += " engine / brute force |"
            rule += " ---: |"
        }
        if chosen.contains(.engine) && chosen.contains(.strtree) {
            header += " STRtree / engine |"
            rule += " ---: |"
        }
        if chosen.contains(.engine) && chosen.contains(.sqliteRTree) {
            header += " R*Tree / engine |"
            rule += " ---: |"
        }
        header += " first 1,000 |"
        rule += " ---: |"
        say(header)
        say(rule)
        for row in rows {
            var line = "| \(row.name) | \(grouped(row.count)) |"
            for p in chosen { line += " \(duration(row.medianSeconds[p] ?? .nan)) |" }
            if let e = row.medianSeconds[.engine], let b = row.medianSeconds[.bruteForce] {
                line += " \(DecimalFormat.string(e / b, decimals: 3)) |"
            }
            if let e = row.medianSeconds[.engine], let s = row.medianSeconds[.strtree] {
                line += " \(DecimalFormat.string(s / e, decimals: 1))× |"
            }
            if let e = row.medianSeconds[.engine], let r = row.medianSeconds[.sqliteRTree] {
                line += " \(DecimalFormat.string(r / e, decimals: 1))× |"
            }
            line += " \(duration(row.firstBatchSeconds)) |"
            say(line)
        }
        var sort: LoadTestFigures.Sort?
        if let big = try? engine.select(
            SelectionRequest(area: .circle(center: ReferenceQuery.utrechtDom, radiusMeters: 50_000))),
            big.participants.count >= 400_000
        {
            let t = LoadTest.sortSeconds(big.participants, count: 400_000)
            sort = .init(count: 400_000, radixSeconds: t.radix, comparisonSeconds: t.comparison)
            say("")
            say(
                "outside-in sort of 400,000 selected participants (shuffled): radix \(duration(t.radix)), "
                    + "Array.sort \(duration(t.comparison))")
        }
        var figures = LoadTestFigures(
            participants: n, indexSource: "\(engine.indexSource)", openSeconds: opened, firstQuerySeconds: coldStart,
            firstQuerySelected: first.participants.count, indexMemoryBytes: engine.index.memoryBytes,
            rssGrowthBytes: rssGrowth, repetitions: repetitions, peers: chosen.map(\.rawValue),
            sqliteRTree: rtree.map { .init(participants: $0.count, seconds: $0.seconds) }, queries: rows, sort: sort,
            concurrency: [])
        if concurrencySeconds > 0 {
            try measureConcurrency(engine: engine, queries: queries, into: &figures)
        }
        if json { try JSONOutput.print(.loadtest, figures) }
    }

    /// Selections per second on 1 and 2 threads for the 5 km and 670 km² queries (text table, and
    /// `figures.concurrency`).
    func measureConcurrency(engine: Engine, queries: [ReferenceQuery], into figures: inout LoadTestFigures) throws {
        say("")
        say("| concurrent selections | 1 thread | 2 threads | speed-up |")
        say("| --- | ---: | ---: | ---: |")
        for q in queries where q.name.contains("5 km") || q.name.contains("670") {
            let one = try LoadTest.throughput(
                live: engine.live, query: q, threads: 1, seconds: concurrencySeconds, data: engine.data,
                rdGrid: engine.rdGrid)
            let two = try LoadTest.throughput(
                live: engine.live, query: q, threads: 2, seconds: concurrencySeconds, data: engine.data,
                rdGrid: engine.rdGrid)
            figures.concurrency.append(.init(query: q.name, oneThreadPerSecond: one, twoThreadsPerSecond: two))
            say(
                "| \(q.name) | \(DecimalFormat.string(one, decimals: 0))/s | \(DecimalFormat.string(two, decimals: 0))/s | "
                    + "\(DecimalFormat.string(two / one, decimals: 2))× |")
        }
    }
}

/// The process's resident set size in bytes (Linux `/proc/self/status`, 0 elsewhere).
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
        return kb * 1024
    }
    return 0
}
