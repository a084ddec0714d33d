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

/// A registry of participants on a regular grid east of Utrecht, made through `fanout import`,
/// for the `fanout action` tests: every third participant prefers voice, the others SMS; each has
/// a (fake) phone number and e-mail address, which no output may show.
struct ActionFixture {
    let dir: URL
    let db: String
    let count: Int

    /// Grid origin (WGS84 degrees); spacing 0.0008° east, 0.0005° north (about 55 m each).
    static let origin = LonLat(lon: 5.10, lat: 52.08)
    /// Grid columns: 100, or more for a large grid so that it stays square.
    let columns: Int
    /// The middle of the grid.
    var centre: LonLat {
        LonLat(
            lon: Self.origin.lon + 0.0008 * Double(columns / 2),
            lat: Self.origin.lat + 0.0005 * Double(count / columns / 2))
    }

    init(count: Int, label: String) throws {
        self.count = count
        columns = max(100, Int(Double(count).squareRoot().rounded(.up)))
        dir = try Fixtures.temporaryDirectory(label)
        db = dir.appendingPathComponent("registry.sqlite").path
        var csv = "id,lon,lat,country,phone,email,channels\n"
        for i in 0..<count {
            let lon = Self.origin.lon + Double(i % columns) * 0.0008
            let lat = Self.origin.lat + Double(i / columns) * 0.0005
            let channels = i % 3 == 0 ? "voice" : "sms"
            csv += "\(i + 1),\(lon),\(lat),NL,+316\(String(10_000_000 + i)),p\(i + 1)@example.org,\(channels)\n"
        }
        try csv.write(to: dir.appendingPathComponent("grid.csv"), atomically: true, encoding: .utf8)
        let imported = try CommandRunner.runBlocking(["import", "--db", db, "--csv", "grid.csv"], in: dir)
        guard imported.status == 0 else {
            throw CocoaError(.featureUnsupported, userInfo: ["stderr": imported.stderr])
        }
    }

    /// Writes `text` to a file in the fixture's directory and returns its path.
    func write(_ name: String, _ text: String) throws -> String {
        try Fixtures.write(text, named: name, in: dir)
    }

    /// Runs `fanout action ARGS --db DB`.
    func action(_ arguments: [String]) async throws -> CommandResult {
        try await CommandRunner.run(["action"] + arguments + ["--db", db], in: dir)
    }

    /// The participant ids inside a circle by the engine's brute-force scan (the oracle), outside-in.
    func oracle(_ centre: LonLat, radius: Double) throws -> [Int64] {
        let engine = try Engine.open(registryAt: db)
        return try engine.selectByBruteForce(
            SelectionRequest(area: .circle(center: centre, radiusMeters: radius))
        ).participants.map(\.id)
    }

    /// Whether `text` shows any participant's phone number or e-mail address.
    static func leaksContactDetails(_ text: String) -> Bool {
        text.contains("+316") || text.contains("@example.org")
    }
}
