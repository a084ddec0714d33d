import FanOut
import FanoutDesk
import FanoutEngine
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Participants
import TestSupport
import Testing

/// A selection's plan from the planning facts in memory is the plan the registry gives: the same
/// persons per channel and skipped, for participants with every mix of channel preference,
/// opt-out, missing contact data and shared persons; after a registration the registry is read
/// until the facts have caught up, and then memory again.
@Suite struct PlanCacheTests {
    /// 400 participants round the centre with seeded preferences (ids 1,001…1,400).
    static func records() throws -> [ParticipantRecord] {
        var random = SeededRandom(seed: 14)
        let orders = ["sms", "voice,sms", "email", "app,email", "email,sms,voice", ""]
        let optOuts = ["", "", "", "all", "missing-child", "burglary,missing-child"]
        return try (1...400).map { k in
            let lat = ServeFixture.north(of: ServeFixture.centre, meters: Double.random(in: -2_500...2_500, using: &random))
            let lon = ServeFixture.centre.lon + Double.random(in: -0.03...0.03, using: &random)
            var fields: [String: String] = [:]
            if Double.random(in: 0..<1, using: &random) < 0.7 { fields["phone"] = "+3162\(String(format: "%07d", k))" }
            if Double.random(in: 0..<1, using: &random) < 0.5 { fields["email"] = "p\(k)@example.org" }
            fields["channels"] = orders[Int.random(in: 0..<6, using: &random)]
            fields["opt_out"] = optOuts[Int.random(in: 0..<6, using: &random)]
            if k > 300 { fields["person"] = String(1_000 + k - 100) }  // a second address of persons 1,201…1,300
            return try ParticipantRecord(id: Int64(1_000 + k), position: SourcePoint(x: lon, y: lat, crs: .wgs84), fields: fields)
        }
    }

    static func planSources(_ metrics: String) -> (memory: Int, registry: Int) {
        func value(_ source: String) -> Int {
            metrics.split(separator: "\n").first { $0.hasPrefix("fanout_selection_plans_total{source=\"\(source)\"}") }
                .flatMap { $0.split(separator: " ").last }.flatMap { Int(Double($0) ?? -1) } ?? 0
        }
        return (value("memory"), value("registry"))
    }

    @Test func thePlanFromMemoryIsThePlanFromTheRegistry() async throws {
        let fixture = try ServeFixture(label: "plan-cache")
        let registry = try Registry.open(at: fixture.database)
        _ = try registry.upsert(try Self.records())
        // The oracle: the library's own plan, reading the registry, before the service runs.
        let cases = [300.0, 800.0, 1_500.0, 2_600.0].flatMap { r in ["missing-child", "burglary"].map { (r, $0) } }
        let engine = try Engine.open(registryAt: fixture.database, readOnly: true)
        let expected = try cases.map { r, type in
            let selection = try engine.select(SelectionRequest(area: .circle(center: ServeFixture.centre, radiusMeters: r)))
            return try ActionDesk.plan(
                ActionRequest(incidentType: type, urgency: .high, message: "-", channels: [.voice, .sms, .email]),
                selection: selection, registry: registry, config: DispatchConfig())
        }
        let bodies = cases.map { r, type in
            circle(ServeFixture.centre, r, #", "incident_type": "\#(type)", "channels": ["voice", "sms", "email"]"#)
        }
        #expect(expected.map(\.recipients.count).reduce(0, +) > 400)
        try await fixture.withServer { client in
            // Wait until plans come from memory (the facts load on a thread of their own).
            let deadline = ContinuousClock.now + .seconds(30)
            while ContinuousClock.now < deadline {
                let metrics = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                _ = try await client.call(.post, "/v1/selections", as: "gis", json: bodies[0])
                let after = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                if Self.planSources(after).memory > Self.planSources(metrics).memory { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let before = Self.planSources(try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) })
            for (body, expected) in zip(bodies, expected) {
                let plan = try #require(try await client.call(.post, "/v1/selections", as: "gis", json: body).body["plan"] as? [String: Any])
                let perChannel = Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0.rawValue, expected.perChannel[$0] ?? 0) })
                #expect(plan["per_channel"] as? [String: Int] == perChannel, "\(body)")
                #expect(plan["skipped"] as? Int == expected.skipped, "\(body)")
                #expect(plan["recipients"] as? Int == expected.recipients.count, "\(body)")
            }
            let after = Self.planSources(try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) })
            #expect(after.memory - before.memory == bodies.count)  // every one of them from memory
            #expect(after.registry == before.registry)
            // A registration moves the registry on: the next plan reads it (and sees the newcomer).
            let near = ServeFixture.north(of: ServeFixture.centre, meters: 10)
            let put = try await client.call(
                .put, "/v1/participants/5000", as: "registrar", json: #"{"lon": \#(ServeFixture.centre.lon), "lat": \#(near), "email": "new@example.org", "channels": "email"}"#)
            #expect(put.status == 200)
            let next = try #require(try await client.call(.post, "/v1/selections", as: "gis", json: bodies[0]).body["plan"] as? [String: Any])
            #expect((next["per_channel"] as? [String: Int])?["email"] == (expected[0].perChannel[.email] ?? 0) + 1)
            let last = Self.planSources(try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) })
            #expect(last.registry == after.registry + 1)
        }
    }
}
