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

/// `fanout action … --json`: every document validated against its schema in docs/schemas with
/// Python's jsonschema, and its figures checked against the brute-force selection and the
/// ledger read with SQLite's own shell.
@Suite(.serialized) struct ActionJSONTests {
    static let shared: Result<ActionFixture, any Error> = Result { try ActionFixture(count: 2500, label: "action-json") }

    /// Runs `fanout action ARGS --db DB --json`, checks exit `status` and the schema of `kind`.
    func document(_ fx: ActionFixture, _ kind: String, _ arguments: [String], status: Int32 = 0) async throws
        -> [String: Any]
    {
        let r = try await fx.action(arguments + ["--json"])
        #expect(r.status == status, "\(arguments): \(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: kind, json: r.stdout) == [], "\(r.stdout)")
        #expect(!ActionFixture.leaksContactDetails(r.stdout))
        let o = try jsonObject(r.stdout)
        #expect(o["kind"] as? String == kind && o["schema_version"] as? Int == 1)
        return o
    }

    /// `{state: count}` of one action's messages of `kind`, read with sqlite3.
    func ledgerCounts(_ fx: ActionFixture, action: Int, kind: String) async throws -> [String: Int] {
        let rows = try await sqlite(
            fx.db,
            "SELECT state, count(*) FROM dispatch_message WHERE action_id = \(action) AND kind = '\(kind)' GROUP BY state")
        var counts: [String: Int] = [:]
        for row in rows {
            let f = row.split(separator: "|")
            if f.count == 2, let n = Int(f[1]) { counts[String(f[0])] = n }
        }
        return counts
    }

    /// A count object with every state, `nil` for missing ones dropped and zeros removed.
    func nonZero(_ object: Any?) -> [String: Int] {
        ((object as? [String: Any]) ?? [:]).compactMapValues { $0 as? Int }.filter { $0.value > 0 }
    }

    @Test func startEnlargeStatusExplainStopEndAndRunAgreeWithTheOracleAndTheLedger() async throws {
        let fx = try Self.shared.get()
        let inner = try fx.oracle(fx.centre, radius: 400)
        let outer = try fx.oracle(fx.centre, radius: 700)
        #expect(inner.count > 50 && outer.count > inner.count + 50)
        let centre = ["--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)"]
        let ideal = ["--simulation", "ideal"]

        // start: the plan and the status count the oracle's participants.
        let start = try await document(
            fx, "action-start",
            ["start"] + centre + ["--radius", "400", "--incident-type", "missing-child", "--message", "Look out"]
                + ideal)
        let plan = try #require(start["plan"] as? [String: Any])
        #expect(plan["recipients"] as? Int == inner.count)
        let voice = inner.filter { ($0 - 1) % 3 == 0 }.count
        #expect(plan["per_channel"] as? [String: Int] == ["voice": voice, "sms": inner.count - voice, "email": 0, "app": 0])
        #expect(plan["needs_confirmation"] as? Bool == false)
        let id = try #require(start["action"] as? Int)
        #expect(start["queued"] as? Int == inner.count && start["applied_by"] as? String == "this-process")
        #expect((start["status"] as? [String: Any])?["included"] as? Int == inner.count)
        #expect(start["run"] is NSNull)

        // enlarge: adds exactly those of the larger circle not yet included.
        let enlarge = try await document(
            fx, "action-enlarge", ["enlarge", "\(id)"] + centre + ["--radius", "700"] + ideal)
        #expect(enlarge["added"] as? Int == outer.count - inner.count)
        let eplan = try #require(enlarge["plan"] as? [String: Any])
        #expect(eplan["listed"] as? Int == outer.count && eplan["already_included"] as? Int == inner.count)
        #expect(eplan["warnings"] as? [Any] == nil || (eplan["warnings"] as? [Any])?.isEmpty == true)

        // run: processes until idle; then status matches the ledger row by row.
        let run = try await document(fx, "action-run", ["run"] + ideal)
        #expect(run["resumed"] as? [Int] == [id])
        let runStatus = try #require((run["actions"] as? [[String: Any]])?.first)
        #expect(runStatus["idle"] as? Bool == true && runStatus["included"] as? Int == outer.count)

        let status = try await document(fx, "action-status", ["status", "\(id)"])
        let summary = try #require((status["actions"] as? [[String: Any]])?.first)
        #expect(summary["id"] as? Int == id && summary["state"] as? String == "running")
        let alerts = try await ledgerCounts(fx, action: id, kind: "alert")
        #expect(nonZero(summary["alerts"]) == alerts)
        #expect(alerts.values.reduce(0, +) == outer.count)
        #expect(summary["reached"] as? Int == alerts["delivered"])
        let rings = try #require(summary["rings"] as? [[String: Any]])
        #expect(rings.reduce(0) { $0 + ($1["completed"] as? Int ?? 0) } == outer.count, "ideal: every alert completes")

        // explain: the start's outermost participant is first in the outside-in order, the
        // enlargement's outermost follows the start's.
        let first = try await document(fx, "action-explain", ["explain", "\(id)", "\(try #require(inner.first))"])
        #expect((first["ledger"] as? [String: Any])?["position"] as? Int == 1)
        let outermost = try #require(outer.first)
        let explain = try await document(fx, "action-explain", ["explain", "\(id)", "\(outermost)"])
        let ledger = try #require(explain["ledger"] as? [String: Any])
        #expect(ledger["position"] as? Int == inner.count + 1 && ledger["included"] as? Int == outer.count)
        let audit = try #require(explain["audit"] as? [String: Any])
        #expect((audit["areas"] as? [Any])?.count == 2 && audit["included"] as? Bool == true)

        // stop, then end with --run: end messages go to exactly those reached.
        let stop = try await document(fx, "action-stop", ["stop", "\(id)"] + ideal)
        #expect(stop["cancelled"] as? Int == 0, "everything was already done")
        let end = try await document(fx, "action-end", ["end", "\(id)", "--result", "Found", "--run"] + ideal)
        #expect(end["end_messages_queued"] as? Int == alerts["delivered"])
        #expect((end["run"] as? [String: Any])?["interrupted"] as? Bool == false)
        let ends = try await ledgerCounts(fx, action: id, kind: "end")
        #expect(nonZero((end["status"] as? [String: Any])?["end_messages"]) == ends)

        // status of every action lists this one, ended.
        let all = try await document(fx, "action-status", ["status"])
        let listed = try #require(all["actions"] as? [[String: Any]])
        #expect(listed.contains { $0["id"] as? Int == id && $0["state"] as? String == "ended" && $0["result"] as? String == "Found" })
        let actions = try await sqlite(fx.db, "SELECT count(*) FROM dispatch_action")
        #expect(listed.count == Int(actions.first ?? ""))
    }

    @Test func aStartRefusedByTheThresholdStillPrintsItsPlan() async throws {
        let fx = try Self.shared.get()
        let inside = try fx.oracle(fx.centre, radius: 400)
        let config = try fx.write("threshold.json", #"{"confirmationThresholds": {"burglary": 10}}"#)
        let before = try await sqlite(fx.db, "SELECT count(*) FROM dispatch_action")
        let refused = try await document(
            fx, "action-start",
            ["start", "--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)", "--radius", "400", "--incident-type",
             "burglary", "--message", "m", "--config", config], status: 2)
        let plan = try #require(refused["plan"] as? [String: Any])
        #expect(plan["recipients"] as? Int == inside.count && plan["threshold"] as? Int == 10)
        #expect(plan["needs_confirmation"] as? Bool == true)
        #expect(refused["action"] is NSNull && refused["status"] is NSNull)
        #expect(try await sqlite(fx.db, "SELECT count(*) FROM dispatch_action") == before, "nothing started")
    }
}
