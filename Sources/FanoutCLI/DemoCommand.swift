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

struct DemoCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Build a synthetic registry (once, cached) and run two sample actions.",
        discussion: """
            Generates --count synthetic participants, imports them into an embedded SQLite registry in --dir (kept \
            for the next run; the import's notes and warnings are printed as by 'fanout import'), then selects a 2 \
            km circle around Amsterdam Dam square and a 10 km circle around Kerkrade that crosses into Germany, \
            printing the per-country counts, the time of each step and the first and last rows.

            Then it runs a full action on virtual time with the realistic simulated providers: a missing child near \
            Dam square, alerted by voice within 1 km, enlarged to 2 km after two minutes, ended with the end message \
            to everyone reached; with a progress bar on a terminal, the final counts and the ring report. Its ledger \
            is --dir/demo-action.sqlite (replaced each run; anything there that is not a file is refused, never \
            removed; inspect it with 'fanout action status --db ...').
            """)

    @Option(help: ArgumentHelp("Directory for the cached demo registry.", valueName: "DIR"))
    var dir: String = "demo-data"

    @Option(help: ArgumentHelp("Number of synthetic participants.", valueName: "N"))
    var count: Int = 1_600_000

    @Flag(help: "Skip the simulated action.")
    var noAction = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard Demo.countRange.contains(count) else {
            throw ValidationError("--count must be 1...20,000,000, got \(count)")
        }
    }

    func run() throws {
        let progress = ProgressLine()
        let prep = try Demo.prepare(in: URL(fileURLWithPath: dir), count: count, data: commandData) { stage, rows in
            progress.update("\(stage): \(grouped(rows)) of \(grouped(count))")
        }
        progress.finish()
        if let report = prep.importReport {
            for line in ImportText.notes(report, file: prep.csvPath) { note(line) }
        }
        if prep.built {
            print(
                "registry: built \(prep.databasePath): generate \(duration(prep.generateSeconds)), import \(duration(prep.importSeconds))"
            )
        } else {
            print("registry: using cached \(prep.databasePath)")
        }
        let clock = ContinuousClock()
        let t0 = clock.now
        let engine = try Engine.open(registryAt: prep.databasePath, data: commandData)
        let opened = (clock.now - t0).seconds
        let how = engine.indexSource == .storedSnapshot ? "loaded from the stored packed index" : "built from the rows"
        print("index: \(grouped(engine.index.columns.count)) participants, \(how), in \(duration(opened))")
        for action in Demo.actions {
            let result = try engine.select(action.request)
            print("")
            print("action: \(action.name)")
            print("  \(Summary.line(result))")
            let rows = result.participants
            let shown = rows.count <= 6 ? Array(rows) : Array(rows.prefix(3)) + Array(rows.suffix(3))
            print("  participant_id,distance_m,country")
            for (i, p) in shown.enumerated() {
                if rows.count > 6 && i == 3 { print("  ...") }
                print(
                    "  \(p.id),\(DecimalFormat.string(p.distanceMeters, decimals: 3)),\(p.country?.description ?? "")")
            }
        }
        if !noAction { try runDemoAction(engine: engine) }
    }

    private func runDemoAction(engine: Engine) throws {
        let scenario = Demo.actionScenario
        print("")
        print("action: \(scenario.name), simulated providers on virtual time")
        let bar = ProgressLine()
        let r = try Demo.runAction(
            scenario, engine: engine,
            ledgerPath: URL(fileURLWithPath: dir).appendingPathComponent("demo-action.sqlite").path
        ) { p in bar.update(ActionText.progressBar(p)) }
        bar.finish()
        print("  " + ActionText.plan(r.plan).replacingOccurrences(of: "\n", with: "\n  "))
        print("  T+0: action \(r.id) started, \(grouped(r.plan.recipients.count)) participants")
        print(
            "  T+\(ActionText.time(r.enlargedAt)): enlarged to \(Int(scenario.enlargedRadiusMeters)) m, \(grouped(r.added)) participants added"
        )
        print(
            "  T+\(ActionText.time(r.alertsDoneAt)): every alert done; ended, \(grouped(r.endMessages)) end messages to those reached"
        )
        print("  T+\(ActionText.time(r.finishedAt)): last end message done (\(duration(r.wallSeconds)) of wall time)")
        print("  " + ActionText.status(r.status).replacingOccurrences(of: "\n", with: "\n  "))
        print(ActionText.ringTable(r.rings, since: .zero))
        print("  ledger: \(r.ledgerPath)")
    }
}
