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

/// A `fanout` binary copied away from the build, with its resource bundles, finds its data files
/// in the bundles it was copied with: not in the source tree, whatever the current directory.
@Suite struct BundledDataTests {
    /// A copy of the built `fanout` and its resource bundles (but the data bundle when
    /// `withData` is false) in a fresh directory.
    static func copiedBinary(withData: Bool = true) throws -> URL {
        let exe = try CommandRunner.executable().resolvingSymlinksInPath()
        let built = exe.deletingLastPathComponent()
        let bin = try Fixtures.temporaryDirectory("copied-fanout")
        try FileManager.default.copyItem(at: exe, to: bin.appendingPathComponent("fanout"))
        let bundles = try FileManager.default.contentsOfDirectory(atPath: built.path).filter {
            $0.hasPrefix("fanout_") && ($0.hasSuffix(".resources") || $0.hasSuffix(".bundle"))
        }
        #expect(bundles.contains { $0.hasPrefix("fanout_FanoutData.") }, "\(bundles)")
        for b in bundles where withData || !b.hasPrefix("fanout_FanoutData.") {
            try FileManager.default.copyItem(at: built.appendingPathComponent(b), to: bin.appendingPathComponent(b))
        }
        return bin.appendingPathComponent("fanout")
    }

    /// Runs the copied binary without `FANOUT_DATA_DIR`, in `directory`.
    func run(_ fanout: URL, _ arguments: [String], in directory: URL) async throws -> CommandResult {
        try await CommandRunner.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"), ["-u", "FANOUT_DATA_DIR", fanout.path] + arguments,
            in: directory)
    }

    @Test func aCopiedBinaryReadsTheDataFilesOfItsOwnBundle() async throws {
        let fanout = try Self.copiedBinary()
        let bin = fanout.deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let elsewhere = try Fixtures.temporaryDirectory("elsewhere")
        defer { try? FileManager.default.removeItem(at: elsewhere) }

        let r = try await run(fanout, ["version", "--json"], in: elsewhere)
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let bundle = try #require(
            try FileManager.default.contentsOfDirectory(atPath: bin).first { $0.hasPrefix("fanout_FanoutData.") })
        #expect(
            object["rd_transformation"] as? String
                == "RDNAPTRANS2018 with the correction grid \(bin)/\(bundle)/rdtrans2018.gsb")
        let files = try #require(object["data_files"] as? [[String: Any]])
        #expect(files.count == 5)
        for file in files {
            let path = try #require(file["path"] as? String)
            #expect(path.hasPrefix(bin + "/fanout_"), "\(path)")
            #expect(file["sha256"] as? String != nil, "\(file)")
        }

        // A command that needs the grid, the borders and the municipalities works from there too.
        let area = URL(fileURLWithPath: "\(bin)/\(bundle)/areas/rotterdam-40km2.geojson")
        let check = try await run(fanout, ["area", "check", area.path], in: elsewhere)
        #expect([0, 1].contains(check.status), "\(check.stderr)")
        #expect(check.stdout.contains("Rotterdam (GM0599)"), "\(check.stdout)")
    }

    @Test func aBinaryCopiedWithoutItsDataBundleSaysWhereTheBundleShouldBe() async throws {
        // Not the build directory's bundle (SwiftPM's fallback), not a crash: an error naming the
        // missing bundle next to the executable.
        let fanout = try Self.copiedBinary(withData: false)
        let bin = fanout.deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: bin) }
        let area = Fixtures.packageRoot.appendingPathComponent("data/areas/rotterdam-40km2.geojson")
        let r = try await run(fanout, ["area", "check", area.path], in: URL(fileURLWithPath: "/"))
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "error: the RDNAPTRANS2018 correction grid rdtrans2018.gsb is not in the data directory "
                    + "\(bin)/fanout_FanoutData.resources (the package's resource bundle, FANOUT_DATA_DIR not set)"),
            "\(r.stderr)")
        let version = try await run(fanout, ["version"], in: URL(fileURLWithPath: "/"))
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout.contains("\(bin)/fanout_FanoutData.resources/rdtrans2018.gsb\n    sha256 missing"))
    }

    @Test func aMissingRequiredGridStopsACommandWithStatus3NamingFileAndDirectory() async throws {
        let empty = try Fixtures.temporaryDirectory("nodata")
        defer { try? FileManager.default.removeItem(at: empty) }
        let area = Fixtures.packageRoot.appendingPathComponent("data/areas/rotterdam-40km2.geojson")
        let r = try await CommandRunner.run(["area", "check", area.path], environment: ["FANOUT_DATA_DIR": empty.path])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "error: the RDNAPTRANS2018 correction grid rdtrans2018.gsb is not in the data directory \(empty.path) "
                    + "(FANOUT_DATA_DIR=\(empty.path))"), "\(r.stderr)")
    }
}
