import FanOut
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /v1/actions/{id}/events` against the live service: the events of an action whose
/// course the fixture fixes, their resumption with `Last-Event-ID` (also by a second service on
/// the same ledger), the route's refusals, and streams that end when the client goes or the
/// service shuts down.
@Suite(.serialized) struct EventStreamTests {
    /// The durable events' names.
    static let durable: Set<String> = ["started", "enlarged", "ring", "stopped", "ended", "finished"]

    @Test func aFinishedActionStreamsEveryDurableEventThenFinishedAndResumesAfterAnyEventAlsoAfterARestart()
        async throws
    {
        let fixture = try ServeFixture(label: "events")
        let (id, full) = try await fixture.withServer { client in
            let id = try await Self.runToFinish(client)
            return (id, try await client.events(id, lastEventID: nil))
        }
        // Participants 1…10 lie inside 1,050 m, 11…20 in the enlargement to 2,050 m; the ideal
        // simulation reaches everybody, and the end message goes to the 20 reached.
        let names = full.map(\.name)
        #expect(names.first == "started")
        #expect(full.first?.json["recipients"] as? Int == 10)
        #expect(names.suffix(2) == ["counts", "finished"], "\(names)")
        let durableNames = names.filter { Self.durable.contains($0 ?? "") }
        let ringCount = names.filter { $0 == "ring" }.count
        #expect(durableNames == ["started", "enlarged"] + Array(repeating: "ring", count: ringCount) + ["stopped", "ended", "finished"])
        let enlarged = try #require(full.first { $0.name == "enlarged" })
        #expect(enlarged.json["version"] as? Int == 2)
        #expect(enlarged.json["recipients"] as? Int == 20)
        #expect(enlarged.json["added"] as? Int == 10)
        // The rings are 500 m wide, distinct, and hold the 20 between them, all reached.
        let rings = full.filter { $0.name == "ring" }.map(\.json)
        let inner = rings.compactMap { $0["inner_m"] as? Double }
        #expect(Set(inner).count == rings.count)
        #expect(rings.allSatisfy { ($0["outer_m"] as? Double ?? 0) - ($0["inner_m"] as? Double ?? 0) == 500 })
        #expect(rings.reduce(0) { $0 + ($1["completed"] as? Int ?? 0) } == 20)
        #expect(rings.reduce(0) { $0 + ($1["reached"] as? Int ?? 0) } == 20)
        #expect(inner.contains(0) && inner.contains(1_500))  // 100…400 m and 1,500…1,900 m at least
        let counts = try #require(full.last { $0.name == "counts" }?.json)
        #expect(counts["state"] as? String == "ended")
        #expect(counts["included"] as? Int == 20)
        #expect(counts["reached"] as? Int == 20)
        #expect(counts["alerts"] as? [String: Int] == ["queued": 0, "sent": 0, "delivered": 20, "failed": 0, "cancelled": 0])
        #expect(counts["alerts_by_channel"] as? [String: Int] == ["sms": 20])
        #expect(full.allSatisfy { $0.json["action"] as? Int == id })
        #expect(Set(full.compactMap(\.id)).count == full.count, "every id differs")

        // Resumed after each event: exactly the durable events after it, with the same ids.
        let resumed = try await fixture.withServer { client in
            var answers: [[SSEEvent]] = []
            for event in full.dropLast() { answers.append(try await client.events(id, lastEventID: event.id)) }
            answers.append(try await client.events(id, lastEventID: nil))
            return answers
        }
        for (i, events) in resumed.dropLast().enumerated() {
            let expected = full[(i + 1)...].filter { Self.durable.contains($0.name ?? "") }
            #expect(events.filter { Self.durable.contains($0.name ?? "") } == Array(expected), "after event \(i)")
        }
        // The second service (a restart) derives the same durable events with the same ids
        // (counts ids carry the time: they only order counts).
        let durable = { (events: [SSEEvent]) in events.filter { Self.durable.contains($0.name ?? "") } }
        #expect(durable(resumed.last ?? []) == durable(full))
        #expect(resumed.last?.map(\.data) == full.map(\.data))
        // After `finished` nothing more comes.
        let afterFinished = try await fixture.withServer { client in try await client.events(id, lastEventID: full.last?.id) }
        #expect(afterFinished.isEmpty)
    }

    @Test func theEventRouteChecksTheTokenTheActionAndLastEventID() async throws {
        let fixture = try ServeFixture(label: "events-refusals")
        try await fixture.withServer { client in
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher", json: circle(ServeFixture.centre, 350, #", "incident_type": "missing-child", "texts": {"nl": "Vermist"}"#))
            let id = try #require(started.body["id"] as? Int)
            #expect(try await client.eventStatus("/v1/actions/\(id)/events", as: nil) == 401)
            #expect(try await client.eventStatus("/v1/actions/\(id)/events", as: "registrar") == 403)
            #expect(try await client.eventStatus("/v1/actions/999/events", as: "auditor") == 404)
            let bad = try await client.call(.get, "/v1/actions/\(id)/events", as: "gis", lastEventID: "7")
            #expect(bad.status == 422)
            #expect(bad.body["field"] as? String == "Last-Event-ID")
            let other = try await client.call(.get, "/v1/actions/\(id)/events", as: "gis", lastEventID: "a999.v1.s0.r.c0")
            #expect(other.status == 422)
            #expect((other.body["detail"] as? String)?.contains("action 999") == true)
            let ring = try await client.call(.get, "/v1/actions/\(id)/events", as: "gis", lastEventID: "a\(id).v1.s0.r3y2.c0")
            #expect(ring.status == 422)
        }
    }

    @Test func anOpenStreamEndsWhenTheServiceShutsDownAndTheServerNoticesAClientThatWent() async throws {
        let fixture = try ServeFixture(label: "events-open")
        let (first, second) = try await fixture.withServer { client in
            let port = try #require(client.port)
            // A running action is never finished: its stream stays open.
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher", json: circle(ServeFixture.centre, 350, #", "incident_type": "missing-child", "texts": {"nl": "Vermist"}"#))
            let id = try #require(started.body["id"] as? Int)
            let path = "/v1/actions/\(id)/events"
            let auth = ["Authorization": "Bearer \(ServeFixture.tokens["auditor"]!)"]
            let first = try await onOwnThread { try LoopbackHTTP("GET", port: port, path: path, headers: auth, timeout: 60) }
            let second = try await onOwnThread { try LoopbackHTTP("GET", port: port, path: path, headers: auth, timeout: 60) }
            #expect(first.headers["content-type"] == "text/event-stream")
            let one = try await onOwnThread { try first.nextEvent() }
            let two = try await onOwnThread { try second.nextEvent() }
            #expect(one?.name == "started" && two?.name == "started")
            #expect(try await client.openStreams() == 2)
            // The first client goes: the server notices at its next write (a heartbeat at the latest).
            first.close()
            let deadline = ContinuousClock.now + .seconds(30)
            var open = try await client.openStreams()
            while open != 1, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                open = try await client.openStreams()
            }
            #expect(open == 1)
            return (first, second)
        }
        _ = first
        // withServer returned: the graceful shutdown did not wait for the open stream, which ended.
        let rest = try await onOwnThread {
            var events: [SSEEvent] = []
            while let e = try second.nextEvent() { events.append(e) }
            return events
        }
        #expect(rest.allSatisfy { $0.name == "counts" || $0.name == "ring" })
    }

    /// Starts an action on participants 1…10, enlarges it to 1…20, waits until all 20 are
    /// reached, ends it and waits until the end messages are all delivered.
    static func runToFinish(_ client: any TestClientProtocol) async throws -> Int {
        let started = try await client.call(
            .post, "/v1/actions", as: "dispatcher", json: circle(ServeFixture.centre, 1_050, #", "incident_type": "missing-child", "texts": {"nl": "Vermist"}"#))
        let id = try #require(started.body["id"] as? Int)
        let enlarged = try await client.call(.post, "/v1/actions/\(id)/enlarge", as: "dispatcher", json: circle(ServeFixture.centre, 2_050))
        #expect(enlarged.status == 200, "\(enlarged.body)")
        try await client.waitFor(id) { ($0["reached"] as? Int) == 20 }
        let ended = try await client.call(.post, "/v1/actions/\(id)/end", as: "dispatcher", json: #"{"result": "Gevonden"}"#)
        #expect(ended.body["end_messages"] as? Int == 20)
        try await client.waitFor(id) { ($0["end_messages"] as? [String: Int])?["delivered"] == 20 }
        return id
    }
}

extension TestClientProtocol {
    /// Every event of a stream that ends (the action is finished), read whole.
    func events(_ id: Int, lastEventID: String?) async throws -> [SSEEvent] {
        var headers: HTTPFields = [.authorization: "Bearer \(ServeFixture.tokens["auditor"]!)"]
        if let lastEventID { headers[lastEventIDName] = lastEventID }
        return try await execute(uri: "/v1/actions/\(id)/events", method: .get, headers: headers) { response in
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            return parseEventStream(String(buffer: response.body))
        }
    }

    /// The status of a GET with a role's token.
    func eventStatus(_ uri: String, as role: String?) async throws -> Int {
        try await call(.get, uri, as: role).status
    }

    /// A GET with a role's token and a `Last-Event-ID` header.
    func call(_ method: HTTPRequest.Method, _ uri: String, as role: String, lastEventID: String) async throws -> Answer {
        let headers: HTTPFields = [
            .authorization: "Bearer \(ServeFixture.tokens[role]!)", lastEventIDName: lastEventID,
        ]
        return try await execute(uri: uri, method: method, headers: headers) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return Answer(status: Int(response.status.code), body: object ?? [:])
        }
    }

    /// Waits (at most a minute) until the action's ledger summary satisfies `condition`.
    func waitFor(_ id: Int, _ condition: @escaping @Sendable ([String: Any]) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let status = try await call(.get, "/v1/actions/\(id)", as: "auditor")
            if let action = status.body["action"] as? [String: Any], condition(action) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("action \(id) did not get there within a minute")
    }

    /// The `fanout_event_streams` gauge.
    func openStreams() async throws -> Int? {
        try await execute(uri: "/metrics", method: .get) { LoopbackHTTP.gauge(String(buffer: $0.body)) }
    }
}

extension LoopbackHTTP {
    /// The `fanout_event_streams` value in a Prometheus exposition.
    static func gauge(_ text: String) -> Int? {
        text.split(separator: "\n").first { $0.hasPrefix("fanout_event_streams ") }
            .flatMap { Double($0.split(separator: " ")[1]) }.map { Int($0) }
    }
}

/// The `Last-Event-ID` header's name.
let lastEventIDName = HTTPFields([.init(name: .init("Last-Event-ID")!, value: "")])[0].name

/// The events of a whole `text/event-stream` body.
func parseEventStream(_ text: String) -> [SSEEvent] {
    text.components(separatedBy: "\n\n").compactMap { block in
        var event = SSEEvent(id: nil, name: nil, data: "")
        for line in block.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let value = line[line.index(after: colon)...].drop { $0 == " " }
            switch line[..<colon] {
            case "id": event.id = String(value)
            case "event": event.name = String(value)
            case "data": event.data += String(value)
            default: break
            }
        }
        return event.name == nil ? nil : event
    }
}
