import ArgumentParser
import FanoutEngine
import Foundation

struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Start, enlarge, stop and end alert actions against the embedded database, and run them.",
        discussion: """
            The registry file (--db) also holds the dispatcher's ledger: every action and every
            message's state under its idempotency key (action/person/kind). Each command is one
            process: it resumes every unfinished action from the ledger (messages the ledger shows
            in flight are sent again under the same key), applies the command, writes the ledger
            and exits. Messages handed over just before a command exits are re-sent under their
            key by the next process; give --run to keep processing until nothing is queued or in
            flight.

            Providers are simulated (--simulation realistic|ideal, seeded and deterministic); with
            --provider-record FILE every hand-over is also appended to FILE (the kill -9 test's
            provider-side record). Nothing is sent to a real network.

            Time: --clock virtual (default) runs without waiting and continues from the ledger's
            last recorded time; --clock real waits on the wall clock (--speed N runs it N times
            as fast).
            """,
        subcommands: [
            ActionStartCommand.self, ActionEnlargeCommand.self, ActionStopCommand.self, ActionEndCommand.self,
            ActionRunCommand.self, ActionStatusCommand.self, ActionExplainCommand.self,
        ])
}

/// `virtual` or `real` on the command line.
enum ClockArgument: String, ExpressibleByArgument, CaseIterable {
    case virtual, real
}

/// Options every `fanout action` command shares: the database, limits, clock and providers.
struct DeskOptions: ParsableArguments {
    @Option(help: "The registry database, which also holds the ledger.")
    var db: String

    @Option(help: ArgumentHelp("Provider limits and confirmation thresholds (JSON).", valueName: "dispatch.json"))
    var config: String?

    @Option(help: "Clock: virtual (no waiting) or real.")
    var clock: ClockArgument = .virtual

    @Option(help: "With --clock real: dispatcher seconds per wall-clock second.")
    var speed: Double = 1

    @Option(help: "Simulated providers: realistic or ideal.")
    var simulation: String = "realistic"

    @Option(help: "Seed of the simulated providers' outcomes.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Append every hand-over to this provider-record file.", valueName: "FILE"))
    var providerRecord: String?

    @Option(help: "Ledger changes written per transaction (bounds the repeats after a crash).")
    var ledgerBatch: Int = 256

    func validate() throws {
        guard speed > 0 && speed.isFinite && speed <= 1_000_000 else {
            throw ValidationError("--speed must be a positive number up to 1,000,000, got \(speed)")
        }
        if speed != 1 && clock != .real { throw ValidationError("--speed applies to --clock real only") }
        guard ProviderSimulation.names.contains(simulation) else {
            throw ValidationError(
                "--simulation: unknown simulation '\(simulation)' (\(ProviderSimulation.names.joined(separator: ", ")))"
            )
        }
        guard ledgerBatch >= 1 && ledgerBatch <= 1_000_000 else {
            throw ValidationError("--ledger-batch must be 1...1,000,000, got \(ledgerBatch)")
        }
    }

    /// The dispatcher configuration: the file's, or the defaults.
    func dispatchConfig() throws -> DispatchConfig {
        guard let config else { return DispatchConfig() }
        return try DispatchConfig.load(from: URL(fileURLWithPath: config))
    }

    /// Opens the desk: ledger, providers, resumed dispatcher.
    func openDesk() throws -> ActionDesk {
        guard FileManager.default.fileExists(atPath: db) else {
            throw ValidationError("--db \(db): no such registry (create one with 'fanout import' or 'fanout demo')")
        }
        let simulation = ProviderSimulation.named(simulation, seed: seed) ?? .realistic(seed: seed)
        return try ActionDesk(
            db: db, config: try dispatchConfig(),
            providers: DeskProviders(simulation: simulation, recordPath: providerRecord),
            clock: clock == .virtual ? .virtual : .real(speed: speed),
            options: DispatchOptions(ledgerBatchSize: ledgerBatch))
    }
}

/// Runs a desk until idle with a progress bar on a terminal, then prints what happened.
func runDesk(_ desk: ActionDesk) throws {
    let bar = ProgressLine()
    let wall = ContinuousClock.now
    let steps = try desk.runUntilIdle { p in bar.update(ActionText.progressBar(p)) }
    bar.finish()
    let seconds = (ContinuousClock.now - wall).seconds
    print(
        "run: idle at T+\(ActionText.time(desk.dispatcher.clock.now)) after \(grouped(steps)) events "
            + "in \(duration(seconds)) of wall time")
    if desk.recordWriteFailures > 0 {
        throw ValidationError("provider record: \(desk.recordWriteFailures) hand-overs could not be written")
    }
}

/// `ACTION` on the command line: a positive action id.
struct ActionIDArgument: ExpressibleByArgument {
    var id: ActionID
    init?(argument: String) {
        guard let n = Int64(argument), n > 0 else { return nil }
        id = ActionID(rawValue: n)
    }
}
