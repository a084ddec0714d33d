import ChannelAdapters
import FanOut
import FanoutEngine
import Foundation
import Geo
import Participants
import ProviderAdapters
import Selection
import TestSupport
import Testing

/// One `fanout action start --run` that reaches its participants through three real peers at
/// once: calls to SIPp (each callee presses 1 after the message), texts to Kannel's fake SMSC and
/// mails to Postfix's smtp-sink; then checked against what each peer received, the ledger's
/// states, the answers the key presses left, and the personal reply link in every mail.
@Suite(
    .serialized,
    .enabled(if: KannelPeer.shouldRun && SIPPeer.shouldRun, "Kannel, SIPp, espeak-ng, sox or smtp-sink missing"))
struct AllChannelsActionTests {
    static let secret = "all-channels-reply-secret-0123456789"

    @Test func oneActionReachesEveryoneThroughSIPKannelAndSMTPAtOnce() async throws {
        let kannel = try KannelPeer()
        defer { kannel.stop() }
        try await kannel.start()
        // Four voice callees; each presses 1 half a second after answering (RFC 4733, SIPp's pcap).
        let sipp = try SIPPeer(
            scenario: SIPScenarios.answersAndPresses("/usr/share/sip-tester/dtmf_2833_1.pcap", afterMilliseconds: 500))
        defer { sipp.stop() }
        try sipp.start(calls: 4, timeoutSeconds: 120)
        let sink = try SMTPPeer.sink()
        defer { sink.stop() }

        // 12 participants 50 m apart going north: 4 prefer voice, 4 SMS, 4 e-mail.
        let dir = try Fixtures.temporaryDirectory("all-channels")
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("registry.sqlite").path
        var csv = "id,lon,lat,country,phone,email,channels\n"
        let channels = ["voice", "sms", "email"]
        for i in 1...12 {
            csv += "\(i),5.1214,\(52.0908 + Double(i) * 0.00045),NL,+3162\(1_000_000 + i),p\(i)@example.org,\(channels[(i - 1) % 3])\n"
        }
        try csv.write(to: dir.appendingPathComponent("people.csv"), atomically: true, encoding: .utf8)
        let imported = try await CommandRunner.run(["import", "--db", db, "--csv", "people.csv"], in: dir)
        #expect(imported.status == 0, "\(imported.stderr)")
        let cache = dir.appendingPathComponent("audio").path
        let config = dir.appendingPathComponent("dispatch.json").path
        try """
        {
          "sms": {"perSecond": 50, "batchSize": 5}, "email": {"perSecond": 50, "batchSize": 5},
          "voice": {"lines": 4, "typicalCallSeconds": 10},
          "kannel": {"sendsmsURL": "\(kannel.sendsmsURL)", "username": "\(KannelPeer.username)",
                     "password": "\(KannelPeer.password)", "sender": "Burgernet", "reportTimeoutSeconds": 60},
          "sip": {"proxyHost": "127.0.0.1", "proxyPort": \(sipp.port), "username": "fanout", "password": "x",
                  "localHost": "127.0.0.1", "lines": 4, "dtmfWaitSeconds": 2, "audioCacheDirectory": "\(cache)"},
          "smtp": {"host": "127.0.0.1", "port": \(sink.port), "startTLS": "off", "fromAddress": "alert@burgernet.example",
                   "replyBaseURL": "https://burgernet.example/reply/", "replySecret": "\(Self.secret)"}
        }
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let run = try await CommandRunner.run(
            [
                "action", "start", "--db", db, "--config", config, "--lon", "5.1214", "--lat", "52.0908", "--radius",
                "700", "--incident-type", "missing-child", "--message", "Vermist: Sanne (8), rode jas.",
                "--channels", "voice,sms,email", "--confirm", "--run",
            ], in: dir)
        #expect(run.status == 0, "\(run.stderr)\n\(sipp.log())")
        #expect(run.stdout.contains("sip: 4 calls placed, 4 answered"), "\(run.stdout)")
        #expect(run.stdout.contains("smtp: 4 mails accepted"), "\(run.stdout)")

        // Every participant once, on their own channel, and the ledger says so.
        let ledger = try Ledger.open(at: db)
        let id = ActionID(rawValue: 1)
        let alerts = try ledger.messages(of: id).filter { $0.key.kind == .alert }
        #expect(alerts.count == 12)
        #expect(alerts.allSatisfy { $0.state == .delivered }, "\(alerts.map(\.state))")
        let byChannel = Dictionary(grouping: alerts, by: \.channel).mapValues { Set($0.map(\.key.person)) }
        #expect(byChannel[.voice] == [1, 4, 7, 10])
        #expect(byChannel[.sms] == [2, 5, 8, 11])
        #expect(byChannel[.email] == [3, 6, 9, 12])
        let texts = try kannel.received().filter { $0.sender == "Burgernet" }
        #expect(Set(texts.map(\.receiver)) == Set([2, 5, 8, 11].map { "+3162\(1_000_000 + $0)" }))
        #expect(try await sipp.waitForExit(seconds: 60) == 0, "\(sipp.log())")
        // Each callee pressed 1: four sightings by voice in the ledger.
        let answers = try ledger.answers(to: id).map(\.answer)
        #expect(Set(answers.map(\.person)) == [1, 4, 7, 10])
        #expect(answers.allSatisfy { $0.kind == .sighting && $0.channel == .voice })
        // Four mails, each with its person's own reply link, which the service's verifier accepts.
        let mails = try sink.mails()
        #expect(mails.count == 4)
        let verifier = try MailReplyToken(secret: Array(Self.secret.utf8))
        var linked: Set<Int64> = []
        for mail in mails {
            let unfolded = mail.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=\n", with: "")
            guard let r = unfolded.range(of: "https://burgernet.example/reply/") else {
                Issue.record("a mail without a reply link")
                continue
            }
            let token = String(unfolded[r.upperBound...].prefix(MailReplyToken.length))
            if let claims = verifier.verify(token) {
                #expect(claims.action == id)
                linked.insert(claims.person)
            }
        }
        #expect(linked == [3, 6, 9, 12])
        // No phone number, address or password in what the command printed.
        for text in [run.stdout, run.stderr] {
            #expect(!text.contains("+3162") && !text.contains("@example.org") && !text.contains(KannelPeer.password))
        }
    }
}
