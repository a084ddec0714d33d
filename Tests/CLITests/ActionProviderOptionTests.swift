import FanOut
import Foundation
import TestSupport
import Testing

/// Choosing the providers of calls, mail and pushes for `fanout action`, without their peers: an
/// action records every channel's provider when it starts and is resumed on no other; the real
/// providers refuse virtual time; the choice options insist on their configuration object. The
/// runs through the real peers are `ProviderAdapterTests` (SIP, SMTP, Web Push, all at once).
@Suite(.serialized) struct ActionProviderOptionTests {
    static let secret = "n0t-pr1nted-reply-secret-0123456789"

    /// A configuration whose SMTP relay is a port where nobody listens (nothing is sent without --run).
    static let smtp = """
        {"email": {"perSecond": 50},
         "smtp": {"host": "127.0.0.1", "port": 9, "startTLS": "off", "fromAddress": "alert@burgernet.example",
                  "replyBaseURL": "https://burgernet.example/reply/", "replySecret": "\(secret)"}}
        """

    static let start = [
        "start", "--lon", "5.1", "--lat", "52.08", "--radius", "300", "--incident-type", "burglary", "--message", "m",
        "--channels", "email", "--urgency", "low",
    ]

    @Test func anActionIsResumedOnlyOnTheMailProviderItWasStartedWith() async throws {
        let fx = try ActionFixture(count: 40, label: "action-smtp-resume")
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        let config = try fx.write("smtp.json", Self.smtp)
        let start = try await fx.action(Self.start + ["--config", config])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("none handed to SMTP yet"), "\(start.stdout)")
        let recorded = try Ledger.open(at: fx.db, readOnly: true).unfinishedProviders().first?.providers
        #expect(recorded == "sms=simulated,voice=simulated,email=smtp,app=simulated")
        for args in [["run"], ["run", "--config", config, "--email-provider", "simulated"]] {
            let r = try await fx.action(args)
            #expect(r.status == 2, "\(args): \(r.stdout)")
            #expect(
                r.stderr.contains(
                    "action 1 sends its email through SMTP (recorded when it started), not through the simulation"),
                "\(args): \(r.stderr)")
            #expect(!(r.stdout + r.stderr).contains(Self.secret))
        }
        // Real mail cannot wait on virtual time; the option insists on its object.
        for (args, message) in [
            (["run", "--config", config, "--clock", "virtual"], "--clock virtual cannot wait for real providers: mail goes over SMTP"),
            (["run", "--voice-provider", "sip"], "--voice-provider sip needs --config FILE with a \"sip\" object"),
            (["run", "--config", config, "--app-provider", "webpush"], "has no \"webpush\" object"),
            (["run", "--email-provider", "carrier-pigeon"], "--email-provider"),
        ] {
            let r = try await fx.action(args)
            #expect(r.status == 64, "\(args): \(r.status) \(r.stderr)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
        }
    }
}
