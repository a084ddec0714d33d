import FanOut
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Participants
import Testing

/// The answers API: the control room records what a caller to the free number said, a stop is
/// honoured at once, the list masks what participants wrote unless asked, the action's status
/// counts the answers, and the command log names who recorded them.
@Suite struct ServeAnswerTests {
    @Test func answersAreRecordedListedCountedAndAStopCancelsAtOnce() async throws {
        // One SMS a second: the ten alerts take ten seconds, so the innermost is still queued.
        var dispatch = DispatchConfig()
        dispatch.sms = .init(perSecond: 1, batchSize: 1)
        let fixture = try ServeFixture(label: "answers", dispatch: dispatch)
        try await fixture.withServer { client in
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher",
                json: circle(ServeFixture.centre, 1_050, #", "incident_type": "missing-child", "channels": ["sms"], "texts": {"nl": "Vermist: Sanne"}"#))
            #expect(started.status == 201)
            let id = try #require(started.body["id"] as? Int)
            // Participant 1 (100 m) is innermost: texted last, still queued. Their stop cancels it.
            let stop = try await client.call(
                .post, "/v1/actions/\(id)/answers", as: "dispatcher", json: #"{"person": 1, "kind": "stop", "channel": "sms"}"#)
            #expect(stop.status == 201, "\(stop.body)")
            #expect(stop.body["cancelled"] as? Int == 1)
            #expect(stop.body["live"] as? Bool == true)
            let seen = try await client.call(
                .post, "/v1/actions/\(id)/answers", as: "dispatcher",
                json: #"{"person": 10, "kind": "sighting", "text": "Gezien bij de Dom, rode jas"}"#)
            #expect(seen.status == 201)
            #expect(seen.body["channel"] as? String == "voice")  // the default: a call to the free number
            // Not alerted in this action (Amsterdam), a kind that is not one, a field that is not one.
            for (body, field) in [
                (#"{"person": 101, "kind": "sighting"}"#, nil as String?),
                (#"{"person": 2, "kind": "maybe"}"#, "kind"), (#"{"person": 2, "kind": "stop", "phone": "1"}"#, "phone"),
                (#"{"person": 2.5, "kind": "stop"}"#, "person"),
            ] {
                let bad = try await client.call(.post, "/v1/actions/\(id)/answers", as: "dispatcher", json: body)
                #expect(bad.status == 422, "\(body)")
                if let field { #expect(bad.body["field"] as? String == field) }
            }
            #expect(try await client.call(.post, "/v1/actions/\(id)/answers", as: "gis", json: #"{"person": 2, "kind": "stop"}"#).status == 403)
            #expect(try await client.call(.post, "/v1/actions/999/answers", as: "dispatcher", json: #"{"person": 2, "kind": "stop"}"#).status == 404)
            // The list: oldest first, the text masked unless asked for; gis may not read it.
            let list = try await client.call(.get, "/v1/actions/\(id)/answers", as: "auditor")
            let answers = try #require(list.body["answers"] as? [[String: Any]])
            #expect(answers.map { $0["person"] as? Int } == [1, 10])
            #expect(answers.map { $0["kind"] as? String } == ["stop", "sighting"])
            #expect(answers.map { $0["distance_m"] as? Double }.allSatisfy { $0 != nil })
            #expect(answers[1]["text"] as? String == "(27 characters, masked)")
            let unmasked = try await client.call(.get, "/v1/actions/\(id)/answers?unmasked=true", as: "auditor")
            #expect(((unmasked.body["answers"] as? [[String: Any]])?[1]["text"] as? String) == "Gezien bij de Dom, rode jas")
            let after = try #require(list.body["next_after"] as? Int)
            let none = try await client.call(.get, "/v1/actions/\(id)/answers?after=\(after)", as: "auditor")
            #expect((none.body["answers"] as? [Any])?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/actions/\(id)/answers", as: "gis").status == 403)
            #expect(try await client.call(.get, "/v1/actions/\(id)/answers?limit=0", as: "auditor").status == 422)
            // The status counts persons per kind; the command log names the operator.
            let status = try await client.call(.get, "/v1/actions/\(id)", as: "auditor")
            let counts = (status.body["action"] as? [String: Any])?["answers"] as? [String: Int]
            #expect(counts == ["sighting": 1, "acknowledgement": 0, "stop": 1])
            let audit = try await client.call(.get, "/v1/audit?action=\(id)", as: "auditor")
            let commands = (audit.body["records"] as? [[String: Any]])?.compactMap { $0["command"] as? String }
            #expect(commands == ["start", "answer", "answer"])
            // The stopped person is never texted: when the rest is done, 9 alerts delivered, 1 cancelled.
            let deadline = ContinuousClock.now + .seconds(60)
            var alerts: [String: Int] = [:]
            while ContinuousClock.now < deadline {
                let s = try await client.call(.get, "/v1/actions/\(id)", as: "auditor")
                alerts = (s.body["action"] as? [String: Any])?["alerts"] as? [String: Int] ?? [:]
                if alerts["delivered"] == 9 { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(alerts["delivered"] == 9 && alerts["cancelled"] == 1, "\(alerts)")
        }
    }
}
