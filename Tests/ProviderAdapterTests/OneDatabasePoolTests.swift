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
import TestSupport
import Testing

/// The engine, the ledger, the action desk and the Kannel adapter on one registry file share one
/// connection pool in a process (GRDB's first rule), whatever spelling of the path each was given.
/// The operating system's list of open descriptors is the oracle (SQLite opens the file once per
/// connection).
@Suite(.enabled(if: OpenFiles.available, "needs /proc/self/fd")) struct OneDatabasePoolTests {
    @Test func engineLedgerDeskAndKannelOnOneFileShareOnePool() async throws {
        let dir = try Fixtures.temporaryDirectory("one-pool")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("r.sqlite").path
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let link = dir.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        // A registry of 50 participants, closed again; then one pool's descriptors, alone.
        do {
            let registry = try Registry.open(at: path)
            var records: [ParticipantRecord] = []
            for i in 1...50 {
                let lon = 5.1 + Double(i) * 1e-4
                let phone = try PhoneNumber("+3161" + String(String(1_000_000 + i).suffix(7)))
                records.append(
                    try ParticipantRecord(
                        id: Int64(i), position: SourcePoint(x: lon, y: 52.08, crs: .wgs84), country: .nl, phone: phone))
            }
            _ = try registry.upsert(records)
            _ = try Ledger.open(at: path)  // the ledger's tables (a registry alone has none)
        }
        let atStart = try OpenFiles.descriptors(on: path)
        #expect(atStart == 0)
        let onePool = try { () throws -> Int in
            let alone = try Registry.open(at: path)
            #expect(try alone.count() == 50)
            return try OpenFiles.descriptors(on: path)
        }()
        #expect(onePool == 2)  // the writer connection and one reader

        var engine: Engine? = try Engine.open(registryAt: dir.path + "/./r.sqlite")
        var status: Ledger? = try Ledger.open(at: link, readOnly: true)
        #expect(try status?.lastRecordedTime() == .zero)
        let kannel = try KannelConfiguration(
            sendsmsURL: "http://127.0.0.1:9/cgi-bin/sendsms", username: "fanout", password: "secret",
            sender: "Burgernet")
        var desk: ActionDesk? = try ActionDesk(
            db: dir.path + "/sub/../r.sqlite", config: DispatchConfig(),
            providers: DeskProviders(simulation: .ideal(), kannel: kannel), clock: .real(speed: 1))
        #expect(desk?.kannel != nil)
        #expect(try desk?.ledger.lastRecordedTime() == .zero)
        #expect(engine?.columns.ids.count == 50)
        // Before: a pool each for the engine, the status ledger, the desk's ledger and the
        // adapter's registry (8 descriptors).
        let shared = try OpenFiles.descriptors(on: path)
        #expect(shared == onePool)

        desk = nil
        engine = nil
        let withStatus = try OpenFiles.descriptors(on: path)
        #expect(withStatus == onePool)  // the status ledger keeps it open
        status = nil
        // The adapter's worker threads drop their reference to its registry as they end, just
        // after its shutdown returns.
        #expect(try await eventually(seconds: 30) { try OpenFiles.descriptors(on: path) == 0 })
    }
}
