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

/// A CAP alert with several areas read like any file with several features (`--feature '#N'`,
/// `--feature AREADESC`, `--all-features`), and a CAP `<circle>` checked as an area.
@Suite("CAP areas as features")
struct CAPFeatureTests {
    static let ns = "urn:oasis:names:tc:emergency:cap:1.2"

    /// A CAP ring (lat,lon pairs) for a square of `side` degrees with its south-west corner at (lon, lat).
    static func square(_ lon: Double, _ lat: Double, _ side: Double) -> String {
        [(lon, lat), (lon + side, lat), (lon + side, lat + side), (lon, lat + side), (lon, lat)]
            .map { "\($0.1),\($0.0)" }.joined(separator: " ")
    }

    /// An alert with one `<info>` holding the given areas (`areaDesc`, inner XML).
    static func alert(_ areas: [(String, String)]) -> String {
        let body = areas.map { "<area><areaDesc>\($0.0)</areaDesc>\($0.1)</area>" }.joined()
        return "<alert xmlns=\"\(ns)\"><info>\(body)</info></alert>"
    }

    func write(_ text: String, _ name: String) throws -> String {
        let url = try Fixtures.temporaryDirectory("cap-features").appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func severalAreasAreChosenByPositionOrAreaDescOrAll() async throws {
        // Two disjoint squares near Utrecht, 0.02° and 0.01° on a side.
        let cap = try write(
            Self.alert([
                ("Oost", "<polygon>\(Self.square(5.10, 52.05, 0.02))</polygon>"),
                ("West", "<polygon>\(Self.square(5.00, 52.05, 0.01))</polygon>"),
            ]), "two.cap")
        let none = try await CommandRunner.run(["area", "check", cap])
        #expect(none.status != 0 && none.stderr.contains("the CAP alert holds 2 different areas"), "\(none.stderr)")
        #expect(none.stderr.contains("#2: info 1, area 2 'West': polygon (4 vertices)"), "\(none.stderr)")
        func km2(_ r: CommandResult) -> Double? {
            r.stdout.split(separator: "\n").first { $0.contains("area: ") }
                .flatMap { Double($0.split(separator: " ")[1]) }
        }
        let east = try await CommandRunner.run(["area", "check", cap, "--feature", "#1"])
        let eastByName = try await CommandRunner.run(["area", "check", cap, "--feature", "Oost"])
        let west = try await CommandRunner.run(["area", "check", cap, "--feature", "West"])
        let all = try await CommandRunner.run(["area", "check", cap, "--all-features"])
        #expect(east.status == 0 && eastByName.stdout == east.stdout, "\(east.stderr)\(eastByName.stderr)")
        let (e, w, a) = (try #require(km2(east)), try #require(km2(west)), try #require(km2(all)))
        // Side ratio 2: four times the area; the union of disjoint parts is their sum.
        #expect(abs(e / w - 4) < 0.01 && abs(a - (e + w)) < 0.001, "\(e) \(w) \(a)")
        #expect(all.stdout.contains("in 2 polygons"), "\(all.stdout)")
        let unknown = try await CommandRunner.run(["area", "check", cap, "--feature", "Noord"])
        #expect(unknown.status != 0 && unknown.stderr.contains("has no feature with areaDesc or '#N' Noord"))
    }

    @Test func aCircleIsCheckedAsAnArea() async throws {
        let cap = try write(Self.alert([("Centrum", "<circle>52.09,5.12 2.5</circle>")]), "circle.cap")
        let r = try await CommandRunner.run(["area", "check", cap])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        // A 72-gon inscribed in a circle of 2.5 km: π r² × (72 / 2π) sin(2π / 72) = 19.61 km²
        // (RD New's scale near Utrecht differs from 1 by less than 1e-4).
        let expected = 2.5 * 2.5 * 36 * sin(2 * Double.pi / 72)
        let line = try #require(r.stdout.split(separator: "\n").first { $0.contains("area: ") })
        let measured = try #require(Double(line.split(separator: " ")[1]))
        #expect(abs(measured - expected) < 0.01, "\(line) vs \(expected)")
        #expect(r.stdout.contains("Utrecht (GM0344)"), "\(r.stdout)")
    }
}
