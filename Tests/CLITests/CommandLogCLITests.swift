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
    }
}
