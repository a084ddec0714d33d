import FanOut
import Foundation
import TestSupport
import Testing

/// `fanout action start/stop/end` record themselves in the ledger's command log with the OS user
/// as the operator, no role and no request id.
@Suite struct CommandLogCLITests {
    @Test func cliCommandsAreRecordedWithTheOSUser() async throws {
        let fx = try ActionFixture(count: 200, label: "cli-command-log")
        let user = try await ExternalTool.run("id", ["-un"])
        #expect(user.status == 0)
        let name = user.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let centre = ["--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)"]
        var windows: [(Date, Date)] = []
        func timed(_ arguments: [String]) async throws {
            let before = Date()
            let r = try await fx.action(arguments)
            windows.append((before, Date()))
            #expect(r.status == 0, "\(arguments.first ?? ""): \(r.stderr)")
        }
        try await timed(
            ["start"] + centre + ["--radius", "300", "--incident-type", "burglary", "--message", "Look out", "--channels", "sms"])
        try await timed(["stop", "1"])
        try await timed(["end", "1", "--result", "Found"])
        let refused = try await fx.action(["stop", "1"])  // ended: refused, not recorded
        #expect(refused.status != 0)
        let records = try Ledger.open(at: fx.db, readOnly: true).commandLog(CommandLogQuery()).records
        #expect(records.map(\.command) == [.start, .stop, .end])
        #expect(records.allSatisfy { $0.action == ActionID(rawValue: 1) && $0.participant == nil })
        #expect(records.allSatisfy { $0.origin.operatorName == (name.isEmpty ? "cli" : name) }, "\(records)")
        #expect(records.allSatisfy { $0.origin.role == nil && $0.origin.requestID == nil && $0.dispatcherTime != nil })
        for (r, (before, after)) in zip(records, windows) {
            let floor = Date(timeIntervalSince1970: (before.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            #expect(floor <= r.origin.wallTime && r.origin.wallTime <= after, "\(r.command)")
        }
        // `status ID` shows them, in text and in its JSON (valid against its schema).
        let operatorName = records.first?.origin.operatorName ?? "?"
        let text = try await fx.action(["status", "1"])
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n").map(String.init)
        let listed = lines.drop { $0 != "commands:" }.dropFirst()
        #expect(listed.count == 3, "\(text.stdout)")
        for (line, r) in zip(listed, records) {
            #expect(line.hasPrefix("  \(r.command.rawValue) at T+"), "\(line)")
            #expect(line.hasSuffix(", by \(operatorName)"), "\(line)")
        }
        let json = try await fx.action(["status", "1", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "action-status", json: json.stdout) == [])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let commands = try #require(object["commands"] as? [[String: Any]])
        #expect(commands.map { $0["command"] as? String } == ["start", "stop", "end"])
        #expect(commands.map { $0["operator"] as? String } == Array(repeating: operatorName, count: 3))
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(commands.compactMap { ($0["wall_time"] as? String).flatMap(f.date(from:)) } == records.map(\.origin.wallTime))
    }
}
