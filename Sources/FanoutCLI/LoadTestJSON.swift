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

/// What `fanout loadtest` measured: the `loadtest` document (docs/schemas/loadtest.schema.json).
struct LoadTestFigures: Encodable {
    /// The sort of 400,000 selected participants, radix against `Array.sort`.
    struct Sort: Encodable {
        var count: Int
        var radixSeconds: Double
        var comparisonSeconds: Double
    }

    /// Selections per second of one query on 1 and 2 threads.
    struct Concurrency: Encodable {
        var query: String
        var oneThreadPerSecond: Double
        var twoThreadsPerSecond: Double
    }

    /// The in-memory SQLite R*Tree built for the sqlite-rtree peer.
    struct RTreeBuild: Encodable {
        var participants: Int
        var seconds: Double
    }

    var participants: Int
    var indexSource: String
    var openSeconds: Double
    var firstQuerySeconds: Double
    var firstQuerySelected: Int
    var indexMemoryBytes: Int
    var rssGrowthBytes: Int
    var repetitions: Int
    var peers: [String]
    var sqliteRTree: RTreeBuild?
    var queries: [LoadTest.Row]
    var sort: Sort?
    var concurrency: [Concurrency]

    /// Every key written, `null` for what was not measured (the encoder writes them in snake_case).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(participants, forKey: .participants)
        try c.encode(indexSource, forKey: .indexSource)
        try c.encode(openSeconds, forKey: .openSeconds)
        try c.encode(firstQuerySeconds, forKey: .firstQuerySeconds)
        try c.encode(firstQuerySelected, forKey: .firstQuerySelected)
        try c.encode(indexMemoryBytes, forKey: .indexMemoryBytes)
        try c.encode(rssGrowthBytes, forKey: .rssGrowthBytes)
        try c.encode(repetitions, forKey: .repetitions)
        try c.encode(peers, forKey: .peers)
        try c.encode(sqliteRTree, forKey: .sqliteRTree)
        try c.encode(queries, forKey: .queries)
        try c.encode(sort, forKey: .sort)
        try c.encode(concurrency, forKey: .concurrency)
    }

    enum CodingKeys: String, CodingKey {
        case participants, indexSource, openSeconds, firstQuerySeconds, firstQuerySelected, indexMemoryBytes
        case rssGrowthBytes, repetitions, peers, queries, sort, concurrency
        case sqliteRTree = "sqlite_rtree"
    }
}

/// One scenario of `fanout loadtest dispatch`: its name, ledger file and figures.
struct DispatchScenario: Encodable {
    var name: String
    var ledger: String?
    var report: DispatchLoadTest.Report

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(ledger, forKey: .ledger)
    }

    enum CodingKeys: String, CodingKey { case name, ledger }
}
