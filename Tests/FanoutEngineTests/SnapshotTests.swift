import Foundation
import GRDB
import TestSupport
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

@Suite struct SnapshotTests {
    func registry(rows: Int) throws -> (String, URL) {
        let dir = try Fixtures.temporaryDirectory("snapshot")
        let csv = dir.appendingPathComponent("p.csv")
        try PopulationGenerator.writeCSV(
            count: rows, seed: 4, places: try PlaceTable.load(), countries: try .borders(), to: csv, progress: nil)
        let db = dir.appendingPathComponent("r.sqlite").path
        _ = try Registry.open(at: db).importCSV(csv)
        return (db, dir)
    }

    @Test func theStoredIndexIsUsedUntilTheRegistryChanges() throws {
        let (db, dir) = try registry(rows: 5_000)
        let request = SelectionRequest(area: .circle(center: ReferenceQuery.utrechtDom, radiusMeters: 60_000))
        let first = try Engine.open(registryAt: db)
        #expect(first.indexSource == .rebuilt(stored: true))
        let second = try Engine.open(registryAt: db)
        #expect(second.indexSource == .storedSnapshot)
        #expect(second.index.packed == first.index.packed)
        let a = try first.select(request).participants
        #expect(a.count > 500)
        #expect(try second.select(request).participants == a)
        // A change (one participant moved) bumps the generation: the stored copy is stale.
        let move = dir.appendingPathComponent("move.csv")
        let id = a[0].id
        try "id,lon,lat\n\(id),5.1214,52.0908\n".write(to: move, atomically: true, encoding: .utf8)
        _ = try Registry.open(at: db).importCSV(move)
        let third = try Engine.open(registryAt: db)
        #expect(third.indexSource == .rebuilt(stored: true))
        let moved = try third.select(request).participants
        #expect(
            moved.contains { $0.id == id && $0.distanceMeters == 0 }, "the moved participant is now at the incident")
        #expect(try third.select(request).participants == third.selectByBruteForce(request).participants)
    }

    @Test func aDamagedStoredIndexIsRebuilt() throws {
        let (db, _) = try registry(rows: 2_000)
        _ = try Engine.open(registryAt: db)
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "UPDATE index_snapshot SET xs = substr(xs, 1, 100)")
        }
        let engine = try Engine.open(registryAt: db)
        #expect(engine.indexSource == .rebuilt(stored: true))
        #expect(engine.columns.count == 2_000)
    }

    @Test func packedArraysRoundTripThroughTheRegistry() throws {
        let (db, _) = try registry(rows: 3_000)
        let registry = try Registry.open(at: db)
        let index = GridIndex(columns: try registry.loadColumns(), cellSizeMeters: 250)
        #expect(try registry.storeIndexSnapshot(index.packed, generation: try registry.generation()))
        #expect(try registry.loadIndexSnapshot() == index.packed)
        #expect(try !registry.storeIndexSnapshot(index.packed, generation: try registry.generation() - 1))
    }
}
