import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The map page in a real browser: headless Chromium driven by Python's selenium
/// (`Browser/map_page.py`) against the live service on loopback.
///
/// Needs Debian's chromium and chromium-driver and Python's selenium, which tools/test.sh
/// installs; without them the test fails (it never skips). `FANOUT_MAP_PNG=path` also copies the
/// screenshot there (how docs/map-page.png was made).
@Suite(.serialized) struct MapPageBrowserTests {
    @Test func aDispatcherDrawsCountsStartsAndWatchesAnActionInChromium() async throws {
        let fixture = try ServeFixture(label: "map-browser")
        let shots = try Fixtures.temporaryDirectory("map-browser-shots")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/map_page.py")
        // The fixture's layout gives the counts (ServeFixture): participant k lies k·100 m north
        // of its centre, so a circle of 1,050 m holds k = 1…10, and a polygon from 250 m south to
        // 1,550 m north of Amsterdam's centre, 500 m wide, holds k = 1…15 there.
        let radius = 1_050.0
        let inCircle = (1...30).filter { Double($0) * 100 < radius }.count
        let inPolygon = (1...20).filter { Double($0) * 100 < 1_550 }.count
        let c = ServeFixture.centre
        let a = ServeFixture.amsterdam
        var arguments = [
            script.path, "--token", ServeFixture.tokens["dispatcher"]!,
            "--circle", "\(c.lon),\(c.lat),\(radius),\(inCircle)",
            "--polygon", "\(a.lon),\(a.lat),-250,1550,250,\(inPolygon)",
            "--screenshot-dir", shots.path,
        ]
        if let png = ProcessInfo.processInfo.environment["FANOUT_MAP_PNG"] { arguments += ["--docs-png", png] }
        let command = arguments
        let (status, output) = try await fixture.withServer { client in
            let port = try #require(client.port)
            return try await Self.run("/usr/bin/env", ["python3"] + command + ["--url", "http://127.0.0.1:\(port)"], log: shots)
        }
        #expect(status == 0, "map_page.py failed (exit \(status)):\n\(output)")
        #expect(output.contains("all checks passed"), "\(output)")
        print(output)
    }

    /// Runs a program to its end (at most 5 minutes) without holding a cooperative thread; its
    /// output (stdout and stderr) goes to a file in `log` and is returned.
    static func run(_ program: String, _ arguments: [String], log: URL) async throws -> (Int32, String) {
        let file = log.appendingPathComponent("map_page.log")
        FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = handle
        process.standardError = handle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + 300) { if process.isRunning { kill(pid, SIGTERM) } }
        }
        return (status, (try? String(contentsOf: file, encoding: .utf8)) ?? "")
    }
}
