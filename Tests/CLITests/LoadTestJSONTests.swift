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

/// `fanout loadtest --json` and `fanout loadtest dispatch --json` on the CLI fixture's registry,
/// validated against their schemas; the percentile function checked by hand.
@Suite(.serialized) struct LoadTestJSONTests {
    @Test func nearestRankPercentilesOfAKnownList() {
        // 20 durations, shuffled: sorted they are 1…20 ms.
        let ms: [Double] = [7, 3, 20, 1, 15, 9, 12, 2, 18, 5, 11, 4, 16, 8, 19, 6, 13, 10, 17, 14]
        let s = ms.map { $0 / 1000 }
        // Rank ⌈p/100 × 20⌉: p50 → 10th, p95 → 19th, p99 → 20th, p0 → 1st, p100 → 20th.
        #expect(LoadTest.percentile(50, of: s) == 0.010)
        #expect(LoadTest.percentile(95, of: s) == 0.019)
        #expect(LoadTest.percentile(99, of: s) == 0.020)
        #expect(LoadTest.percentile(0, of: s) == 0.001)
        #expect(LoadTest.percentile(100, of: s) == 0.020)
        // Three runs (a peer's minimum): p50 the middle one, p95 and p99 the slowest.
        let three = [0.3, 0.1, 0.2]
        #expect(LoadTest.percentile(50, of: three) == 0.2)
        #expect(LoadTest.percentile(95, of: three) == 0.3 && LoadTest.percentile(99, of: three) == 0.3)
        // 200 values 1…200: p95 is the 190th, p99 the 198th (not the maximum).
        let many = (1...200).reversed().map(Double.init)
        #expect(LoadTest.percentile(95, of: many) == 190 && LoadTest.percentile(99, of: many) == 198)
        #expect(LoadTest.percentile(50, of: []) == nil && LoadTest.percentile(101, of: s) == nil)
        let t = LoadTest.Timing([0.4, 0.1, 0.3, 0.2])
        #expect(t.median == 0.25 && t.p50 == 0.2 && t.p95 == 0.4 && t.p99 == 0.4)
    }

    @Test func selectionLoadTestReportsEveryRepetitionAndItsPercentiles() async throws {
        let fx = try CLIFixture.shared.get()
        let r = try await CommandRunner.run([
            "loadtest", "--db", fx.db, "--repetitions", "5", "--peers", "engine,brute-force", "--query", "Dam 5 km",
            "--concurrency-seconds", "0", "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "loadtest", json: r.stdout) == [], "\(r.stdout)")
        let o = try jsonObject(r.stdout)
        #expect(o["kind"] as? String == "loadtest" && o["repetitions"] as? Int == 5)
        let stored = try await sqlite(fx.db, "SELECT count(*) FROM participant")
        #expect(o["participants"] as? Int == Int(stored.first ?? ""))
        let query = try #require((o["queries"] as? [[String: Any]])?.first)
        let engine = try Engine.open(registryAt: fx.db)
        let dam = try #require(ReferenceQuery.all.first { $0.name.contains("Dam 5 km") })
        let expected = try engine.selectByBruteForce(try dam.request(on: engine)).participants.count
        #expect(query["selected"] as? Int == expected && expected > 0)
        let peers = try #require(query["peers"] as? [String: [String: Any]])
        #expect(Set(peers.keys) == ["engine", "brute-force"])
        // The engine runs --repetitions times, a peer a fifth of that but at least 3.
        for (peer, runs) in [("engine", 5), ("brute-force", 3)] {
            let timing = try #require(peers[peer])
            let seconds = try #require(timing["seconds"] as? [Double])
            #expect(seconds.count == runs && timing["runs"] as? Int == runs)
            // Nearest rank by hand over the reported list.
            let sorted = seconds.sorted()
            func rank(_ p: Double) -> Double { sorted[Int((p / 100 * Double(runs)).rounded(.up)) - 1] }
            #expect(timing["p50_seconds"] as? Double == rank(50))
            #expect(timing["p95_seconds"] as? Double == rank(95) && timing["p99_seconds"] as? Double == sorted.last)
            #expect(timing["min_seconds"] as? Double == sorted.first && timing["max_seconds"] as? Double == sorted.last)
        }
        #expect(o["sqlite_rtree"] is NSNull && (o["concurrency"] as? [Any])?.isEmpty == true)
        #expect(r.stderr.contains("running Dam 5 km") || r.stderr.contains("Dam 5 km"), "progress on stderr")
    }

    @Test func dispatchLoadTestReportsEachScenario() async throws {
        let fx = try CLIFixture.shared.get()
        let ledger = fx.dir.appendingPathComponent("loadtest-ledger-\(UUID().uuidString).sqlite").path
        let r = try await CommandRunner.run([
            "loadtest", "--db", fx.db, "dispatch", "--scenario", "month", "--urgent", "4", "--mails", "2",
            "--simulation", "ideal", "--ledger", ledger, "--json",
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "loadtest-dispatch", json: r.stdout) == [], "\(r.stdout)")
        let o = try jsonObject(r.stdout)
        let scenario = try #require((o["scenarios"] as? [[String: Any]])?.first)
        #expect(scenario["name"] as? String == "month" && scenario["ledger"] as? String == ledger)
        let actions = try #require(scenario["actions"] as? [[String: Any]])
        #expect(!actions.isEmpty)
        // The ledger written beside it holds the same actions and messages.
        #expect(try await sqlite(ledger, "SELECT count(*) FROM dispatch_action") == ["\(actions.count)"])
        let messages = try await sqlite(ledger, "SELECT count(*) FROM dispatch_message")
        #expect(scenario["messages"] as? Int == Int(messages.first ?? ""))
        let included = actions.reduce(0) { $0 + ($1["included"] as? Int ?? 0) }
        let alerts = try await sqlite(ledger, "SELECT count(*) FROM dispatch_message WHERE kind = 'alert'")
        #expect(included == Int(alerts.first ?? ""))
    }
}
