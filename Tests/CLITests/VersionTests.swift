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
import ToolInfo

/// `fanout --version` and `fanout version --json` against git, the libraries' own tools and
/// `sha256sum`, through the real binary.
@Suite struct VersionTests {
    func run(_ tool: String, _ arguments: [String]) async throws -> String? {
        guard ExternalTool.has(tool) else { return nil }
        let r = try await ExternalTool.run(tool, arguments)
        return r.status == 0 ? r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    @Test func versionTextNamesTheCommitLibrariesAndDataFiles() async throws {
        let r = try await CommandRunner.run(["--version"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "fanout \(ToolIdentity.currentVersion)")
        let root = Fixtures.packageRoot.path
        // The commit the binary was built from: this checkout's HEAD (the test runs on the build).
        if FileManager.default.fileExists(atPath: root + "/.git"),
            let head = try await run("git", ["-C", root, "rev-parse", "HEAD"])
        {
            let status = try await run("git", ["-C", root, "status", "--porcelain", "--untracked-files=no"]) ?? ""
            #expect(lines.contains("commit \(head)" + (status.isEmpty ? "" : " (modified)")), "\(r.stdout)")
        }
        if let geos = try await run("geos-config", ["--version"]) { #expect(lines.contains("GEOS \(geos)")) }
        if let proj = try await run("pkg-config", ["--modversion", "proj"]) { #expect(lines.contains("PROJ \(proj)")) }
        if let sqlite = try await run("sqlite3", ["--version"]) {
            #expect(lines.contains("SQLite \(sqlite.split(separator: " ").first ?? "")"), "\(sqlite)")
        }
        // `version` prints the same text.
        let same = try await CommandRunner.run(["version"])
        #expect(same.status == 0 && same.stdout == r.stdout)
    }

    @Test func versionJSONChecksumsAreThoseOfTheFilesInUse() async throws {
        let bundle = DataDirectory.bundled.resolved().url.path
        let r = try await CommandRunner.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            [
                "-u", "FANOUT_DATA_DIR", try CommandRunner.executable().path, "version", "--json",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "version", json: r.stdout) == [], "\(r.stdout)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["version"] as? String == ToolIdentity.currentVersion)
        let commit = try #require(object["commit"] as? String)
        #expect(commit == "unknown" || (commit.count == 40 && commit.allSatisfy(\.isHexDigit)), "\(commit)")
        let files = try #require(object["data_files"] as? [[String: Any]])
        #expect(
            files.compactMap { $0["role"] as? String } == [
                "rd-grid", "borders", "municipalities", "places", "travel-radius",
            ])
        let data = Fixtures.packageRoot.appendingPathComponent("data").path
        // Without FANOUT_DATA_DIR the files bundled with the binary, copies of the package's data/.
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).resolvingSymlinksInPath().path }
        let how = " (the package's resource bundle, FANOUT_DATA_DIR not set)"
        let directory = try #require(object["data_directory"] as? String)
        #expect(directory.hasSuffix(how) && resolved(String(directory.dropLast(how.count))) == resolved(bundle))
        let grid = "RDNAPTRANS2018 with the correction grid "
        let transformation = try #require(object["rd_transformation"] as? String)
        #expect(transformation.hasPrefix(grid), "\(transformation)")
        #expect(resolved(String(transformation.dropFirst(grid.count))) == resolved(bundle + "/rdtrans2018.gsb"))
        for file in files {
            let path = try #require(file["path"] as? String)
            let role = file["role"] as? String
            if role != "places" { #expect(resolved(path).hasPrefix(resolved(bundle) + "/"), "\(path)") }
            guard ExternalTool.has("sha256sum") else { continue }
            let sum = try await ExternalTool.run("sha256sum", [path])
            #expect(file["sha256"] as? String == String(sum.stdout.prefix(64)), "\(path)")
            let original = try await ExternalTool.run(
                "sha256sum", [data + "/" + URL(fileURLWithPath: path).lastPathComponent])
            #expect(file["sha256"] as? String == String(original.stdout.prefix(64)), "\(path)")
        }
        // The bundled place table is a copy of data/places.csv.
        let places = try #require(files.first { $0["role"] as? String == "places" })
        let original = try await ExternalTool.run("sha256sum", [data + "/places.csv"])
        #expect(places["sha256"] as? String == String(original.stdout.prefix(64)))
    }

    @Test func aMissingDataDirectoryIsReportedNotFatal() async throws {
        let empty = try Fixtures.temporaryDirectory("nodata")
        let exe = try CommandRunner.executable()
        let r = try await ExternalTool.run(
            "/usr/bin/env", ["FANOUT_DATA_DIR=\(empty.path)", exe.path, "--version"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("data files (\(empty.path) (FANOUT_DATA_DIR=\(empty.path))):"), "\(r.stdout)")
        #expect(
            r.stdout.contains(
                "RD New: none, commands stop with: the RDNAPTRANS2018 correction grid rdtrans2018.gsb is not in "
                    + "the data directory \(empty.path) (FANOUT_DATA_DIR=\(empty.path));"), "\(r.stdout)")
        #expect(r.stdout.contains("\(empty.path)/rdtrans2018.gsb\n    sha256 missing"), "\(r.stdout)")
    }
}
