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

/// An engine opened on a data directory given in code, with and without the RD grid: which
/// transformation it states, and its RD New positions against NSGI's validation points (Z001).
@Suite struct EngineDataDirectoryTests {
    /// A temporary data directory holding copies of the package's `names`.
    func dataDirectory(with names: [String]) throws -> URL {
        let dir = try Fixtures.temporaryDirectory("engine-data")
        for name in names {
            try FileManager.default.copyItem(
                at: Fixtures.packageRoot.appendingPathComponent("data/\(name)"), to: dir.appendingPathComponent(name))
        }
        return dir
    }

    /// Z001 points in the NAP area (where PROJ without the grid is within 0.25 m) and in the
    /// service region (registrations elsewhere are refused).
    static let points: [NSGIPoint] = {
        guard let all = try? loadZ001() else { return [] }
        return all.filter { $0.hasNAP && ServiceRegion.problem(with: LonLat(lon: $0.lon, lat: $0.lat)) == nil }
    }()

    /// Registers every Z001 point through `engine` (its registry transforms them) and returns the
    /// largest distance between the RD New positions it stored and NSGI's answers.
    func largestRegisteredError(_ engine: Engine) throws -> Double {
        let records = try Self.points.enumerated().map { i, p in
            try ParticipantRecord(id: Int64(i + 1), position: SourcePoint(x: p.lon, y: p.lat, crs: .wgs84))
        }
        try engine.register(records)
        let columns = engine.columns
        #expect(columns.count == Self.points.count)
        var largest = 0.0
        for row in 0..<columns.count {
            let p = Self.points[Int(columns.ids[row]) - 1]
            largest = max(
                largest,
                ((columns.xs[row] - p.x) * (columns.xs[row] - p.x)
                    + (columns.ys[row] - p.y) * (columns.ys[row] - p.y)).squareRoot())
        }
        return largest
    }

    /// The incident point of a selection around each of a few Z001 points (the engine's own
    /// converter), largest distance to NSGI's answer.
    func largestIncidentError(_ engine: Engine) throws -> Double {
        try stride(from: 0, to: Self.points.count, by: Self.points.count / 25).map { i in
            let p = Self.points[i]
            let r = try engine.select(
                SelectionRequest(area: .circle(center: LonLat(lon: p.lon, lat: p.lat), radiusMeters: 10)))
            return ((r.incident.x - p.x) * (r.incident.x - p.x) + (r.incident.y - p.y) * (r.incident.y - p.y))
                .squareRoot()
        }.max() ?? .nan
    }

    @Test func anEngineOnAGivenDirectoryUsesItsGridWithinAMillimetreOfZ001() throws {
        #expect(Self.points.count > 1_000)
        let dir = try dataDirectory(with: ["rdtrans2018.gsb", "borders-nl-be-de.geojson"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try Engine.open(
            registryAt: dir.appendingPathComponent("r.sqlite").path, data: .directory(dir), rdGrid: .required)
        #expect(engine.transformation == .correctionGrid(path: dir.appendingPathComponent("rdtrans2018.gsb").path))
        #expect(engine.transformation.maxErrorMeters == 0.001)
        #expect(try largestRegisteredError(engine) <= 0.001)
        #expect(try largestIncidentError(engine) <= 0.001)
    }

    @Test func withoutTheGridAnOptionalEngineOpensStatesItAndStaysWithinAQuarterMetre() throws {
        let dir = try dataDirectory(with: ["borders-nl-be-de.geojson"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try Engine.open(
            registryAt: dir.appendingPathComponent("r.sqlite").path, data: .directory(dir), rdGrid: .optional)
        #expect(engine.transformation == .withoutGrid)
        #expect(engine.transformation.maxErrorMeters == 0.25)
        let registered = try largestRegisteredError(engine)
        // Within the stated bound, and really without the grid (which is within a millimetre).
        #expect(registered <= 0.25 && registered > 0.1, "\(registered)")
        let incident = try largestIncidentError(engine)
        #expect(incident <= 0.25 && incident > 0.01, "\(incident)")
    }

    @Test func withoutTheGridARequiredEngineIsAnErrorNamingTheFileAndDirectory() throws {
        let dir = try dataDirectory(with: ["borders-nl-be-de.geojson"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("r.sqlite").path
        let error = try #require(throws: GeoError.self) { try Engine.open(registryAt: db, data: .directory(dir)) }
        #expect(error.code == .correctionGrid)
        #expect(
            error.message.hasPrefix(
                "the RDNAPTRANS2018 correction grid rdtrans2018.gsb is not in the data directory \(dir.path) "
                    + "(the data directory given)"), "\(error.message)")
        #expect(error.message.contains("rdGrid: .optional"), "\(error.message)")
    }

    @Test func aDamagedGridIsAnErrorEvenWhenTheGridIsOptional() throws {
        let dir = try dataDirectory(with: [])
        defer { try? FileManager.default.removeItem(at: dir) }
        let grid = dir.appendingPathComponent("rdtrans2018.gsb")
        let original = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("data/rdtrans2018.gsb"))
        try original.prefix(1_000).write(to: grid)
        let error = try #require(throws: GeoError.self) {
            try Engine.open(
                registryAt: dir.appendingPathComponent("r.sqlite").path, data: .directory(dir), rdGrid: .optional)
        }
        #expect(error.code == .correctionGrid)
        #expect(error.message.contains(grid.path), "\(error.message)")
    }

    @Test func referenceAreasComeFromTheEnginesDataDirectory() throws {
        let dir = try dataDirectory(with: ["rdtrans2018.gsb"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try Engine(columns: ParticipantColumns(), data: .directory(dir))
        let polygon = try #require(ReferenceQuery.all.first { if case .areaFile = $0.shape { true } else { false } })
        let error = try #require(throws: GeoError.self) { try polygon.request(on: engine) }
        #expect(error.message.contains("is not in the data directory \(dir.path)/areas"), "\(error.message)")
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("data/areas"), to: dir.appendingPathComponent("areas"))
        _ = try polygon.request(on: engine)
        #expect(ReferenceQuery.areasDirectory(in: .directory(dir)).path == dir.appendingPathComponent("areas").path)
    }
}
