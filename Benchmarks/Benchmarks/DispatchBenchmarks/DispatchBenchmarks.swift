// The dispatcher's own cost on virtual time: one action of 100,000 recipients (36% voice on 600
// lines, 36% SMS at 100/s, 28% app at 2,000/s) from the first hand-over to the last completion,
// with the realistic simulated providers and no ledger (the dispatcher alone), then with the
// ledger in a temporary SQLite file (what a control room runs). The ledger runs twice: with
// person ids in send order (ids 1...100,000 outside-in: every ledger row a neighbour of the
// last), and with the ids shuffled, as in a real registry, where ids say nothing about distance.
//
// Messages per second of wall time = 100,000 / the wall time of one iteration; the target is
// at least 50,000 per second (issue 6). No registry is needed: the recipients are generated.
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
    let regression = BenchmarkThresholds(relative: [.p50: 20.0, .p90: 20.0])
    let metrics: [BenchmarkMetric] = [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal]
    let thresholds = Dictionary(uniqueKeysWithValues: metrics.map { ($0, regression) })
    let configuration = Benchmark.Configuration(
        metrics: metrics, timeUnits: .milliseconds, warmupIterations: 1, maxDuration: .seconds(20),
        maxIterations: 10, thresholds: thresholds)

    Benchmark("dispatch-100k-virtual-no-ledger", configuration: configuration) { benchmark in
        let handed = try DispatchRun.once(ledgerPath: nil, benchmark: benchmark)
        guard handed == DispatchRun.count else {
            throw BenchmarkFailure("handed over \(handed) messages, expected \(DispatchRun.count)")
        }
    }

    for (name, recipients) in [("", DispatchRun.participants), ("-shuffled-ids", DispatchRun.shuffledParticipants)] {
        Benchmark("dispatch-100k-virtual-ledger\(name)", configuration: configuration) { benchmark in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "bench-ledger-\(getpid())\(name).sqlite"
            ).path
            defer { for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) } }
            let handed = try DispatchRun.once(ledgerPath: path, recipients: recipients, benchmark: benchmark)
            guard handed == DispatchRun.count else {
                throw BenchmarkFailure("handed over \(handed) messages, expected \(DispatchRun.count)")
            }
        }
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

enum DispatchRun {
    static let count = 100_000

    /// The channel of the `i`-th participant outside-in: 36% voice, 36% SMS, 28% app.
    static func channel(_ i: Int) -> Channel { i % 25 < 9 ? .voice : i % 25 < 18 ? .sms : .app }

    /// Participants outside-in (distance descending), and each one's channel by id.
    static let participants: (list: [SelectedParticipant], channels: [Int64: Channel]) = (
        (0..<count).map { i in
            SelectedParticipant(id: Int64(i + 1), distanceMeters: Double(count - i), country: nil, row: 0)
        },
        Dictionary(uniqueKeysWithValues: (0..<count).map { (Int64($0 + 1), channel($0)) })
    )

    /// The same, each with another person id: a fixed shuffle of 1...100,000 (ids unrelated to
    /// the outside-in order, as in a registry).
    static let shuffledParticipants: (list: [SelectedParticipant], channels: [Int64: Channel]) = {
        var ids = Array(1...Int64(count))
        var state: UInt64 = 0x5EED_2026  // SplitMix64, fixed seed
        for i in stride(from: ids.count - 1, to: 0, by: -1) {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            ids.swapAt(i, Int((z ^ (z >> 31)) % UInt64(i + 1)))
        }
        return (
            zip(participants.list, ids).map { p, id in
                SelectedParticipant(id: id, distanceMeters: p.distanceMeters, country: nil, row: 0)
            },
            Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($0.element, channel($0.offset)) })
        )
    }()

    /// Runs one action to idle on virtual time; returns the accepted hand-overs.
    static func once(
        ledgerPath: String?, recipients: (list: [SelectedParticipant], channels: [Int64: Channel]) = participants,
        benchmark: Benchmark
    ) throws -> Int {
        let providers = SimulatedProvider.all(.realistic(seed: 1))
        var chosen: [Channel: any MessageProvider] = [:]
        for (c, p) in providers { chosen[c] = p }
        let clock = VirtualClock()
        let d =
            try ledgerPath.map { try Dispatcher(providers: chosen, clock: clock, ledger: try Ledger.open(at: $0)) }
            ?? Dispatcher(providers: chosen, clock: clock)
        let request = ActionRequest(
            incidentType: "benchmark", urgency: .critical, message: "benchmark", channels: [.voice, .sms, .app],
            confirmed: true)
        let channels = recipients.channels
        benchmark.startMeasurement()
        _ = try d.start(
            request, participants: recipients.list, incident: RDPoint(x: 155_000, y: 463_000),
            recipients: .withoutRegistry(reason: "benchmark", channels: { id in channels[id].map { [$0] } ?? [] }))
        while let next = d.nextEventTime {
            clock.advance(to: next)
            try d.advance(to: next)
        }
        try d.flush()
        benchmark.stopMeasurement()
        // Accepted hand-overs: one per message (rejections as overloaded are offered again).
        return providers.values.reduce(0) { $0 + $1.handedOver.handedOver - ($1.handedOver.results[.throttled] ?? 0) }
    }
}
