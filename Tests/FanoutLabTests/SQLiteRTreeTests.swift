import Foundation
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

/// The SQLite R*Tree peer (`fanout loadtest --peers sqlite-rtree`) equals the engine participant
/// by participant, distances bit for bit, on a registry filled by the real generator.
@Suite struct SQLiteRTreeTests {
    static func engine() throws -> Engine {
        let dir = try Fixtures.temporaryDirectory("rtree")
        let csv = dir.appendingPathComponent("p.csv")
        try PopulationGenerator.writeCSV(
            count: 25_000, seed: 5, places: try PlaceTable.load(), countries: try .borders(), to: csv, progress: nil)
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        _ = try registry.importCSV(csv)
        return try Engine.open(registryAt: registry.path)
    }

    static func check(_ engine: Engine, _ request: SelectionRequest, _ what: String) throws -> Int {
        let want = try engine.select(request).participants
        let got = try engine.selectWithSQLiteRTree(request)
        #expect(got.map(\.id) == want.map(\.id), "\(what)")
        #expect(got.map(\.distanceMeters) == want.map(\.distanceMeters), "\(what)")
        #expect(got.map(\.country) == want.map(\.country), "\(what)")
        return got.count
    }

    @Test func circlesPolygonsAndFiltersEqualTheEngine() throws {
        let engine = try Self.engine()
        let places = try PlaceTable.load()
        var rng = SeededRandom(seed: 8)
        var selected = 0
        for n in 0..<80 {
            let place = places[Int.random(in: 0..<places.count, using: &rng)]
            let center = LonLat(lon: place.lon, lat: place.lat)
            let request = SelectionRequest(
                area: .circle(center: center, radiusMeters: Double.random(in: 100...30_000, using: &rng)),
                incident: n % 3 == 0 ? LonLat(lon: place.lon + 0.01, lat: place.lat) : nil,
                countries: n % 4 == 0 ? [.nl] : nil)
            selected += try Self.check(engine, request, "circle around \(place.name)")
        }
        #expect(selected > 10_000)
        for query in ReferenceQuery.all {
            _ = try Self.check(engine, try query.request(on: engine), query.name)
        }
    }

    @Test func geodesicRequestsAndEnginesWithoutRegistryAreRefused() throws {
        let engine = try Self.engine()
        let circle = SelectionRequest.Area.circle(center: ReferenceQuery.amsterdamDam, radiusMeters: 1_000)
        #expect(throws: SelectionError.self) {
            try engine.selectWithSQLiteRTree(SelectionRequest(area: circle, distance: .geodesic))
        }
        let bare = try Engine(index: engine.index)
        #expect(throws: SelectionError.self) { try bare.selectWithSQLiteRTree(SelectionRequest(area: circle)) }
    }
}
