import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

/// `POST /v1/participants`: newline-delimited JSON, streamed, all or nothing.
@Suite struct BulkImportTests {
    /// `count` participants due north of Rotterdam's Erasmusbrug at 10 m, 20 m, … (ids from 10,001).
    static let bridge = LonLat(lon: 4.4826, lat: 51.9094)
    static func lines(_ count: Int, badAt bad: Int? = nil) -> String {
        (1...count).map { k -> String in
            let lat = ServeFixture.north(of: bridge, meters: Double(k) * 10)
            let phone = k == bad ? "12" : "+3161\(String(format: "%07d", k))"
            return #"{"id": \#(10_000 + k), "lon": \#(bridge.lon), "lat": \#(lat), "phone": "\#(phone)", "channels": ["sms"]}"#
        }.joined(separator: "\r\n")  // as a Windows tool writes it
    }

    func post(_ client: any TestClientProtocol, _ body: String) async throws -> Answer {
        try await client.execute(
            uri: "/v1/participants", method: .post,
            headers: [.authorization: "Bearer \(ServeFixture.tokens["registrar"]!)", .contentType: "application/x-ndjson"],
            body: ByteBuffer(bytes: [0xEF, 0xBB, 0xBF] + Array(body.utf8))
        ) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return Answer(status: Int(response.status.code), body: object)
        }
    }

    @Test func aThousandLinesAreRegisteredAndSelectable() async throws {
        let fixture = try ServeFixture(label: "bulk")
        try await fixture.withServer { client in
            let answer = try await post(client, Self.lines(1_000))
            #expect(answer.status == 200)
            #expect(answer.body["registered"] as? Int == 1_000)
            // Participant k lies k·10 m north: inside 5,005 m are k = 1…500.
            let selected = try await client.call(.post, "/v1/selections", as: "gis", json: circle(Self.bridge, 5_005))
            #expect(selected.body["participants"] as? Int == 500)
        }
    }

    @Test func oneBadLineRefusesTheWholeRequestNamingTheLine() async throws {
        let fixture = try ServeFixture(label: "bulk-bad")
        try await fixture.withServer { client in
            let answer = try await post(client, Self.lines(1_000, badAt: 700))
            #expect(answer.status == 422)
            #expect((answer.body["detail"] as? String)?.hasPrefix("line 700: ") == true)
            #expect((answer.body["field"] as? String)?.hasPrefix("line 700.phone") == true)
            #expect(!String(describing: answer.body).contains("+3161"))
            let selected = try await client.call(.post, "/v1/selections", as: "gis", json: circle(Self.bridge, 20_000))
            #expect(selected.body["participants"] as? Int == 0)  // nothing half-written
            let repeated = try await post(client, Self.lines(3) + "\n" + Self.lines(1))
            #expect(repeated.status == 422)
            #expect((repeated.body["detail"] as? String)?.contains("line 4: id 10001 was given on an earlier line") == true)
        }
    }

    @Test func moreLinesThanTheLimitAre413() async throws {
        var limits = ServeConfiguration.Limits()
        limits.bulkParticipants = 100
        let fixture = try ServeFixture(label: "bulk-limit", limits: limits)
        try await fixture.withServer { client in
            let over = try await post(client, Self.lines(101))
            let within = try await post(client, Self.lines(100))
            #expect(over.status == 413)
            #expect(within.status == 200)
        }
    }
}
