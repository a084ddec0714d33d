import ArgumentParser
import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

struct LoadTestDispatchCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "dispatch",
        abstract: "Load-test the dispatcher on virtual time: a realistic month and the worst case.",
        discussion: """
            month: 667 time-critical actions (voice, SMS, app; 500 m – 5 km around population-weighted places, ended \
            20–90 minutes later) and 1,500 neighbourhood e-mails at random moments of 30 days (DOMAIN.md's 2016 \
            figures). worst-case: three 10 km actions (Amsterdam, Rotterdam, The Hague) and a regional crisis alert \
            around Utrecht sized to at least 200,000 participants, all at once, each ended when its alerts are done. \
            Providers are simulated (call durations, busy and no-answer rates, delivery delays); participants prefer \
            voice 36%, SMS 36%, app 28%.

            Prints messages per channel, time until 50/90/100% of each action was reached, the largest queue, \
            repeats, and the dispatcher's CPU per message and messages per second of wall time (area selections \
            timed apart). A progress bar is drawn on a terminal. Build with -c release for meaningful figures.
            """)

    /// `loadtest` itself: its `--db` names the registry.
    @ParentCommand var loadtest: LoadTestCommand
    var db: String { loadtest.db }

    @Option(help: ArgumentHelp("Which scenario to run.", valueName: "month|worst-case|both"))
    var scenario: String = "both"

    @Option(help: ArgumentHelp("Time-critical actions in the month.", valueName: "N"))
    var urgent: Int = 667

    @Option(help: ArgumentHelp("Non-urgent e-mails in the month.", valueName: "N"))
    var mails: Int = 1_500

    @Option(help: ArgumentHelp("Seed of the month's actions and of the simulated providers.", valueName: "N"))
    var seed: UInt64 = 2016

    @Option(help: ArgumentHelp("Simulated providers: realistic or ideal.", valueName: "realistic|ideal"))
    var simulation: String = "realistic"

    @Option(help: ArgumentHelp("Provider limits (JSON).", valueName: "dispatch.json"))
    var config: String?

    @Option(
        help: ArgumentHelp("Also write the ledger to this new SQLite file (default: no ledger).", valueName: "FILE"))
    var ledger: String?

    @Flag(name: .customLong("json"), help: JSONOutput.flagHelp("Printed at the end."))
    var ownJSON = false
    /// `--json`, which the parser may give to `loadtest` itself when it follows `dispatch`.
    var json: Bool { ownJSON || loadtest.json }
    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard ["month", "worst-case", "both"].contains(scenario) else {
            throw ValidationError("--scenario must be month, worst-case or both, got '\(scenario)'")
        }
        guard ProviderSimulation.names.contains(simulation) else {
            throw ValidationError("--simulation: unknown simulation '\(simulation)'")
        }
        guard urgent >= 0 && mails >= 0 && urgent <= DispatchLoadTest.maxActions - mails else {
            throw ValidationError("--urgent and --mails must be 0 or more, together at most 1,000,000")
        }
        if let ledger {
            // With both scenarios the ledgers are FILE.1 and FILE.2: none of them may exist (not even as a link).
            for path in [ledger] + (scenario == "both" ? ["\(ledger).1", "\(ledger).2"] : [])
            where (try? FileManager.default.attributesOfItem(atPath: path)) != nil {
                throw failDuringValidation(
                    CommandFailure(
                        .refused, "--ledger \(ledger): \(path) exists; give a new file (it is never overwritten)"))
            }
        }
    }

    func run() throws {
        try requireRegistry(db)
        let config = try config.map { try DispatchConfig.load(from: URL(fileURLWithPath: $0)) } ?? DispatchConfig()
        let sim = ProviderSimulation.named(simulation, seed: seed) ?? .realistic(seed: seed)
        let engine = try Engine.open(registryAt: db, data: commandData)
        if !json {
            print("participants: \(grouped(engine.columns.count)); providers simulated ('\(simulation)'); virtual time")
        }
        var scenarios: [DispatchScenario] = []
        var plans: [(String, [DispatchLoadTest.PlannedAction])] = []
        if scenario != "worst-case" {
            plans.append(("month", try DispatchLoadTest.month(urgent: urgent, mails: mails, seed: seed)))
        }
        if scenario != "month" { plans.append(("worst case", try DispatchLoadTest.worstCase(engine: engine))) }
        for (i, (name, plan)) in plans.enumerated() {
            let bar = ProgressLine()
            let path = ledger.map { plans.count > 1 ? "\($0).\(i + 1)" : $0 }
            let report = try DispatchLoadTest.run(
                plan, engine: engine, simulation: sim, config: config, ledgerPath: path
            ) { share in bar.update("\(name): \(Int(share * 100))% of the actions started") }
            bar.finish()
            scenarios.append(
                DispatchScenario(name: name == "worst case" ? "worst-case" : name, ledger: path, report: report))
            if !json {
                print("")
                print(LoadTestText.report(name, report, worstCase: name == "worst case"))
            }
        }
        if json {
            try JSONOutput.print(
                .loadtestDispatch, JSONOutput.Fields(),
                adding: [
                    "participants": engine.columns.count, "simulation": simulation, "seed": seed,
                    "scenarios": scenarios,
                ])
        }
    }
}

/// Text of the dispatcher load test.
enum LoadTestText {
    static func report(_ name: String, _ r: DispatchLoadTest.Report, worstCase: Bool) -> String {
        var lines = [
            "## \(name): \(grouped(r.actions.count)) actions over T+\(ActionText.time(r.span)) of virtual time"
        ]
        lines.append("| channel | handed over | delivered | busy | no answer | failed | rejected (overload) |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in Channel.allCases {
            guard let k = r.perChannel[c], k.handedOver > 0 else { continue }
            let v = { (d: DeliveryResult) in grouped(k.results[d] ?? 0) }
            lines.append(
                "| \(c.rawValue) | \(grouped(k.handedOver)) | \(v(.delivered)) | \(v(.busy)) | \(v(.noAnswer)) | \(v(.failed)) | \(v(.throttled)) |"
            )
        }
        lines.append(
            "messages: \(grouped(r.messages)) (alerts and end messages); retries and repeats: \(grouped(r.repeats)); "
                + "rejected by an overloaded provider and offered again: \(grouped(r.rejected)); "
                + "largest queue: \(grouped(r.maxQueued)) messages at T+\(ActionText.time(r.maxQueuedAt))")
        let perMessage = r.dispatchCPUSeconds / Double(max(r.messages, 1))
        lines.append(
            "dispatcher: \(DecimalFormat.string(r.dispatchCPUSeconds, decimals: 2)) s CPU = "
                + "\(DecimalFormat.string(perMessage * 1e6, decimals: 2)) µs per message; "
                + "\(DecimalFormat.string(r.dispatchWallSeconds, decimals: 2)) s wall = "
                + "\(grouped(Int(Double(r.messages) / max(r.dispatchWallSeconds, 1e-9)))) messages per second of wall time"
                + "\(r.withLedger ? " (ledger written)" : " (no ledger)"); area selections \(duration(r.selectionSeconds)) apart"
        )
        if worstCase {
            lines.append("| action | included | reached | 50% reached | 90% | 100% |")
            lines.append("| --- | ---: | ---: | ---: | ---: | ---: |")
            for a in r.actions {
                lines.append(
                    "| \(a.name) | \(grouped(a.included)) | \(grouped(a.reached)) | \(t(a.t50)) | \(t(a.t90)) | \(t(a.t100)) |"
                )
            }
        } else {
            for (label, filter) in [
                ("urgent", { (a: DispatchLoadTest.ActionFigures) in !a.name.hasPrefix("mail") }),
                ("mail", { (a: DispatchLoadTest.ActionFigures) in a.name.hasPrefix("mail") }),
            ] {
                let set = r.actions.filter(filter)
                guard !set.isEmpty else { continue }
                let sizes = set.map(\.included).sorted()
                lines.append(
                    "\(label): \(grouped(set.count)) actions, participants per action median \(grouped(sizes[sizes.count / 2])), "
                        + "max \(grouped(sizes.last ?? 0)); time from start until reached (median / 90th percentile / max over actions):"
                )
                for (share, key) in [("50%", \DispatchLoadTest.ActionFigures.t50), ("90%", \.t90), ("100%", \.t100)] {
                    let ts = set.compactMap { $0[keyPath: key] }.sorted()
                    guard !ts.isEmpty else { continue }
                    lines.append(
                        "  \(share): \(ActionText.time(ts[ts.count / 2])) / \(ActionText.time(ts[min(ts.count - 1, ts.count * 9 / 10)])) / \(ActionText.time(ts[ts.count - 1]))"
                    )
                }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func t(_ d: Duration?) -> String { d.map { "+" + ActionText.time($0) } ?? "–" }
}
