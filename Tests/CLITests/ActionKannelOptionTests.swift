import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// Choosing Kannel for `fanout action`'s SMS, without Kannel.
///
/// The `"kannel"` object of `--config` and `--sms-provider`: refused with the file and key named,
/// on virtual or faster time, and never showing the password. The runs through a real Kannel are
/// `ProviderAdapterTests/KannelActionCommandTests`.
@Suite(.serialized) struct ActionKannelOptionTests {
    static let shared: Result<ActionFixture, any Error> = Result {
        try ActionFixture(count: 40, label: "action-kannel")
    }
    static let password = "n0t-pr1nted"

    static func kannel(_ extra: String = "") -> String {
        """
        {"sms": {"perSecond": 50},
         "kannel": {"sendsmsURL": "http://127.0.0.1:9/cgi-bin/sendsms", "username": "fanout",
                    "password": "\(password)", "sender": "Burgernet"\(extra)}}
        """
    }

    static let start = [
        "start", "--lon", "5.1", "--lat", "52.08", "--radius", "300", "--incident-type", "burglary", "--message", "m",
        "--channels", "sms",
    ]

    @Test func kannelIsRefusedOnVirtualOrFasterTimeAndWithoutItsConfiguration() async throws {
        let fx = try Self.shared.get()
        let config = try fx.write("kannel.json", Self.kannel())
        let plain = try fx.write("plain.json", #"{"sms": {"perSecond": 50}}"#)
        let cases: [([String], String)] = [
            (
                ["run", "--config", config, "--clock", "virtual"],
                "--clock virtual cannot wait for real providers: SMS goes through Kannel (\(config)), which needs --clock real"
            ),
            (
                ["run", "--config", config, "--clock", "real", "--speed", "2"],
                "--speed 2.0: SMS goes through Kannel, on real time (speed 1)"
            ),
            (
                ["run", "--sms-provider", "kannel"],
                "--sms-provider kannel needs --config FILE with a \"kannel\" object"
            ),
            (["run", "--sms-provider", "kannel", "--config", plain], "\(plain) has no \"kannel\" object"),
            (["run", "--sms-provider", "pigeon"], "--sms-provider"),
            (Self.start + ["--config", config, "--clock", "virtual", "--run"], "--clock virtual cannot wait"),
        ]
        for (args, message) in cases {
            let r = try await fx.action(args)
            #expect(r.status == 64, "\(args): \(r.status)")
            #expect(r.stderr.contains(message), "\(args): \(r.stderr)")
            #expect(!r.stdout.contains("started"), "\(args): nothing may start")
            #expect(!(r.stdout + r.stderr).contains(Self.password))
        }
    }

    @Test(arguments: [
        (#", "workers": 0"#, "'kannel.workers' must be 1 to 64, got 0"),
        (#", "usename": "x""#, "'kannel.usename' is not a Kannel configuration key"),
        (#", "reportTimeoutSeconds": "soon""#, "'kannel.reportTimeoutSeconds' must be a number of seconds > 0"),
        (#", "reportListenPort": 65536"#, "'kannel.reportListenPort' must be 0 (any free port) to 65535"),
    ])
    func aBadKannelObjectIsRefusedNamingTheFileAndTheKey(extra: String, message: String) async throws {
        let fx = try Self.shared.get()
        let config = try fx.write("bad-\(UUID().uuidString).json", Self.kannel(extra))
        let r = try await fx.action(["run", "--config", config])
        #expect(r.status != 0)
        #expect(r.stderr.contains("\(config): \(message)"), "\(r.stderr)")
        #expect(!(r.stdout + r.stderr).contains(Self.password))
    }

    @Test func smsProviderSimulatedOverridesTheFilesKannelObject() async throws {
        let fx = try Self.shared.get()
        let config = try fx.write("kannel-sim.json", Self.kannel())
        // Virtual time and the simulation: Kannel (on a port where nobody listens) is not used.
        let r = try await fx.action(
            Self.start + ["--config", config, "--sms-provider", "simulated", "--simulation", "ideal", "--run"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("run: idle") && !r.stdout.contains("kannel:"), "\(r.stdout)")
        #expect(r.stdout.contains("alerts: delivered"), "\(r.stdout)")
        #expect(
            !(r.stdout + r.stderr).contains(Self.password) && !ActionFixture.leaksContactDetails(r.stdout + r.stderr))
    }

    @Test func aRunWithKannelUnreachableGivesUpAfterTheConfiguredTime() async throws {
        let fx = try ActionFixture(count: 40, label: "action-kannel-down")
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        // Nobody listens at Kannel's port: every hand-over is refused as unreachable (throttled).
        let config = try fx.write(
            "kannel.json", Self.kannel().replacingOccurrences(of: #"{"sms": {"perSecond": 50},"#, with: #"{"sms": {"perSecond": 50}, "backPressure": {"giveUpSeconds": 3},"#))
        let start = try await fx.action(Self.start + ["--config", config, "--run"])
        #expect(start.status == 0, "\(start.stderr)")
        let status = try await fx.action(["status", "1"])
        #expect(status.stdout.contains("alerts: failed"), "\(status.stdout)")
        #expect(!status.stdout.contains("queued") && !status.stdout.contains("sent "), "\(status.stdout)")
        // One warning when the rejections start and one error at the give-up, not one a second.
        let loud = start.stderr.split(separator: "\n").filter { $0.contains("warning") || $0.contains("error") }
        #expect(loud.filter { $0.contains("provider") }.count == 2, "\(start.stderr)")
        #expect(!(start.stdout + start.stderr).contains(Self.password))
    }

    @Test func anActionIsResumedOnlyOnTheSMSProviderItWasStartedWith() async throws {
        let fx = try ActionFixture(count: 40, label: "action-kannel-resume")
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        // Kannel at a port where nobody listens: without --run nothing is handed over, so no
        // command here reaches it.
        let config = try fx.write("kannel.json", Self.kannel())
        let start = try await fx.action(Self.start + ["--config", config])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("none handed to Kannel yet"), "\(start.stdout)")
        for args in [["run"], ["run", "--config", config, "--sms-provider", "simulated"], ["stop", "1"]] {
            let r = try await fx.action(args)
            #expect(r.status == 2, "\(args): \(r.stdout)")
            #expect(
                r.stderr.contains(
                    "action 1 sends its SMS through Kannel (recorded when it started), not through the simulation"),
                "\(args): \(r.stderr)")
        }
        let stop = try await fx.action(["stop", "1", "--config", config])
        #expect(stop.status == 0 && stop.stdout.contains("action 1 stopped"), "\(stop.stderr)")
        let end = try await fx.action(["end", "1", "--result", "Found", "--config", config])
        #expect(end.status == 0 && end.stdout.contains("0 end messages queued"), "\(end.stdout) \(end.stderr)")

        // The other way round: an action on the simulation is not taken up by Kannel.
        let simulated = try await fx.action(Self.start + ["--simulation", "ideal"])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let refused = try await fx.action(["run", "--config", config])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains("action 2 sends its SMS through the simulation (recorded when it started)"),
            "\(refused.stderr)")
        let run = try await fx.action(["run", "--simulation", "ideal"])
        #expect(run.status == 0 && run.stdout.contains("resumed 1 unfinished action: 2"), "\(run.stdout)")
        for r in [start, stop, end, simulated, refused, run] {
            #expect(!(r.stdout + r.stderr).contains(Self.password))
        }
    }
}
