import Foundation
import Synchronization
import TestSupport
import SelectionTestSupport
import Testing

@testable import FanoutEngine
import Geo
@testable import GeoFormats
import Participants
import Selection
import FanOut
import ProviderAdapters
@testable import FanoutAreaTools
import FanoutTesting
@testable import FanoutDesk
@testable import FanoutLab
import Synthetic

@Suite struct LiveIndexTests {
    /// A registry of `count` generated participants and an engine whose live index merges early.
    func setUp(count: Int, mergeThreshold: Int) throws -> (Engine, Registry) {
        let dir = try Fixtures.temporaryDirectory("live")
        let csv = dir.appendingPathComponent("p.csv")
        try PopulationGenerator.writeCSV(
            count: count, seed: 21, places: try PlaceTable.load(), countries: try .borders(), to: csv, progress: nil)
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        _ = try registry.importCSV(csv)
        let live = LiveIndex(base: GridIndex(columns: try registry.loadColumns()), mergeThreshold: mergeThreshold)
        return (try Engine(live: live, registry: registry), registry)
    }

    static func randomRecord(id: Int64, rng: inout SeededRandom) throws -> ParticipantRecord {
        try ParticipantRecord(
            id: id,
            position: SourcePoint(
                x: Double.random(in: 4.7...5.4, using: &rng), y: Double.random(in: 51.9...52.4, using: &rng),
                crs: .wgs84),
            country: .nl)
    }

    @Test func selectionsDuringUpdatesEqualTheRegistryState() throws {
        let (engine, registry) = try setUp(count: 8_000, mergeThreshold: 250)
        var rng = SeededRandom(seed: 5)
        var nextID = Int64(100_000)
        var checked = 0
        for round in 0..<30 {
            // A batch of changes: moves of existing participants, new ones, departures.
            let existing = try registry.loadColumns().ids
            var records: [ParticipantRecord] = []
            for _ in 0..<40 {
                records.append(try Self.randomRecord(id: existing.randomElement(using: &rng) ?? 1, rng: &rng))
            }
            for _ in 0..<20 {
                records.append(try Self.randomRecord(id: nextID, rng: &rng))
                nextID += 1
            }
            try engine.register(records)
            try engine.remove(ids: (0..<15).compactMap { _ in existing.randomElement(using: &rng) })
            // The oracle: a brute-force scan over the registry's rows as they are now.
            let oracle = try Engine(columns: try registry.loadColumns())
            for _ in 0..<3 {
                let request = SelectionRequest(
                    area: .circle(
                        center: LonLat(
                            lon: Double.random(in: 4.8...5.3, using: &rng),
                            lat: Double.random(in: 52.0...52.3, using: &rng)),
                        radiusMeters: Double.random(in: 500...15_000, using: &rng)))
                let got = try engine.select(request).participants
                let want = try oracle.selectByBruteForce(request).participants
                #expect(unrowed(got) == unrowed(want), "round \(round)")
                checked += got.count
            }
        }
        #expect(checked > 1_000)
        #expect(engine.live.mergeCount > 0, "the delta was merged into a new grid at least once")
    }

    @Test func concurrentSelectionsWhileChangesStreamIn() throws {
        let (engine, _) = try setUp(count: 6_000, mergeThreshold: 400)
        let live = engine.live
        let failures = Mutex<[String]>([])
        let selections = Mutex(0)
        let stop = Atomic<Bool>(false)
        let readers = (0..<2).map { reader in
            Thread {
                do {
                    let mine = try Engine(live: live)  // one engine (GEOS/PROJ contexts) per thread
                    var rng = SeededRandom(seed: UInt64(reader) + 40)
                    while !stop.load(ordering: .relaxed) {
                        let snapshot = live.snapshot()
                        let request = SelectionRequest(
                            area: .circle(
                                center: LonLat(lon: 5.0, lat: 52.1),
                                radiusMeters: Double.random(in: 1_000...30_000, using: &rng)))
                        let got = try mine.select(request, on: snapshot).participants
                        let want = try Engine(columns: snapshot.allColumns).selectByBruteForce(request).participants
                        if unrowed(got) != unrowed(want) { failures.withLock { $0.append("reader \(reader)") } }
                        selections.withLock { $0 += 1 }
                    }
                } catch {
                    failures.withLock { $0.append("reader \(reader): \(error)") }
                }
            }
        }
        readers.forEach { $0.start() }
        var rng = SeededRandom(seed: 99)
        for i in 0..<2_000 {
            live.apply([
                .upsert(
                    id: Int64(1 + i % 6_000),
                    position: RDPoint(
                        x: Double.random(in: 120_000...160_000, using: &rng),
                        y: Double.random(in: 440_000...470_000, using: &rng)),
                    country: .nl)
            ])
            if i % 100 == 0 { usleep(2_000) }
        }
        while selections.withLock({ $0 }) < 20 { usleep(1_000) }
        stop.store(true, ordering: .relaxed)
        while readers.contains(where: { !$0.isFinished }) { usleep(1_000) }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(live.mergeCount > 0)
    }

    @Test func aChangeIsVisibleToTheNextSelection() throws {
        let (engine, _) = try setUp(count: 1_000, mergeThreshold: 10_000)
        let spot = LonLat(lon: 6.5, lat: 53.0)  // far from every generated place? check below
        let request = SelectionRequest(area: .circle(center: spot, radiusMeters: 1))
        let before = try engine.select(request).participants
        try engine.register([
            try ParticipantRecord(
                id: 777_777, position: SourcePoint(x: spot.lon, y: spot.lat, crs: .wgs84), country: .nl)
        ])
        let after = try engine.select(request).participants
        #expect(Set(after.map(\.id)) == Set(before.map(\.id)).union([777_777]))
        try engine.remove(ids: [777_777])
        #expect(try engine.select(request).participants.map(\.id) == before.map(\.id))
    }

    @Test func registrationsWithoutACountryGetTheirsFromTheBorders() throws {
        let (engine, registry) = try setUp(count: 100, mergeThreshold: 10_000)
        let places: [(Int64, Double, Double, String?)] = [
            (9_001, 4.92701, 51.43626, "BE"),  // Baarle-Hertog exclave H1, inside the Netherlands
            (9_002, 4.92340, 51.43890, "NL"),  // the Dutch counter-enclave inside H1
            (9_003, 6.0838, 50.7753, "DE"),  // Aachen
            (9_004, 6.0752, 50.8530, "NL"),  // Kerkrade, just west of Nieuwstraat
        ]
        try engine.register(
            places.map { try ParticipantRecord(id: $0.0, position: SourcePoint(x: $0.1, y: $0.2, crs: .wgs84)) })
        for p in places {
            #expect(try registry.participant(id: p.0)?.country?.description == p.3, "participant \(p.0)")
        }
        let around = try engine.select(
            SelectionRequest(area: .circle(center: LonLat(lon: 4.9255, lat: 51.4375), radiusMeters: 400)))
        #expect(around.participants.first { $0.id == 9_001 }?.country == .be)
        #expect(around.participants.first { $0.id == 9_002 }?.country == .nl)
    }

    @Test func badRecordsAreRefusedWholly() throws {
        let (engine, registry) = try setUp(count: 100, mergeThreshold: 10_000)
        let good = try ParticipantRecord(id: 5_000, position: SourcePoint(x: 5, y: 52, crs: .wgs84))
        let bad = try ParticipantRecord(
            id: 5_001, position: SourcePoint(x: 52, y: 5, crs: .wgs84), phone: try PhoneNumber("+31698765432"))
        #expect { try engine.register([good, bad]) } throws: { e in
            "\(e)".contains("record 2 (id 5001)") && !"\(e)".contains("98765432")
        }
        #expect(try registry.participant(id: 5_000) == nil, "nothing of a refused batch is written")
        #expect(try registry.count() == 100)
    }
}
