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

/// A registry made through `fanout import` for the `fanout action` tests through Kannel: `count`
/// participants on a square grid east of Utrecht (about 55 m apart), each with a phone number,
/// except ``phoneless`` near the middle; and a dispatcher configuration with a `"kannel"` object
/// pointing at a ``KannelPeer``.
struct KannelActionFixture {
    let dir: URL
    let db: String
    let config: String
    let count: Int
    let columns: Int
    /// The participant without a phone number: the one nearest the middle of the grid.
    let phoneless: Int64

    static let origin = LonLat(lon: 5.10, lat: 52.08)
    static let sender = "Burgernet"

    /// Participant `id`'s phone number (`+3162` and 7 digits).
    static func phone(_ id: Int64) -> String { "+3162" + String(1_000_000 + id).suffix(7) }

    /// Whether `text` shows a participant's phone number or the Kannel password.
    static func leaks(_ text: String) -> Bool { text.contains("+3162") || text.contains(KannelPeer.password) }

    /// The middle of the grid.
    var centre: LonLat {
        LonLat(
            lon: Self.origin.lon + 0.0008 * Double(columns / 2), lat: Self.origin.lat + 0.0005 * Double(columns / 2))
    }

    /// The circle options of `fanout action start` around ``centre``.
    func circle(radius: Double) -> [String] {
        ["--lon", "\(centre.lon)", "--lat", "\(centre.lat)", "--radius", "\(radius)"]
    }

    /// Writes the registry (through `fanout import`) and the configuration.
    ///
    /// - Parameters:
    ///   - smsPerSecond: The dispatcher's SMS rate (`sms.perSecond`).
    ///   - workers: The adapter's parallel sendsms requests (`kannel.workers`).
    init(
        count: Int, peer: KannelPeer, label: String, smsPerSecond: Double, batchSize: Int = 10, workers: Int = 8,
        reportListenPort: UInt16 = 0
    ) async throws {
        self.count = count
        columns = Int(Double(count).squareRoot().rounded(.up))
        phoneless = Int64(columns * (columns / 2) + columns / 2 + 1)
        dir = try Fixtures.temporaryDirectory(label)
        db = dir.appendingPathComponent("registry.sqlite").path
        var csv = "id,lon,lat,country,phone\n"
        for i in 0..<count {
            let id = Int64(i + 1)
            let lon = Self.origin.lon + Double(i % columns) * 0.0008
            let lat = Self.origin.lat + Double(i / columns) * 0.0005
            csv += "\(id),\(lon),\(lat),NL,\(id == phoneless ? "" : Self.phone(id))\n"
        }
        try csv.write(to: dir.appendingPathComponent("grid.csv"), atomically: true, encoding: .utf8)
        let imported = try await CommandRunner.run(["import", "--db", db, "--csv", "grid.csv"], in: dir)
        guard imported.status == 0 else { throw KannelPeerError("fanout import failed: \(imported.stderr)") }
        config = dir.appendingPathComponent("dispatch.json").path
        let json = """
            {
              "sms": {"perSecond": \(smsPerSecond), "batchSize": \(batchSize)},
              "kannel": {
                "sendsmsURL": "\(peer.sendsmsURL)", "username": "\(KannelPeer.username)",
                "password": "\(KannelPeer.password)", "sender": "\(Self.sender)",
                "workers": \(workers), "reportTimeoutSeconds": 60, "reportListenPort": \(reportListenPort)
              }
            }
            """
        try json.write(toFile: config, atomically: true, encoding: .utf8)
    }

    /// The arguments every `fanout action` command here takes: the registry and the configuration.
    var desk: [String] { ["--db", db, "--config", config] }

    /// Runs `fanout action ARGS --db DB --config CONFIG`.
    func action(_ arguments: [String]) async throws -> CommandResult {
        try await CommandRunner.run(["action"] + arguments + desk, in: dir)
    }

    /// The participants inside the circle by the engine's brute-force scan (the oracle), outside-in.
    func oracle(radius: Double) throws -> [Int64] {
        try Engine.open(registryAt: db).selectByBruteForce(
            SelectionRequest(area: .circle(center: centre, radiusMeters: radius))
        ).participants.map(\.id)
    }
}

extension KannelPeer {
    /// The messages the fake SMSC received from fanout with `text`.
    func received(text: String) throws -> [Received] {
        try received().filter { $0.sender == KannelActionFixture.sender && $0.text == text }
    }
}
