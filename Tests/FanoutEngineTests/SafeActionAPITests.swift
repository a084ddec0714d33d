import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// The public action API as a control-room service sees it (issue 13, part 5): only what
/// `FanoutEngine` exports publicly is used here, no `@testable` access.
@Suite struct SafeActionAPITests {
    /// Two points of NSGI's RDNAPTRANS2018 validation set (Tests/GeoTests/Fixtures/rdnaptrans2018,
    /// Z001_ETRS89andRDNAP.txt, ids 30010000 and 30012011): ETRS89 latitude and longitude, and
    /// NSGI's RD x and y for them. WGS84 is taken as ETRS89 (as EPSG:28992's transformations do).
    static let z001A = (lon: 4.712120126, lat: 51.728601274, x: 108360.8790, y: 415757.2745)
    static let z001B = (lon: 5.098961921, lat: 52.076664048, x: 135239.8102, y: 454304.3898)

    /// A registry file with `rows` (CSV lines after the header) in RD New, its engine and registry.
    static func registry(_ rows: [String], header: String = "id,x,y,phone,email,channels,opt_out,quiet_hours")
        throws -> (path: String, engine: Engine, registry: Registry)
    {
        let dir = try Fixtures.temporaryDirectory("fanout-safe-api")
        let csv = dir.appendingPathComponent("p.csv")
        try ([header] + rows).joined(separator: "\n").write(to: csv, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("r.sqlite").path
        let registry = try Registry.open(at: path)
        _ = try registry.importCSV(csv, options: ImportOptions(crs: .rdNew, countries: .off))
        return (path, try Engine.open(registryAt: path), registry)
    }

    /// Four participants 100-400 m east of Z001 point A: 1 opted out of burglaries, 2 in quiet
    /// hours all day on every channel, 3 preferring e-mail, 4 without preferences.
    static func fourNeighbours() throws -> (path: String, engine: Engine, registry: Registry) {
        let (x, y) = (z001A.x, z001A.y)
        return try registry([
            "1,\(x + 400),\(y),+31600000001,p1@example.org,,burglary,",
            "2,\(x + 300),\(y),+31600000002,p2@example.org,,,00:00-00:00",
            "3,\(x + 200),\(y),+31600000003,p3@example.org,email,,",
            "4,\(x + 100),\(y),+31600000004,,,,",
        ])
    }

    static let burglary = ActionRequest(
        incidentType: "burglary", urgency: .high, message: "Inbraak: let op", channels: [.sms, .email])

    static func circleAroundA(radiusMeters: Double = 1_000) -> SelectionRequest {
        SelectionRequest(area: .circle(center: LonLat(lon: z001A.lon, lat: z001A.lat), radiusMeters: radiusMeters))
    }

    // MARK: - (1) Preferences, opt-outs and quiet hours always from the registry

    @Test func startingOnASelectionTakesOptOutQuietHoursAndChannelsFromTheRegistry() async throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let selection = try engine.select(Self.circleAroundA())
        #expect(selection.participants.map(\.id) == [1, 2, 3, 4])
        let sms = RecordingProvider()
        let mail = RecordingProvider()
        let d = try Dispatcher(
            providers: [.sms: sms, .email: mail], clock: VirtualClock(), ledger: Ledger.open(at: path))
        let id = try await d.start(Self.burglary, selection: selection, recipients: .registry(registry))
        try await d.runUntilIdle()

        // The ledger's rows: 3 on e-mail (their preference), 4 on SMS (the action's first);
        // nothing for 1 (opted out of burglaries) or 2 (every channel quiet all day).
        let rows = try Ledger.open(at: path).messages(of: id)
        #expect(rows.map(\.key.person).sorted() == [3, 4])
        #expect(Dictionary(uniqueKeysWithValues: rows.map { ($0.key.person, $0.channel) }) == [3: .email, 4: .sms])
        #expect(mail.records.map(\.message.key.person) == [3])
        #expect(sms.records.map(\.message.key.person) == [4])
        #expect(try d.status(id).skipped == [.optedOut: 1, .quietHours: 1])
        #expect(try d.explain(action: id, person: 1).events.first?.reason == .optedOut)
        #expect(try d.explain(action: id, person: 2).events.first?.reason == .quietHours)
    }

    @Test func leavingTheRegistryOutMustBeSaidWithAReason() async throws {
        let (_, engine, _) = try Self.fourNeighbours()
        let selection = try engine.select(Self.circleAroundA())
        let sms = RecordingProvider()
        let d = Dispatcher(providers: [.sms: sms, .email: RecordingProvider()], clock: VirtualClock())
        #expect(throws: DispatchError.self) {
            try d.start(Self.burglary, selection: selection, recipients: .withoutRegistry(reason: "  "))
        }
        #expect(d.actionIDs.isEmpty)
        // Said explicitly, the same selection alerts everyone on the action's first channel.
        _ = try await d.start(Self.burglary, selection: selection, recipients: .withoutRegistry(reason: "simulation"))
        try await d.runUntilIdle()
        #expect(sms.records.map(\.message.key.person) == [1, 2, 3, 4])
    }

    // MARK: - (2) Opening a dispatcher on a ledger resumes it

    @Test func twoOpensOnOneLedgerContinueTheActionIDs() async throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let selection = try engine.select(Self.circleAroundA())
        var first = ActionRequest(incidentType: "burglary", urgency: .high, message: "first", channels: [.sms])
        let firstID: ActionID
        do {
            let d = try Dispatcher(
                providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: Ledger.open(at: path))
            firstID = try await d.start(first, selection: selection, recipients: .registry(registry))
            try d.flush()  // left running: the next open must take it up
        }
        let before = try Ledger.open(at: path).messages(of: firstID)
        first.message = "second"
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: Ledger.open(at: path))
        #expect(d.actionIDs == [firstID])  // the unfinished action is resumed
        let secondID = try await d.start(first, selection: selection, recipients: .registry(registry))
        try await d.runUntilIdle()
        #expect(firstID.rawValue == 1)
        #expect(secondID.rawValue == 2)
        let ledger = try Ledger.open(at: path)
        #expect(try ledger.summaries().map { [$0.id.rawValue: $0.request.message] } == [[1: "first"], [2: "second"]])
        let after = try ledger.messages(of: firstID)
        #expect(after.map(\.key) == before.map(\.key))  // nothing of action 1 overwritten
        #expect(after.allSatisfy { $0.state == .delivered })  // and it was sent by the second open
        // SMS only: 3 (preferring e-mail) gets the action's channel; 1 opted out, 2 quiet.
        #expect(before.map(\.key.person).sorted() == [3, 4])
        #expect(try ledger.messages(of: secondID).map(\.key.person).sorted() == [3, 4])
    }

    // MARK: - (3) The incident point comes from the selection, given in WGS84

    @Test func theIncidentPointInTheLedgerIsTheSelectionsWGS84PointInRD() throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock(),
            ledger: Ledger.open(at: path))
        // The circle's centre (Z001 A), and an incident given apart from the area (Z001 B).
        let circle = try d.start(
            Self.burglary, selection: try engine.select(Self.circleAroundA()), recipients: .registry(registry))
        var given = Self.circleAroundA()
        given.incident = LonLat(lon: Self.z001B.lon, lat: Self.z001B.lat)
        let elsewhere = try d.start(Self.burglary, selection: try engine.select(given), recipients: .registry(registry))
        try d.flush()
        let ledger = try Ledger.open(at: path)
        for (id, want) in [(circle, Self.z001A), (elsewhere, Self.z001B)] {
            let point = try #require(try ledger.summary(of: id).request.incidentPoint)
            #expect(abs(point.x - want.x) <= 0.001 && abs(point.y - want.y) <= 0.001, "action \(id): \(point)")
        }
        #expect(Self.burglary.incidentPoint == nil)  // a request has none of its own
    }

    // MARK: - (4) The audit's area record is the selection's area

    @Test func theAuditAreaIsTheSelectionsCircle() throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock(),
            ledger: Ledger.open(at: path))
        let id = try d.start(
            Self.burglary, selection: try engine.select(Self.circleAroundA(radiusMeters: 1_234.5)),
            recipients: .registry(registry))
        try d.flush()
        let area = try #require(try Ledger.open(at: path).areaVersions(of: id).first)
        #expect(area.registryGeneration == (try registry.generation()))
        let text = try #require(area.geometry)
        // `circle around POINT (lon lat), radius r m`, numbers read back as written.
        let numbers = text.split(whereSeparator: { " (),".contains($0) }).compactMap { Double($0) }
        #expect(text.hasPrefix("circle around POINT ("))
        #expect(numbers == [Self.z001A.lon, Self.z001A.lat, 1_234.5], "\(text)")
    }

    @Test func theAuditAreaIsTheSelectionsPolygonWithoutItsAttributes() throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let dir = try Fixtures.temporaryDirectory("fanout-safe-api-area")
        let file = dir.appendingPathComponent("area.geojson")
        let (lon, lat) = (Self.z001A.lon, Self.z001A.lat)
        try """
        {"type": "Feature", "properties": {"contact": "Jan Jansen"},
         "geometry": {"type": "Polygon", "coordinates": [[[\(lon - 0.01), \(lat - 0.01)], [\(lon + 0.01), \(lat - 0.01)],
           [\(lon + 0.01), \(lat + 0.01)], [\(lon - 0.01), \(lat + 0.01)], [\(lon - 0.01), \(lat - 0.01)]]]}}
        """.write(to: file, atomically: true, encoding: .utf8)
        let polygon = try engine.readArea(contentsOf: file)
        let selection = try engine.select(SelectionRequest(area: .polygon(polygon)))
        #expect(selection.participants.count == 4)
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock(),
            ledger: Ledger.open(at: path))
        let id = try d.start(Self.burglary, selection: selection, recipients: .registry(registry))
        try d.flush()
        let area = try #require(try Ledger.open(at: path).areaVersions(of: id).first)
        #expect(area.registryGeneration == (try registry.generation()))
        let text = try #require(area.geometry)
        #expect(!text.contains("Jan Jansen"))  // the file's attributes may name people
        let recorded = dir.appendingPathComponent("recorded.geojson")
        try text.write(to: recorded, atomically: true, encoding: .utf8)
        let back = try engine.readArea(contentsOf: recorded)
        #expect(back.polygons == polygon.polygons)
        #expect(back.crs == polygon.crs)
    }

    @Test func theDeskRecordsTheSameAreaAsTheDispatcher() throws {
        let (path, engine, registry) = try Self.fourNeighbours()
        let selection = try engine.select(Self.circleAroundA())
        let desk = try ActionDesk(
            db: path, config: DispatchConfig(), providers: DeskProviders(simulation: .ideal()), clock: .virtual)
        // Through the command `fanout action start` hands to the desk.
        let answer = try desk.apply(.start(Self.burglary, ActionSelection(selection)))
        try desk.close()
        let viaDesk = try #require(try Ledger.open(at: path).areaVersions(of: answer.action).first)
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock(),
            ledger: Ledger.open(at: path))
        let direct = try d.start(Self.burglary, selection: selection, recipients: .registry(registry))
        try d.flush()
        let viaDispatcher = try #require(try Ledger.open(at: path).areaVersions(of: direct).first)
        #expect(viaDesk.geometry == viaDispatcher.geometry && viaDesk.geometry == selection.areaRecord.geometry)
        #expect(viaDesk.registryGeneration == viaDispatcher.registryGeneration)
        #expect(try Ledger.open(at: path).summary(of: answer.action).request.incidentPoint == selection.incident)
    }
}
