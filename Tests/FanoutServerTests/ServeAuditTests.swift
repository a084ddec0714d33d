import FanOut
import FanoutServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// `GET /v1/audit` and the command log behind it: every command through the API is recorded
/// with its operator, request id and wall time; refused ones are logged, not recorded.
@Suite(.serialized) struct ServeAuditTests {
    /// A response's status, JSON object and `X-Request-Id`.
    struct Reply: @unchecked Sendable {
        // @unchecked: `body` is an immutable tree of Foundation values parsed once and only read.
        var status: Int
        var body: [String: Any]
        var requestID: String?
    }

    /// One audit record as the API gave it.
    struct Record: Hashable {
        var sequence: Int
        var command: String
        var action: Int?
        var participant: Int?
        var operatorName: String
        var role: String?
        var requestID: String?
        var wallTime: String
        var dispatcherSeconds: Double?

        init(_ o: [String: Any]) throws {
            sequence = try #require(o["sequence"] as? Int)
            command = try #require(o["command"] as? String)
            action = o["action"] as? Int
            participant = o["participant"] as? Int
            operatorName = try #require(o["operator"] as? String)
            role = o["role"] as? String
            requestID = o["request_id"] as? String
            wallTime = try #require(o["wall_time"] as? String)
            dispatcherSeconds = o["dispatcher_seconds"] as? Double
        }

        /// The wall time, parsed by Foundation's own RFC 3339 parser (not the service's).
        var wall: Date? { ServeAuditTests.parse(wallTime) }
    }

    static func parse(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
    }

    /// Runs `body` against the live service whose log goes to `log`.
    static func withServer<T: Sendable>(
        _ fixture: ServeFixture, log: CapturingLogHandler, _ body: @escaping @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "test.serve") { _ in KeepingMetadataHandler(sink: log) }
        let app = try FanoutService.application(fixture.options, logger: logger)
        return try await app.test(.live) { client in
            try await ServeFixture.waitReady(client)
            return try await body(client)
        }
    }

    static let burglary = #", "incident_type": "burglary", "texts": {"nl": "Inbraak"}"#

    /// Every record of the log, fetched page by page (`limit` a page) with the given filters.
    static func records(_ client: any TestClientProtocol, _ filters: String = "", limit: Int = 2) async throws -> [Record] {
        var out: [Record] = []
        var cursor: String?
        var pages = 0
        repeat {
            var uri = "/v1/audit?limit=\(limit)" + filters
            if let cursor { uri += "&cursor=\(cursor)" }
            let page = try await client.send(.get, uri, as: "auditor")
            #expect(page.status == 200, "\(uri): \(page.body)")
            let list = try #require(page.body["records"] as? [[String: Any]])
            #expect(list.count <= limit)
            out += try list.map(Record.init)
            cursor = page.body["next_cursor"] as? String
            pages += 1
        } while cursor != nil && pages < 100
        return out
    }

    @Test func everyCommandThroughTheAPIIsRecordedWithItsOperatorRequestAndTime() async throws {
        let fixture = try ServeFixture(label: "audit-commands")
        let log = CapturingLogHandler()
        let (expected, refusals, records) = try await Self.withServer(fixture, log: log) { client in
            /// What the record of each accepted command must say: command, action, participant,
            /// operator, role, request id, and the test's clock before and after the call.
            var expected: [(String, Int?, Int?, String, String, String, Date, Date)] = []
            func command(
                _ method: HTTPRequest.Method, _ uri: String, as role: String, json: String? = nil, _ name: String,
                action: Int? = nil, participant: Int? = nil
            ) async throws -> Reply {
                let before = Date()
                let reply = try await client.send(method, uri, as: role, json: json)
                let after = Date()
                #expect((200..<300).contains(reply.status), "\(uri): \(reply.body)")
                let id = try #require(reply.requestID)
                let subject = "test-\(role)"
                let newAction = name == "start" ? reply.body["id"] as? Int : action
                expected.append((name, newAction, participant, subject, role, id, before, after))
                return reply
            }
            let started = try await command(.post, "/v1/actions", as: "dispatcher", json: circle(ServeFixture.centre, 1_050, Self.burglary), "start")
            let id = try #require(started.body["id"] as? Int)
            _ = try await command(.post, "/v1/actions/\(id)/enlarge", as: "dispatcher", json: circle(ServeFixture.centre, 1_550), "enlarge", action: id)
            _ = try await command(
                .put, "/v1/participants/600", as: "registrar", json: #"{"lon": 5.12, "lat": 52.09, "phone": "+31612349999"}"#,
                "participant-register", participant: 600)
            _ = try await command(.delete, "/v1/participants/600", as: "registrar", "participant-remove", participant: 600)
            _ = try await command(.post, "/v1/actions/\(id)/stop", as: "dispatcher", "stop", action: id)
            // Refused: not recorded (403 and 401 are logged; the 409 is a command that was not applied).
            let forbidden = try await client.send(.post, "/v1/actions/\(id)/end", as: "gis", json: #"{"result": "x"}"#)
            #expect(forbidden.status == 403)
            let anonymous = try await client.send(.post, "/v1/actions", as: nil, json: circle(ServeFixture.centre, 250, Self.burglary))
            #expect(anonymous.status == 401)
            let registrarStart = try await client.send(.post, "/v1/actions", as: "registrar", json: circle(ServeFixture.centre, 250, Self.burglary))
            #expect(registrarStart.status == 403)
            _ = try await command(.post, "/v1/actions/\(id)/end", as: "dispatcher", json: #"{"result": "Gevonden"}"#, "end", action: id)
            let again = try await client.send(.post, "/v1/actions/\(id)/stop", as: "dispatcher")
            #expect(again.status == 409)
            let refusals = [forbidden, anonymous, registrarStart].map { ($0.status, $0.requestID, $0.body["request_id"] as? String) }
            return (expected, refusals, try await Self.records(client))
        }
        #expect(records.count == expected.count, "\(records)")
        for (r, e) in zip(records, expected) {
            #expect(r.command == e.0)
            #expect(r.action == e.1, "\(r.command)")
            #expect(r.participant == e.2, "\(r.command)")
            #expect(r.operatorName == e.3 && r.role == e.4, "\(r.command)")
            #expect(r.requestID == e.5, "\(r.command)")
            // Stored to the millisecond, rounded down: not before the test's reading rounded down.
            let wall = try #require(r.wall, "\(r.wallTime)")
            let floor = Date(timeIntervalSince1970: (e.6.timeIntervalSince1970 * 1000).rounded(.down) / 1000)
            #expect(floor <= wall && wall <= e.7, "\(r.command): \(r.wallTime) not within \(e.6)…\(e.7)")
            #expect(r.wallTime.hasSuffix("Z"))
        }
        #expect(records.map(\.sequence) == records.map(\.sequence).sorted() && Set(records.map(\.sequence)).count == records.count)
        let times = records.compactMap(\.dispatcherSeconds)
        #expect(times.count == records.count && times == times.sorted(), "\(times)")
        #expect(Set(records.compactMap(\.requestID)).count == records.count, "request ids are unique")
        // Each refusal is logged once with its request id, its operator when the token is known,
        // and no token anywhere in the log.
        let refused = log.entries.filter { $0.message == "request refused" }
        #expect(refused.count == 3)
        for (status, header, problemID) in refusals {
            #expect(header != nil && header == problemID)
            let line = refused.first { $0.metadata["request_id"] == header }
            #expect(line?.metadata["status"] == "\(status)")
        }
        #expect(refused.compactMap { $0.metadata["operator"] }.sorted() == ["test-gis", "test-registrar"])
        let text = log.lines.joined(separator: "\n")
        for token in ServeFixture.tokens.values { #expect(!text.contains(token)) }
        #expect(!text.contains("+316"))
    }

    @Test func filtersReturnExactlyTheMatchingRecords() async throws {
        let fixture = try ServeFixture(label: "audit-filters")
        let (all, checks) = try await Self.withServer(fixture, log: CapturingLogHandler()) { client in
            func go(_ method: HTTPRequest.Method, _ uri: String, _ role: String, _ json: String? = nil) async throws -> Int? {
                let r = try await client.send(method, uri, as: role, json: json)
                #expect((200..<300).contains(r.status), "\(uri) as \(role): \(r.body)")
                try await Task.sleep(for: .milliseconds(3))  // distinct wall times, for the time windows
                return r.body["id"] as? Int
            }
            let a1 = try #require(try await go(.post, "/v1/actions", "dispatcher", circle(ServeFixture.centre, 250, Self.burglary)))
            let a2 = try #require(try await go(.post, "/v1/actions", "utrecht", circle(ServeFixture.centre, 350, Self.burglary)))
            let a3 = try #require(try await go(.post, "/v1/actions", "dispatcher", circle(ServeFixture.amsterdam, 250, Self.burglary)))
            _ = try await go(.post, "/v1/actions/\(a1)/stop", "utrecht")
            _ = try await go(.put, "/v1/participants/700", "registrar", #"{"lon": 5.12, "lat": 52.09, "phone": "+31612340700"}"#)
            _ = try await go(.post, "/v1/actions/\(a2)/stop", "dispatcher")
            _ = try await go(.post, "/v1/actions/\(a1)/end", "dispatcher", #"{"result": "Gevonden"}"#)
            _ = try await go(.post, "/v1/actions/\(a3)/enlarge", "dispatcher", circle(ServeFixture.amsterdam, 650))
            _ = try await go(.post, "/v1/actions/\(a2)/end", "utrecht", #"{"result": "Gevonden"}"#)
            let all = try await Self.records(client, limit: 1000)
            #expect(all.count == 9)
            // Filters as (query, action, operator, from, to): the times are records' own wall times.
            let t = all.map(\.wallTime)
            let cases: [(Int?, String?, String?, String?)] = [
                (a1, nil, nil, nil), (a2, nil, nil, nil), (a3, nil, nil, nil), (999, nil, nil, nil),
                (nil, "test-dispatcher", nil, nil), (nil, "test-utrecht", nil, nil), (nil, "test-registrar", nil, nil),
                (nil, "nobody", nil, nil), (nil, nil, t[2], t[6]), (nil, nil, t[4], nil), (nil, nil, nil, t[3]),
                (nil, nil, t[5], t[5]), (a1, "test-dispatcher", nil, nil), (nil, "test-dispatcher", t[1], t[7]),
                (a2, "test-utrecht", t[0], nil),
            ]
            var checks: [(String, [Int], [Int])] = []
            for (action, op, from, to) in cases {
                var query = ""
                if let action { query += "&action=\(action)" }
                if let op { query += "&operator=\(op)" }
                if let from { query += "&from=\(from)" }
                if let to { query += "&to=\(to)" }
                let got = try await Self.records(client, query, limit: 2).map(\.sequence)
                // The independent filter over every record: from inclusive, to exclusive.
                let fromDate = from.flatMap(Self.parse)
                let toDate = to.flatMap(Self.parse)
                let expected = all.filter { r in
                    guard let wall = r.wall else { return false }
                    return (action == nil || r.action == action) && (op == nil || r.operatorName == op)
                        && (fromDate.map { wall >= $0 } ?? true) && (toDate.map { wall < $0 } ?? true)
                }.map(\.sequence)
                checks.append((query, got, expected))
            }
            return (all, checks)
        }
        #expect(Set(all.map(\.operatorName)) == ["test-dispatcher", "test-utrecht", "test-registrar"])
        for (query, got, expected) in checks {
            #expect(got == expected, "\(query)")
        }
        // The cases are not all trivial: some select part of the log, some nothing.
        #expect(checks.contains { !$0.2.isEmpty && $0.2.count < all.count })
        #expect(checks.contains { $0.2.isEmpty })
    }

    @Test(arguments: [
        ("action=abc", "action"), ("action=0", "action"), ("action=-3", "action"), ("limit=0", "limit"),
        ("limit=1001", "limit"), ("limit=ten", "limit"), ("cursor=x", "cursor"), ("from=2025-03-01", "from"),
        ("from=2025-03-01T12:00:00%2B01:00", "from"), ("to=2025-02-30T00:00:00Z", "to"), ("to=2025-03-01T24:00:00Z", "to"),
        ("from=2025-03-02T00:00:00Z&to=2025-03-01T00:00:00Z", "to"), ("operator=", "operator"),
        ("operator=a&operator=b", "operator"), ("colour=red", "colour"),
    ])
    func aBadQueryParameterIs422NamingIt(query: String, field: String) async throws {
        let fixture = try ServeFixture(label: "audit-bad")
        let reply = try await fixture.withServer { client in try await client.send(.get, "/v1/audit?\(query)", as: "dispatcher") }
        #expect(reply.status == 422, "\(query)")
        #expect(reply.body["field"] as? String == field, "\(query): \(reply.body)")
        #expect(reply.body["code"] as? String == "serve.badRequest")
    }

    @Test func everyResponseCarriesItsRequestID() async throws {
        let fixture = try ServeFixture(label: "audit-request-id")
        let replies = try await fixture.withServer { client in
            [
                try await client.send(.get, "/healthz", as: nil), try await client.send(.get, "/v1/audit", as: "auditor"),
                try await client.send(.get, "/v1/audit", as: nil), try await client.send(.get, "/v1/audit", as: "gis"),
                try await client.send(.get, "/v1/no-such-route", as: "auditor"),
                try await client.send(.get, "/v1/audit?limit=0", as: "auditor"),
            ]
        }
        #expect(replies.map(\.status) == [200, 200, 401, 403, 404, 422])
        let ids = replies.compactMap(\.requestID)
        #expect(ids.count == replies.count && Set(ids).count == ids.count, "\(ids)")
        for r in replies where r.status >= 400 {
            #expect(r.body["request_id"] as? String == r.requestID, "\(r.status)")
        }
        // A fresh ledger: the log is empty, and says there is no next page.
        #expect((replies[1].body["records"] as? [Any])?.isEmpty == true)
        #expect(replies[1].body["next_cursor"] is NSNull)
    }
}

extension TestClientProtocol {
    /// Sends a request with a role's token (`nil`: none) and a JSON body; the reply with its
    /// `X-Request-Id`.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, as role: String?, json body: String? = nil
    ) async throws -> ServeAuditTests.Reply {
        let answer = try await call(method, uri, as: role, json: body)
        return ServeAuditTests.Reply(status: answer.status, body: answer.body, requestID: answer.requestID)
    }
}

/// A log handler that keeps its logger's metadata (Hummingbird keeps the request id there and
/// reads it back) and hands every record, that metadata included, to a ``CapturingLogHandler``.
struct KeepingMetadataHandler: LogHandler {
    let sink: CapturingLogHandler
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var e = event
        e.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        sink.log(event: e)
    }
}
