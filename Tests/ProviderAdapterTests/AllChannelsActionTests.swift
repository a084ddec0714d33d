@testable import ChannelAdapters
import Crypto
import FanOut
import FanoutEngine
import Foundation
import Geo
import Participants
import ProviderAdapters
import Selection
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One action that reaches its participants through four real peers at once: calls to SIPp (each
/// callee presses 1 after the message), texts to Kannel's fake SMSC, mails to Postfix's smtp-sink
/// and app pushes to the Web Push service (which decrypts each with http_ece). Started once from
/// the command line (`fanout action start --run`) and once from `fanout serve` (the app's
/// subscriptions registered through the API); then checked against what each peer received, the
/// ledger's states, the answers the key presses left, and the personal reply links in every mail
/// and push.
@Suite(
    .serialized,
    .enabled(
        if: KannelPeer.shouldRun && SIPPeer.shouldRun && WebPushPeer.shouldRun,
        "Kannel, SIPp, espeak-ng, sox, smtp-sink or the Web Push service missing"))
struct AllChannelsActionTests {
    static let mailSecret = "all-channels-reply-secret-0123456789"
    static let appSecret = "all-channels-app-secret-0123456789"

    /// The four peers, a registry of 16 participants 50 m apart going north (4 prefer voice,
    /// 4 SMS, 4 e-mail, 4 the app) and the dispatcher configuration naming every peer.
    final class Peers: @unchecked Sendable {
        // @unchecked: one test owns it; the peers guard their own state.
        let kannel: KannelPeer
        let sipp: SIPPeer
        let sink: SMTPPeer
        let push: WebPushPeer
        let dir: URL
        let db: String
        let config: String
        var subscriptions: [Int64: PushSubscription] = [:]

        static let persons: [Channel: Set<Int64>] = [
            .voice: [1, 5, 9, 13], .sms: [2, 6, 10, 14], .email: [3, 7, 11, 15], .app: [4, 8, 12, 16],
        ]

        init(label: String) async throws {
            kannel = try KannelPeer()
            try await kannel.start()
            // Four voice callees; each presses 1 half a second after answering (RFC 4733, SIPp's pcap).
            sipp = try SIPPeer(
                scenario: SIPScenarios.answersAndPresses("/usr/share/sip-tester/dtmf_2833_1.pcap", afterMilliseconds: 500))
            try sipp.start(calls: 4, timeoutSeconds: 180)
            sink = try SMTPPeer.sink()
            push = try await WebPushPeer(tls: true)
            dir = try Fixtures.temporaryDirectory(label)
            db = dir.appendingPathComponent("registry.sqlite").path
            var csv = "id,lon,lat,country,phone,email,channels\n"
            let channels = ["voice", "sms", "email", "app"]
            for i in 1...16 {
                csv += "\(i),5.1214,\(52.0908 + Double(i) * 0.00045),NL,+3162\(1_000_000 + i),p\(i)@example.org,"
                    + "\(channels[(i - 1) % 4])\n"
            }
            try csv.write(to: dir.appendingPathComponent("people.csv"), atomically: true, encoding: .utf8)
            let imported = try await CommandRunner.run(["import", "--db", db, "--csv", "people.csv"], in: dir)
            guard imported.status == 0 else { throw KannelPeerError("import failed: \(imported.stderr)") }
            for person in Self.persons[.app] ?? [] {
                subscriptions[person] = try push.subscribe(token: "p\(person)")
            }
            let cache = dir.appendingPathComponent("audio").path
            config = dir.appendingPathComponent("dispatch.json").path
            let vapid = Base64URL.encode(Array(P256.Signing.PrivateKey().rawRepresentation))
            try """
            {
              "sms": {"perSecond": 50, "batchSize": 5}, "email": {"perSecond": 50, "batchSize": 5},
              "app": {"perSecond": 50, "batchSize": 5}, "voice": {"lines": 4, "typicalCallSeconds": 10},
              "kannel": {"sendsmsURL": "\(kannel.sendsmsURL)", "username": "\(KannelPeer.username)",
                         "password": "\(KannelPeer.password)", "sender": "Burgernet", "reportTimeoutSeconds": 60},
              "sip": {"proxyHost": "127.0.0.1", "proxyPort": \(sipp.port), "username": "fanout", "password": "x",
                      "localHost": "127.0.0.1", "lines": 4, "dtmfWaitSeconds": 2, "audioCacheDirectory": "\(cache)"},
              "smtp": {"host": "127.0.0.1", "port": \(sink.port), "startTLS": "off", "fromAddress": "alert@burgernet.example",
                       "replyBaseURL": "https://burgernet.example/reply/", "replySecret": "\(AllChannelsActionTests.mailSecret)"},
              "webpush": {"vapidSubject": "mailto:meldkamer@burgernet.example", "vapidPrivateKey": "\(vapid)",
                          "trustedCAFile": "\(push.caFile)", "replyBaseURL": "https://burgernet.example/reply/",
                          "replySecret": "\(AllChannelsActionTests.appSecret)"}
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func stop() {
            kannel.stop()
            sipp.stop()
            sink.stop()
            push.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        /// Checks what every peer received and what the ledger holds for action `id`; returns the
        /// app reply links of the pushes by person.
        func check(_ id: ActionID, output: [String]) async throws -> [Int64: [String: String]] {
            let ledger = try Ledger.open(at: db, readOnly: true)
            let alerts = try ledger.messages(of: id).filter { $0.key.kind == .alert }
            #expect(alerts.count == 16)
            #expect(alerts.allSatisfy { $0.state == .delivered }, "\(alerts.map(\.state))")
            let byChannel = Dictionary(grouping: alerts, by: \.channel).mapValues { Set($0.map(\.key.person)) }
            #expect(byChannel == Self.persons)
            let texts = try kannel.received().filter { $0.sender == "Burgernet" }
            #expect(Set(texts.map(\.receiver)) == Set((Self.persons[.sms] ?? []).map { "+3162\(1_000_000 + $0)" }))
            #expect(try await sipp.waitForExit(seconds: 60) == 0, "\(sipp.log())")
            // Each callee pressed 1: four sightings by voice in the ledger.
            let answers = try ledger.answers(to: id).map(\.answer).filter { $0.channel == .voice }
            #expect(Set(answers.map(\.person)) == Self.persons[.voice])
            #expect(answers.allSatisfy { $0.kind == .sighting })
            // Four mails, each with its person's own reply link.
            let mails = try sink.mails()
            #expect(mails.count == 4)
            let mailTokens = try MailReplyToken(secret: Array(AllChannelsActionTests.mailSecret.utf8))
            var linked: Set<Int64> = []
            for mail in mails {
                let unfolded = mail.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
                guard let r = unfolded.range(of: "https://burgernet.example/reply/") else {
                    Issue.record("a mail without a reply link")
                    continue
                }
                if let claims = mailTokens.claims(String(unfolded[r.upperBound...].prefix(MailReplyToken.length))) {
                    #expect(claims.action == id && claims.channel == .email)
                    linked.insert(claims.person)
                }
            }
            #expect(linked == Self.persons[.email])
            // Four pushes, decrypted by the push service, each with its person's reply links.
            let pushes = try push.received()
            #expect(pushes.allSatisfy { $0.error == nil && $0.status == 201 }, "\(pushes.compactMap(\.error))")
            #expect(Set(pushes.map(\.token)) == Set((Self.persons[.app] ?? []).map { "p\($0)" }))
            let appTokens = try MailReplyToken(secret: Array(AllChannelsActionTests.appSecret.utf8))
            var replies: [Int64: [String: String]] = [:]
            for p in pushes {
                let person = try #require(Int64(p.token.dropFirst()))
                #expect((p.payload["text"] as? String)?.contains("Vermist: Sanne (8), rode jas.") == true, "\(p.payload)")
                let links = try #require(p.payload["replies"] as? [String: String])
                let token = String((links["sighting"] ?? "").dropFirst("https://burgernet.example/reply/".count))
                #expect(appTokens.claims(token) == .init(action: id, person: person, kind: .sighting, channel: .app))
                replies[person] = links
            }
            // No phone number, address, endpoint or password in what was printed.
            for text in output {
                #expect(!text.contains("+3162") && !text.contains("@example.org") && !text.contains(KannelPeer.password))
                #expect(!text.contains("/push/p"))
            }
            return replies
        }
    }

    @Test func oneActionFromTheCommandLineReachesEveryoneThroughFourPeersAtOnce() async throws {
        let peers = try await Peers(label: "all-channels-cli")
        defer { peers.stop() }
        // The app registered its subscriptions (the service's PUT does this; here the registry).
        let registry = try Registry.open(at: peers.db)
        for (person, s) in peers.subscriptions { try registry.setPushSubscription(person: person, s) }
        let run = try await CommandRunner.run(
            [
                "action", "start", "--db", peers.db, "--config", peers.config, "--lon", "5.1214", "--lat", "52.0908",
                "--radius", "900", "--incident-type", "missing-child", "--message", "Vermist: Sanne (8), rode jas.",
                "--channels", "voice,sms,email,app", "--confirm", "--run",
            ], in: peers.dir)
        #expect(run.status == 0, "\(run.stderr)\n\(peers.sipp.log())")
        #expect(run.stdout.contains("sip: 4 calls placed, 4 answered"), "\(run.stdout)")
        #expect(run.stdout.contains("smtp: 4 mails accepted"), "\(run.stdout)")
        _ = try await peers.check(ActionID(rawValue: 1), output: [run.stdout, run.stderr])
    }

    @Test func oneActionFromTheServiceReachesEveryoneThroughFourPeersAndTheAppAnswers() async throws {
        let peers = try await Peers(label: "all-channels-serve")
        defer { peers.stop() }
        let tokens = ["dispatcher": "all-peers-dispatcher-0123", "registrar": "all-peers-registrar-0123"]
        func sha(_ t: String) -> String { SHA256.hash(data: Data(t.utf8)).map { String(format: "%02x", $0) }.joined() }
        let serveConfig = try Fixtures.write(
            """
            {"tokens": [{"subject": "mk", "role": "dispatcher", "sha256": "\(sha(tokens["dispatcher"]!))"},
                        {"subject": "reg", "role": "registrar", "sha256": "\(sha(tokens["registrar"]!))"}],
             "dispatch": "\(peers.config)"}
            """, named: "serve.json", in: peers.dir)
        let port = try KannelPeer.unusedPorts(1)[0]
        let log = peers.dir.appendingPathComponent("serve.log")
        let serve = try ChildProcess(
            try CommandRunner.executable().path,
            ["serve", "--db", peers.db, "--config", serveConfig, "--listen", "127.0.0.1:\(port)"], output: log)
        defer { serve.stop() }
        let base = "http://127.0.0.1:\(port)"
        func call(_ method: String, _ path: String, as role: String?, _ body: String? = nil) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: base + path)!)
            request.httpMethod = method
            if let role { request.setValue("Bearer \(tokens[role]!)", forHTTPHeaderField: "Authorization") }
            if let body {
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        var ready = false
        let deadline = ContinuousClock.now + .seconds(120)
        while !ready, ContinuousClock.now < deadline {
            ready = (try? await call("GET", "/readyz", as: nil).0) == 200
            if !ready { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(ready, "\((try? String(contentsOf: log, encoding: .utf8))?.suffix(2000) ?? "")")

        // The app registers each subscription through the API, as the browser gave it.
        for (person, s) in peers.subscriptions.sorted(by: { $0.key < $1.key }) {
            let put = try await call(
                "PUT", "/v1/participants/\(person)/push-subscription", as: "registrar",
                #"{"endpoint": "\#(s.endpoint)", "expirationTime": null, "keys": {"p256dh": "\#(s.p256dh)", "auth": "\#(s.auth)=="}}"#)
            #expect(put.0 == 200, "\(put.1)")
        }
        let badKey = try await call(
            "PUT", "/v1/participants/4/push-subscription", as: "registrar",
            #"{"endpoint": "https://push.example/x", "keys": {"p256dh": "AAAA", "auth": "AAAA"}}"#)
        #expect(badKey.0 == 422 && badKey.1.contains("keys.p256dh"), "\(badKey.1)")
        #expect(try await call("PUT", "/v1/participants/4/push-subscription", as: "dispatcher", "{}").0 == 403)

        let started = try await call(
            "POST", "/v1/actions", as: "dispatcher",
            #"{"circle": {"lon": 5.1214, "lat": 52.0908, "radius_m": 900}, "incident_type": "missing-child", "#
                + #""texts": {"nl": "Vermist: Sanne (8), rode jas."}, "channels": ["voice", "sms", "email", "app"], "confirm": true}"#)
        #expect(started.0 == 201, "\(started.1)")
        let id = ActionID(rawValue: 1)
        let db = peers.db
        let done = try await eventually(seconds: 180) {
            let ledger = try Ledger.open(at: db, readOnly: true)
            return try ledger.messages(of: id).filter { $0.key.kind == .alert && $0.state == .delivered }.count == 16
        }
        #expect(done, "\((try? String(contentsOf: log, encoding: .utf8))?.suffix(3000) ?? "")")
        let logText = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        let replies = try await peers.check(id, output: [logText])

        // A participant taps "seen" in the app: the service records an app sighting.
        let link = try #require(replies[8]?["sighting"])
        let token = String(link.dropFirst("https://burgernet.example/reply/".count))
        #expect(try await call("POST", "/reply/\(token)", as: nil).0 == 200)
        let answers = try Ledger.open(at: peers.db, readOnly: true).answers(to: id).map(\.answer)
        #expect(answers.contains { $0.person == 8 && $0.channel == .app && $0.kind == .sighting }, "\(answers)")
    }
}
