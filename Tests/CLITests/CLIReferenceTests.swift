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

/// docs/cli-reference.md is what `tools/cli-reference.py` makes of the real binary's command
/// definitions: regenerated here into a temporary file, it must equal the committed one.
@Suite(.enabled(if: ExternalTool.has("python3"), "needs python3"))
struct CLIReferenceTests {
    @Test func theCommittedReferenceIsTheGeneratedOne() async throws {
        let dir = try Fixtures.temporaryDirectory("cli-reference")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("cli-reference.md")
        let tool = Fixtures.packageRoot.appendingPathComponent("tools/cli-reference.py").path
        let made = try await ExternalTool.run(
            "python3", [tool, "--fanout", try CommandRunner.executable().path, "--out", out.path])
        #expect(made.status == 0, "\(made.stderr)")
        let generated = try String(contentsOf: out, encoding: .utf8)
        let committed = try String(
            contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/cli-reference.md"), encoding: .utf8)
        #expect(generated.contains("## `fanout action start`"))
        #expect(generated.contains("`--db <FILE>`"))
        let generatedLines = generated.split(separator: "\n", omittingEmptySubsequences: false)
        let committedLines = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDifference =
            (0..<min(generatedLines.count, committedLines.count)).first { generatedLines[$0] != committedLines[$0] }
            ?? min(generatedLines.count, committedLines.count)
        let upToDate = generated == committed
        #expect(
            upToDate,
            """
            docs/cli-reference.md is out of date (from line \(firstDifference + 1)): run \
            `swift build && python3 tools/cli-reference.py` and commit it
            """)
    }
}
