import FanoutEngine
import Foundation
import Participants
import TestSupport
import Testing

/// The README's library program, as a control-room developer would use it: its first Swift code
/// block is compiled as written in a new package that depends on fanout (by path) and imports
/// `FanoutEngine` only, then run on a registry of hand-placed participants, some opted out. A
/// second program in that package selects from 8 concurrent tasks. Both are checked against
/// distances computed here (on the ellipsoid), not by the library.
@Suite(.serialized) struct ReadmeProgramTests {
    /// Participants on a grid around Utrecht centre; every 7th opted out of `missing-child`, every
    /// 11th opted out of everything, all reachable by SMS only.
    static let grid: [(id: Int64, lon: Double, lat: Double, optedOut: Bool)] = {
        var rows: [(Int64, Double, Double, Bool)] = []
        var id: Int64 = 0
        for i in 0..<46 {
            for j in 0..<21 {
                id += 1
                rows.append((id, 5.0805 + 0.002 * Double(i), 52.0755 + 0.0015 * Double(j), id % 7 == 0 || id % 11 == 0))
            }
        }
        return rows
    }()

    static func csv() -> String {
        var text = "id,lon,lat,phone,channels,opt_out\n"
        for p in grid {
            let optOut = p.id % 11 == 0 ? "all" : (p.id % 7 == 0 ? "missing-child" : "")
            text += "\(p.id),\(p.lon),\(p.lat),+3161\(String(format: "%07d", p.id)),sms,\(optOut)\n"
        }
        return text
    }

    /// Distance in metres on the WGS84 ellipsoid: Vincenty's formula (`GeodesicTests`), independent
    /// of PROJ and the engine (whose RD New distances differ by at most 1e-4, 0.15 m at 1.5 km).
    static func distance(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        vincentyDistance(LonLat(lon: lon1, lat: lat1), LonLat(lon: lon2, lat: lat2))
    }

    /// The README's first ```swift block.
    static func readmeProgram() throws -> String {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let start = try #require(readme.range(of: "```swift\n"))
        let end = try #require(readme.range(of: "\n```", range: start.upperBound..<readme.endIndex))
        return String(readme[start.upperBound..<end.lowerBound]) + "\n"
    }

    /// A new package beside a registry: `Program` is the README's block, `Concurrent` the fixture.
    static func makePackage() throws -> URL {
        let dir = try Fixtures.temporaryDirectory("readme-package")
        let manifest = """
            // swift-tools-version:6.1
            import PackageDescription

            let engine: Target.Dependency = .product(name: "FanoutEngine", package: "fanout")
            let package = Package(
                name: "control-room",
                platforms: [.macOS(.v14)],
                dependencies: [.package(name: "fanout", path: "\(Fixtures.packageRoot.path)")],
                targets: [
                    .executableTarget(name: "Program", dependencies: [engine], swiftSettings: [.swiftLanguageMode(.v6)]),
                    .executableTarget(name: "Concurrent", dependencies: [engine], swiftSettings: [.swiftLanguageMode(.v6)]),
                ]
            )

            """
        try Fixtures.write(manifest, named: "Package.swift", in: dir)
        for (target, source) in [
            ("Program", try readmeProgram()),
            ("Concurrent", try String(contentsOf: Fixtures.url("FanoutEngineTests/Fixtures/readme-package/Concurrent.swift"), encoding: .utf8)),
        ] {
            let folder = dir.appendingPathComponent("Sources/\(target)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Fixtures.write(source, named: "main.swift", in: folder)
        }
        let registry = try Registry.open(at: dir.appendingPathComponent("participants.sqlite").path)
        let csv = try Fixtures.write(csv(), named: "participants.csv", in: dir)
        let report = try registry.importCSV(URL(fileURLWithPath: csv), options: ImportOptions())
        #expect(report.inserted == grid.count)
        return dir
    }

    @Test func theReadmeProgramBuildsInANewPackageAndAlertsEveryoneInsideWhoDidNotOptOut() async throws {
        let dir = try Self.makePackage()
        let swift = try #require(ExternalTool.find("swift"), "swift is not on the PATH")
        let build = try await onOwnThread {
            try CommandRunner.runBlocking(executable: swift, ["build", "--package-path", dir.path], in: dir)
        }
        #expect(build.status == 0, "swift build of the README program failed:\n\(build.stdout.suffix(4_000))\(build.stderr.suffix(4_000))")
        guard build.status == 0 else { return }
        let bin = dir.appendingPathComponent(".build/debug")

        // The README program: a 1.5 km circle around (5.1214, 52.0907).
        let run = try await onOwnThread {
            try CommandRunner.runBlocking(executable: bin.appendingPathComponent("Program"), [], in: dir)
        }
        #expect(run.status == 0, "\(run.stderr)")
        let inside = Self.grid.filter { Self.distance($0.lon, $0.lat, 5.1214, 52.0907) < 1_500 }
        #expect(!Self.grid.contains { abs(Self.distance($0.lon, $0.lat, 5.1214, 52.0907) - 1_500) < 1 })
        let alerted = inside.filter { !$0.optedOut }.count
        #expect(inside.count > 100 && alerted < inside.count)
        // Everyone inside who did not opt out is included and reached; the others are skipped.
        #expect(
            run.stdout.contains("action 1: \(alerted) of \(alerted) reached, \(inside.count - alerted) skipped"),
            "expected \(alerted) of \(alerted) reached, \(inside.count - alerted) skipped; the program said: \(run.stdout)")

        // Eight concurrent selections of 800 m circles.
        let concurrent = try await onOwnThread {
            try CommandRunner.runBlocking(
                executable: bin.appendingPathComponent("Concurrent"), ["participants.sqlite"], in: dir)
        }
        #expect(concurrent.status == 0, "\(concurrent.stderr)")
        let lines = concurrent.stdout.split(separator: "\n")
        #expect(lines.count == 8)
        for (k, line) in lines.enumerated() {
            let lon = 5.1000 + 0.006 * Double(k)
            let ids = Set(line.split(separator: " ").last.map { $0.split(separator: ",").compactMap { Int64($0) } } ?? [])
            let surelyIn = Self.grid.filter { Self.distance($0.lon, $0.lat, lon, 52.0907) < 798 }.map(\.id)
            let surelyOut = Self.grid.filter { Self.distance($0.lon, $0.lat, lon, 52.0907) > 802 }.map(\.id)
            #expect(line.hasPrefix("circle \(k): "))
            #expect(surelyIn.allSatisfy(ids.contains), "circle \(k) misses participants inside")
            #expect(!surelyOut.contains(where: ids.contains), "circle \(k) holds participants outside")
            #expect(ids.count >= surelyIn.count && !surelyIn.isEmpty)
        }
    }
}
