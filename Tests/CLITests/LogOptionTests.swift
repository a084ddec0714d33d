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

/// `--log-level`, `--log-format` and their environment variables, on the real binary.
@Suite struct LogOptionTests {
    /// Every command that runs (the groups `area` and `action` only print their help).
    static let commands: [[String]] = [
        ["demo"], ["import"], ["generate"], ["select"], ["loadtest"], ["loadtest", "dispatch"],
        ["area", "check"], ["area", "fix"], ["area", "suggest"], ["area", "convert"], ["area", "map"],
        ["action", "start"], ["action", "enlarge"], ["action", "stop"], ["action", "end"], ["action", "run"],
        ["action", "status"], ["action", "explain"], ["action", "publish"], ["action", "feed"], ["serve"], ["version"],
    ]

    @Test func everyCommandHasTheLogOptions() async throws {
        // The list above is every subcommand the groups' help lists.
        for group in [[], ["area"], ["action"], ["loadtest"]] {
            let help = try await CommandRunner.run(group + ["--help"])
            let listed = Self.subcommands(in: help.stdout).map { group + [$0] }
            #expect(listed.count >= (group.isEmpty ? 7 : 1), "\(group): \(help.stdout)")
            for command in listed where command != ["help"] && !(group.isEmpty && ["area", "action"].contains(command[0])) {
                #expect(Self.commands.contains(command), "\(command) is not in the list")
            }
        }
        for command in Self.commands {
            let help = try await CommandRunner.run(command + ["--help"])
            #expect(help.stdout.contains("--log-level <level>"), "\(command)")
            #expect(help.stdout.contains("--log-format <format>"), "\(command)")
            #expect(help.stdout.contains("FANOUT_LOG_LEVEL"), "\(command)")
        }
    }

    @Test func aBadValueIsAUsageErrorNamingTheOptionOrVariable() async throws {
        let fx = try CLIFixture.shared.get()
        let status = ["action", "status", "--db", fx.db]
        let option = try await CommandRunner.run(status + ["--log-level", "loud"])
        #expect(option.status == 64)
        #expect(option.stderr.contains("'loud' is invalid for '--log-level <level>'") && option.stderr.contains("notice"))
        let format = try await CommandRunner.run(status + ["--log-format", "xml"])
        #expect(format.status == 64 && format.stderr.contains("--log-format"), "\(format.stderr)")
        let variable = try await CommandRunner.run(status, environment: ["FANOUT_LOG_LEVEL": "verbose"])
        #expect(variable.status == 64)
        #expect(
            variable.stderr.contains(
                "environment variable FANOUT_LOG_LEVEL: 'verbose' is not one of trace, debug, info, notice, warning, error, critical"),
            "\(variable.stderr)")
        let formatVariable = try await CommandRunner.run(status, environment: ["FANOUT_LOG_FORMAT": "XML"])
        #expect(formatVariable.status == 64)
        #expect(formatVariable.stderr.contains("FANOUT_LOG_FORMAT: 'XML' is not one of text, json"))
        // A good variable and no option: accepted.
        let fine = try await CommandRunner.run(status, environment: ["FANOUT_LOG_LEVEL": "debug"])
        #expect(fine.status == 0, "\(fine.stderr)")
    }

    /// A small month of the dispatcher load test on the shared 20,000-participant registry.
    static func loadTest(_ extra: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        let fx = try CLIFixture.shared.get()
        let r = try await CommandRunner.run(
            ["loadtest", "--db", fx.db, "dispatch", "--scenario", "month", "--urgent", "30", "--mails", "30"] + extra,
            in: fx.dir, environment: environment)
        #expect(r.status == 0, "\(r.stderr)")
        return r
    }

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func theDefaultLevelIsQuietDebugSaysMoreAndTheOptionWinsOverTheVariable() async throws {
        let plain = try await Self.loadTest([])
        let debug = try await Self.loadTest(["--log-level", "debug"])
        let byVariable = try await Self.loadTest([], environment: ["FANOUT_LOG_LEVEL": "debug"])
        let optionWins = try await Self.loadTest(["--log-level", "info"], environment: ["FANOUT_LOG_LEVEL": "debug"])
        let quiet = try await Self.loadTest(["--log-level", "error"], environment: ["FANOUT_LOG_LEVEL": "debug"])
        let started = { (r: CommandResult) in Self.lines(r.stderr).filter { $0.contains(" action started ") }.count }
        // 60 actions planned; those whose area selects nobody are not started.
        #expect(started(plain) == 0)
        #expect(started(debug) > 20 && started(debug) <= 60, "\(debug.stderr)")
        #expect(started(byVariable) == started(debug))
        #expect(started(optionWins) == 0)
        #expect(Self.lines(plain.stderr).count <= 10, "\(plain.stderr)")
        #expect(Self.lines(debug.stderr).count > Self.lines(plain.stderr).count)
        #expect(quiet.stderr.isEmpty, "\(quiet.stderr)")
        // Text lines: TIME LEVEL LABEL: message, with the dispatcher time first among the pairs.
        for line in Self.lines(debug.stderr) {
            let parts = line.split(separator: " ", maxSplits: 3).map(String.init)
            #expect(parts.count == 4 && parts[0].hasSuffix("Z") && parts[0].count == 24, "\(line)")
            #expect(["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(parts[1]))
            #expect(parts[2] == "fanout.dispatcher:", "\(line)")
            #expect(line.contains(" t=T+"), "\(line)")
        }
    }

    @Test func jsonLinesAreObjectsWithTheDocumentedKeys() async throws {
        let json = try await Self.loadTest(["--log-level", "trace", "--log-format", "json"])
        let lines = Self.lines(json.stderr)
        #expect(lines.count > 20)
        for line in lines {
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not an object: \(line)")
            #expect(Set(object.keys) == ["time", "level", "label", "message", "metadata"], "\(line)")
            let metadata = try #require(object["metadata"] as? [String: Any])
            #expect((metadata["t"] as? String)?.hasPrefix("T+") == true, "\(line)")
            #expect(object["label"] as? String == "fanout.dispatcher")
        }
        #expect(lines.contains { $0.contains("\"message\":\"action started\"") })
    }

    @Test func noLogLineHoldsAPhoneNumberOrAnEmailAddress() async throws {
        // Everything the dispatcher logs, on a registry where every participant has both.
        let trace = try await Self.loadTest(["--log-level", "trace"])
        let fx = try CLIFixture.shared.get()
        let csv = try String(contentsOf: fx.dir.appendingPathComponent("p.csv"), encoding: .utf8)
        var contacts = Set<Substring>()
        for row in csv.split(separator: "\n").dropFirst() {
            let f = row.split(separator: ",", omittingEmptySubsequences: false)
            if f.count > 5 { contacts.formUnion([f[4], f[5]].filter { !$0.isEmpty }) }
        }
        #expect(contacts.count > 10_000)
        let lines = Self.lines(trace.stderr)
        #expect(lines.count > 20)
        for line in lines {
            #expect(!line.contains("@"), "\(line)")
            for word in line.split(whereSeparator: { " =,\"".contains($0) }) where contacts.contains(word) {
                Issue.record("contact detail in a log line: \(line)")
            }
        }
    }

    /// The subcommand names of a group's `--help`.
    static func subcommands(in help: String) -> [String] {
        guard let range = help.range(of: "SUBCOMMANDS:") else { return [] }
        return help[range.upperBound...].split(separator: "\n").compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") || line.dropFirst(2).first != " " else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }.filter { !$0.isEmpty && $0.first?.isLetter == true && $0 == $0.lowercased() }
    }
}
