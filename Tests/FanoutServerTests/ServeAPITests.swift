import FanOut
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

/// The API against the live service on loopback, with counts known from the fixture's layout.
@Suite(.serialized) struct ServeAPITests {
    @Test(arguments: [150.0, 1_050.0, 2_950.0])
    func aSelectionCountsTheParticipantsInsideTheCircle(radius: Double) async throws {
        let fixture = try ServeFixture(label: "select")
        // Participant k lies k·100 m north of the centre: inside when k·100 < radius.
        let expected = (1...30).filter { Double($0) * 100 < radius }.count
        let answer = try await fixture.withServer { client in
            try await client.call(.post, "/v1/selections", as: "gis", json: circle(ServeFixture.centre, radius))
        }
        let (status, body) = (answer.status, answer.body)
        #expect(status == 200)
        #expect(body["participants"] as? Int == expected)
        #expect((body["by_country"] as? [String: Int])?["NL"] == expected)
        let plan = try #require(body["plan"] as? [String: Any])
        #expect(plan["recipients"] as? Int == expected)
        // No personal data: no phone number of the fixture appears anywhere in the answer.
        let text = String(describing: body)
        #expect(!text.contains("+316"))
    }

    @Test func anActionStartsRunsStopsAndEnds() async throws {
        let fixture = try ServeFixture(label: "lifecycle")
        try await fixture.withServer { client in
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher",
                json: circle(ServeFixture.centre, 1_050, #", "incident_type": "missing-child", "texts": {"nl": "Vermist: jongen"}"#))
            #expect(started.status == 201)
            let id = try #require(started.body["id"] as? Int)
            let list = try await client.call(.get, "/v1/actions", as: "auditor")
            #expect((list.body["actions"] as? [[String: Any]])?.map { $0["id"] as? Int } == [id])
            // The ideal simulation delivers within seconds: wait until all 10 are reached.
            let deadline = ContinuousClock.now + .seconds(30)
            var reached = 0
            while reached < 10, ContinuousClock.now < deadline {
                let status = try await client.call(.get, "/v1/actions/\(id)", as: "auditor")
                reached = (status.body["action"] as? [String: Any])?["reached"] as? Int ?? 0
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(reached == 10)
            let stopped = try await client.call(.post, "/v1/actions/\(id)/stop", as: "dispatcher")
            #expect(stopped.status == 200)
            let ended = try await client.call(.post, "/v1/actions/\(id)/end", as: "dispatcher", json: #"{"result": "Gevonden"}"#)
            #expect(ended.status == 200)
            #expect(ended.body["end_messages"] as? Int == 10)
            let again = try await client.call(.post, "/v1/actions/\(id)/stop", as: "dispatcher")
            #expect(again.status == 409)
            let unknown = try await client.call(.get, "/v1/actions/999", as: "auditor")
            #expect(unknown.status == 404)
            #expect(unknown.body["code"] as? String == "dispatch.unknownAction")
        }
    }

    @Test func aDispatcherActsInsideItsRegionOnly() async throws {
        let fixture = try ServeFixture(label: "region")
        try await fixture.withServer { client in
            let texts = #", "incident_type": "burglary", "texts": {"nl": "Inbraak"}"#
            let inside = try await client.call(.post, "/v1/actions", as: "utrecht", json: circle(ServeFixture.centre, 250, texts))
            #expect(inside.status == 201)
            let outside = try await client.call(.post, "/v1/actions", as: "utrecht", json: circle(ServeFixture.amsterdam, 250, texts))
            #expect(outside.status == 403)
            #expect(outside.body["code"] as? String == "serve.forbidden")
            #expect(outside.body["field"] as? String == "incident")
            // An action elsewhere, started by the unrestricted dispatcher: Utrecht may not stop it.
            let other = try await client.call(.post, "/v1/actions", as: "dispatcher", json: circle(ServeFixture.amsterdam, 250, texts))
            let id = try #require(other.body["id"] as? Int)
            let stop = try await client.call(.post, "/v1/actions/\(id)/stop", as: "utrecht")
            #expect(stop.status == 403)
            // Nothing was started by the refused request: two actions in all.
            let list = try await client.call(.get, "/v1/actions", as: "auditor")
            #expect((list.body["actions"] as? [Any])?.count == 2)
        }
    }

    @Test func badBodiesGetProblemDetailsNamingTheField() async throws {
        let fixture = try ServeFixture(label: "problems")
        try await fixture.withServer { client in
            let cases: [(String, Int, String?)] = [
                ("not json", 422, nil),
                ("[1]", 422, nil),
                (#"{}"#, 422, "circle"),
                (#"{"circle": {"lon": 5.1, "lat": 52.1}}"#, 422, "circle.radius_m"),
                (#"{"circle": {"lon": 5.1, "lat": 52.1, "radius_m": -1}}"#, 422, "circle.radius_m"),
                (#"{"circle": {"lon": 500, "lat": 52.1, "radius_m": 10}}"#, 422, "circle.lon"),
                (#"{"polygon": {"type": "Polygon", "coordinates": [[[5.1, 52.1], [5.2, 52.1]]]}}"#, 422, "polygon"),
                (#"{"circle": {"lon": 5.1, "lat": 52.1, "radius_m": 10}, "polygon": {}}"#, 422, "polygon"),
                (#"{"cap": "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><alert/>"}"#, 422, "cap"),
            ]
            for (body, status, field) in cases {
                let answer = try await client.call(.post, "/v1/selections", as: "gis", json: body)
                #expect(answer.status == status, "\(body)")
                #expect(answer.body["status"] as? Int == status)
                #expect(answer.body["type"] as? String != nil)
                if let field { #expect(answer.body["field"] as? String == field, "\(body)") }
            }
        }
    }

    @Test func bodiesAndPolygonsOverTheLimitsAre413() async throws {
        var limits = ServeConfiguration.Limits()
        limits.bodyBytes = 2_000
        limits.polygonVertices = 10
        let fixture = try ServeFixture(label: "limits", limits: limits)
        try await fixture.withServer { client in
            let big = circle(ServeFixture.centre, 100, #", "incident_type": "\#(String(repeating: "x", count: 3_000))""#)
            #expect(try await client.call(.post, "/v1/selections", as: "gis", json: big).status == 413)
            // A 12-gon: 12 distinct vertices, over the limit of 10.
            let ring = (0...12).map { i -> String in
                let a = Double(i % 12) / 12 * 2 * .pi
                return "[\(5.1214 + 0.01 * cos(a)), \(52.0908 + 0.01 * sin(a))]"
            }
            let polygon = #"{"polygon": {"type": "Polygon", "coordinates": [[\#(ring.joined(separator: ","))]]}}"#
            let answer = try await client.call(.post, "/v1/selections", as: "gis", json: polygon)
            #expect(answer.status == 413)
            #expect(answer.body["field"] as? String == "polygon")
        }
    }

    @Test func aRegisteredParticipantIsSelectedAndARemovedOneIsNot() async throws {
        let fixture = try ServeFixture(label: "participants")
        try await fixture.withServer { client in
            let near = ServeFixture.north(of: ServeFixture.centre, meters: 50)
            let put = try await client.call(
                .put, "/v1/participants/500", as: "registrar",
                json: #"{"lon": \#(ServeFixture.centre.lon), "lat": \#(near), "phone": "+31612340000"}"#)
            #expect(put.status == 200)
            let after = try await client.call(.post, "/v1/selections", as: "gis", json: circle(ServeFixture.centre, 150))
            #expect(after.body["participants"] as? Int == 2)  // ids 1 (100 m) and 500 (50 m)
            let delete = try await client.call(.delete, "/v1/participants/1", as: "registrar")
            #expect(delete.status == 204)
            let last = try await client.call(.post, "/v1/selections", as: "gis", json: circle(ServeFixture.centre, 150))
            #expect(last.body["participants"] as? Int == 1)
            let bad = try await client.call(.put, "/v1/participants/501", as: "registrar", json: #"{"lon": 5.1, "lat": 52.1, "phone": "12"}"#)
            #expect(bad.status == 422)
            #expect(bad.body["detail"] as? String != nil)
        }
    }

    @Test func aTokenOverItsRateGets429WithRetryAfter() async throws {
        var limits = ServeConfiguration.Limits()
        limits.requestsPerMinute = 5
        let fixture = try ServeFixture(label: "rate", limits: limits)
        try await fixture.withServer { client in
            var statuses: [Int] = []
            for _ in 0..<7 { statuses.append(try await client.call(.get, "/v1/actions", as: "auditor").status) }
            #expect(statuses == [200, 200, 200, 200, 200, 429, 429])
            let retry = try await client.execute(
                uri: "/v1/actions", method: .get, headers: [.authorization: "Bearer \(ServeFixture.tokens["auditor"]!)"]
            ) { $0.headers[.retryAfter] }
            #expect(retry.flatMap { Int($0) }.map { $0 >= 1 && $0 <= 12 } == true)
            // Another token has its own bucket.
            #expect(try await client.call(.get, "/v1/actions", as: "gis").status == 200)
        }
    }
}
