import ChannelAdapters
import FanOut
import FanoutServer
import Foundation
import Hummingbird
import HummingbirdTesting
import ProviderAdapters
import Testing

/// The participants' reply links on a live service, with tokens signed by the mail adapter's own
/// signer (`MailReplyToken`, the secret the `"smtp"` object carries): a GET only asks, a POST
/// records the answer the token stands for; an altered token, another secret's token, or one for a
/// person not alerted is 404 and records nothing.
@Suite struct ServeReplyLinkTests {
    static let secret = Array("reply-secret-for-the-link-test-0123".utf8)

    @Test func aReplyLinkRecordsItsAnswerOnlyWhenConfirmed() async throws {
        var dispatch = DispatchConfig()
        dispatch.email = .init(perSecond: 1, batchSize: 1)
        var fixture = try ServeFixture(label: "reply-link", dispatch: dispatch)
        let tokens = try MailReplyToken(secret: Self.secret)
        fixture.options.replyVerifier = { tokens.claims($0) }
        try await fixture.withServer { client in
            let started = try await client.call(
                .post, "/v1/actions", as: "dispatcher",
                json: circle(
                    ServeFixture.centre, 1_050,
                    #", "incident_type": "burglary", "urgency": "low", "channels": ["sms"], "texts": {"nl": "Inbraak"}"#))
            #expect(started.status == 201, "\(started.body)")
            let id = ActionID(rawValue: Int64(try #require(started.body["id"] as? Int)))
            let seen = tokens.sign(action: id, person: 4, kind: .sighting)
            let stop = tokens.sign(action: id, person: 1, kind: .stop)
            // GET: a page with a form to confirm; nothing is recorded (mail scanners open links).
            let page = try await client.execute(uri: "/reply/\(seen)", method: .get) {
                (Int($0.status.code), String(buffer: $0.body), $0.headers[.cacheControl])
            }
            #expect(page.0 == 200)
            #expect(page.1.contains(#"<form method="post" action="/reply/\#(seen)">"#))
            #expect(page.2 == "no-store")
            var list = try await client.call(.get, "/v1/actions/\(id.rawValue)/answers", as: "auditor")
            #expect((list.body["answers"] as? [Any])?.isEmpty == true)
            // POST: recorded, as an e-mail answer of that person.
            for token in [seen, stop] {
                let done = try await client.execute(uri: "/reply/\(token)", method: .post) { Int($0.status.code) }
                #expect(done == 200)
            }
            list = try await client.call(.get, "/v1/actions/\(id.rawValue)/answers", as: "auditor")
            let answers = try #require(list.body["answers"] as? [[String: Any]])
            #expect(answers.map { $0["person"] as? Int } == [4, 1])
            #expect(answers.map { $0["kind"] as? String } == ["sighting", "stop"])
            #expect(answers.allSatisfy { $0["channel"] as? String == "email" })
            // Altered, another secret's, a stranger's (Amsterdam, not alerted), an unknown action: 404.
            var altered = Array(seen)
            altered[10] = altered[10] == "A" ? "B" : "A"
            let other = try MailReplyToken(secret: Array("another-secret-another-secret-00".utf8))
            for token in [
                String(altered), other.sign(action: id, person: 4, kind: .sighting),
                tokens.sign(action: id, person: 101, kind: .sighting),
                tokens.sign(action: ActionID(rawValue: 999), person: 4, kind: .sighting), "x",
            ] {
                let status = try await client.execute(uri: "/reply/\(token)", method: .post) { Int($0.status.code) }
                #expect(status == 404, "\(token)")
            }
            list = try await client.call(.get, "/v1/actions/\(id.rawValue)/answers", as: "auditor")
            #expect((list.body["answers"] as? [Any])?.count == 2)
            // An app's reply button (a version 2 token): recorded on the app channel.
            let app = tokens.sign(action: id, person: 4, kind: .acknowledgement, channel: .app)
            #expect(try await client.execute(uri: "/reply/\(app)", method: .post) { Int($0.status.code) } == 200)
            list = try await client.call(.get, "/v1/actions/\(id.rawValue)/answers", as: "auditor")
            let last = try #require((list.body["answers"] as? [[String: Any]])?.last)
            #expect(last["channel"] as? String == "app" && last["kind"] as? String == "acknowledgement" && last["person"] as? Int == 4)
        }
    }
}
