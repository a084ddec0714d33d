import ArgumentParser
import ChannelAdapters
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

struct ActionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "action",
        abstract: "Start, enlarge, stop and end alert actions against the embedded database, and run them.",
        discussion: """
            The registry file (--db) also holds the dispatcher's ledger: every action and every message's state \
            under its idempotency key (action/person/kind). Each command is one process: it resumes every unfinished \
            action from the ledger (messages the ledger shows in flight are sent again under the same key), applies \
            the command, writes the ledger and exits. Messages handed over just before a command exits are re-sent \
            under their key by the next process; give --run to keep processing until nothing is queued or in flight.

            Providers are simulated (--simulation realistic|ideal, seeded and deterministic); with --provider-record \
            FILE every hand-over is also appended to FILE (the kill -9 test's provider-side record). Nothing is sent \
            to a real network, except SMS when the --config file has a "kannel" object (or --sms-provider kannel is \
            given): then SMS goes to Kannel's smsbox, to the phone numbers in the registry, and the other channels \
            stay simulated.

            With Kannel a command hands nothing over unless it runs (--run, or 'fanout action run'): without, it \
            only writes the ledger. Before exiting, a run stops handing over and waits for the delivery reports of \
            the SMS Kannel has taken (at most the report timeout); Ctrl-C (SIGINT) or SIGTERM stops a run the same \
            way, and a second one stops the wait (those SMS are sent again by the next run, and may then arrive \
            twice).

            Time: --clock virtual (default) runs without waiting and continues from the ledger's last recorded time; \
            --clock real waits on the wall clock (--speed N runs it N times as fast). SMS through Kannel needs \
            --clock real at speed 1 (the default then).
            """,
        subcommands: [
            ActionStartCommand.self, ActionEnlargeCommand.self, ActionStopCommand.self, ActionEndCommand.self,
            ActionRunCommand.self, ActionStatusCommand.self, ActionExplainCommand.self, ActionPublishCommand.self,
            ActionFeedCommand.self,
        ])
}

/// `virtual` or `real` on the command line.
enum ClockArgument: String, ExpressibleByArgument, CaseIterable {
    case virtual, real
}

/// Where SMS goes: `simulated` or `kannel` on the command line.
enum SMSProviderArgument: String, ExpressibleByArgument, CaseIterable {
    case simulated, kannel
}

/// Where calls go: `simulated` or `sip`.
enum VoiceProviderArgument: String, ExpressibleByArgument, CaseIterable {
    case simulated, sip
}

/// Where e-mail goes: `simulated` or `smtp`.
enum EmailProviderArgument: String, ExpressibleByArgument, CaseIterable {
    case simulated, smtp
}

/// Where app pushes go: `simulated` or `webpush`.
enum AppProviderArgument: String, ExpressibleByArgument, CaseIterable {
    case simulated, webpush
}

/// What the desk options resolve to: the limits, the real adapters' configurations (for the
/// channels that go to one) and the clock.
struct DeskSetup {
    var config: DispatchConfig
    var kannel: KannelConfiguration?
    var clock: DeskClock
    var sip: SIPConfiguration? = nil
    var smtp: SMTPConfiguration? = nil
    var webpush: WebPushConfiguration? = nil
}

/// Options every `fanout action` command shares: the database, limits, clock and providers.
struct DeskOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The registry database, which also holds the ledger.", valueName: "FILE"))
    var db: String

    @Option(
        help: ArgumentHelp(
            "Provider limits and confirmation thresholds (JSON); a \"kannel\" object sends SMS through Kannel.",
            valueName: "dispatch.json"))
    var config: String?

    @Option(
        help: ArgumentHelp(
            "Clock: virtual (no waiting) or real (default: virtual; real when SMS goes through Kannel)."))
    var clock: ClockArgument?

    @Option(
        help: ArgumentHelp(
            "Where SMS goes: simulated, or kannel (the --config file's \"kannel\" object; the default when it has one).",
            valueName: "simulated|kannel"))
    var smsProvider: SMSProviderArgument?

    @Option(
        help: ArgumentHelp(
            "Where calls go: simulated, or sip (the --config file's \"sip\" object; the default when it has one).",
            valueName: "simulated|sip"))
    var voiceProvider: VoiceProviderArgument?

    @Option(
        help: ArgumentHelp(
            "Where e-mail goes: simulated, or smtp (the --config file's \"smtp\" object; the default when it has one).",
            valueName: "simulated|smtp"))
    var emailProvider: EmailProviderArgument?

    @Option(
        help: ArgumentHelp(
            "Where app pushes go: simulated, or webpush (the --config file's \"webpush\" object; the default when it has one).",
            valueName: "simulated|webpush"))
    var appProvider: AppProviderArgument?

    @Option(help: ArgumentHelp("With --clock real: dispatcher seconds per wall-clock second.", valueName: "FACTOR"))
    var speed: Double = 1

    @Option(help: ArgumentHelp("Simulated providers: realistic or ideal.", valueName: "realistic|ideal"))
    var simulation: String = "realistic"

    @Option(help: ArgumentHelp("Seed of the simulated providers' outcomes.", valueName: "N"))
    var seed: UInt64 = 1

    @Option(
        help: ArgumentHelp(
            "Append every hand-over to a simulated provider to this record file (never the registry or a database).",
            valueName: "FILE"))
    var providerRecord: String?

    @Option(
        help: ArgumentHelp("Ledger changes written per transaction (bounds the repeats after a crash).", valueName: "N")
    )
    var ledgerBatch: Int = 256

    func validate() throws {
        guard speed > 0 && speed.isFinite && speed <= 1_000_000 else {
            throw ValidationError("--speed must be a positive number up to 1,000,000, got \(speed)")
        }
        if speed != 1 && clock == .virtual { throw ValidationError("--speed applies to --clock real only") }
        if voiceProvider == .sip && config == nil {
            throw ValidationError("--voice-provider sip needs --config FILE with a \"sip\" object")
        }
        if appProvider == .webpush && config == nil {
            throw ValidationError("--app-provider webpush needs --config FILE with a \"webpush\" object")
        }
        if emailProvider == .smtp && config == nil {
            throw ValidationError("--email-provider smtp needs --config FILE with an \"smtp\" object")
        }
        if smsProvider == .kannel && config == nil {
            throw ValidationError(
                "--sms-provider kannel needs --config FILE with a \"kannel\" object "
                    + "(sendsmsURL, username, password, sender)")
        }
        guard ProviderSimulation.names.contains(simulation) else {
            throw ValidationError(
                "--simulation: unknown simulation '\(simulation)' (\(ProviderSimulation.names.joined(separator: ", ")))"
            )
        }
        guard DispatchOptions.ledgerBatchRange.contains(ledgerBatch) else {
            throw ValidationError("--ledger-batch must be 1...1,000,000, got \(ledgerBatch)")
        }
        try checkProviderRecord(polygon: nil)
    }

    /// Checks --provider-record: appended to, never replaced; refused when it is the registry, the
    /// config, the `polygon` the command reads, or any database (see ``OutputTarget``).
    func checkProviderRecord(polygon: String?) throws {
        guard let providerRecord else { return }
        let inputs =
            [OutputTarget.Input("--db registry", db)] + (config.map { [.init("--config file", $0)] } ?? [])
            + (polygon.map { [.init("--polygon file", $0)] } ?? [])
        do { _ = try checkOutput(providerRecord, option: "--provider-record", kind: .append, inputs: inputs) } catch {
            throw failDuringValidation(error)
        }
    }

    /// Reads the --config file (limits and Kannel) and resolves the SMS provider and the clock.
    ///
    /// - Throws: `ValidationError` for Kannel on virtual or faster time; the configuration's
    ///   errors (naming the file and key).
    func setup() throws -> DeskSetup {
        // Without Kannel: virtual unless --clock real.
        func simulatedClock() throws -> DeskClock {
            if clock == .real { return .real(speed: speed) }
            if speed != 1 { throw ValidationError("--speed applies to --clock real only") }
            return .virtual
        }
        guard let config else { return DeskSetup(config: DispatchConfig(), kannel: nil, clock: try simulatedClock()) }
        let url = URL(fileURLWithPath: config)
        let limits = try DispatchConfig.load(from: url)
        var kannel: KannelConfiguration?
        if smsProvider != .simulated {
            kannel = try KannelConfiguration.load(
                fromDispatchConfig: url,
                password: ProcessInfo.processInfo.environment[KannelConfiguration.passwordVariable])
            if kannel == nil && smsProvider == .kannel {
                throw ValidationError(
                    "--sms-provider kannel: \(config) has no \"kannel\" object "
                        + "(sendsmsURL, username, password, sender)")
            }
        }
        let environment = ProcessInfo.processInfo.environment
        var sip: SIPConfiguration?
        if voiceProvider != .simulated {
            sip = try SIPConfiguration.load(fromDispatchConfig: url, password: environment[SIPConfiguration.passwordVariable])
            if sip == nil && voiceProvider == .sip {
                throw ValidationError("--voice-provider sip: \(config) has no \"sip\" object")
            }
        }
        var smtp: SMTPConfiguration?
        if emailProvider != .simulated {
            smtp = try SMTPConfiguration.load(fromDispatchConfig: url, environment: environment)
            if smtp == nil && emailProvider == .smtp {
                throw ValidationError("--email-provider smtp: \(config) has no \"smtp\" object")
            }
        }
        var webpush: WebPushConfiguration?
        if appProvider != .simulated {
            webpush = try WebPushConfiguration.load(
                fromDispatchConfig: url, privateKey: environment[WebPushConfiguration.privateKeyVariable],
                replySecret: environment[WebPushConfiguration.replySecretVariable])
            if webpush == nil && appProvider == .webpush {
                throw ValidationError("--app-provider webpush: \(config) has no \"webpush\" object")
            }
        }
        let real = [kannel.map { _ in "SMS goes through Kannel" }, sip.map { _ in "calls go over SIP" },
                    smtp.map { _ in "mail goes over SMTP" }, webpush.map { _ in "pushes go over Web Push" }]
            .compactMap { $0 }
        guard !real.isEmpty else {
            return DeskSetup(config: limits, kannel: nil, clock: try simulatedClock())
        }
        if clock == .virtual {
            throw ValidationError(
                "--clock virtual cannot wait for real providers: \(real.joined(separator: ", ")) (\(config)), "
                    + "which needs --clock real (the default then)")
        }
        if speed != 1 {
            throw ValidationError(
                "--speed \(speed): \(real.joined(separator: ", ")), on real time (speed 1); a faster clock would hand "
                    + "the providers more than their configured rates")
        }
        return DeskSetup(config: limits, kannel: kannel, clock: .real(speed: 1), sip: sip, smtp: smtp, webpush: webpush)
    }

    /// Opens the desk: ledger, providers (Kannel's report listener), resumed dispatcher.
    func openDesk(_ setup: DeskSetup) throws -> ActionDesk {
        try requireRegistry(db, create: "create one with 'fanout import' or 'fanout demo'")
        let simulation = ProviderSimulation.named(simulation, seed: seed) ?? .realistic(seed: seed)
        return try ActionDesk(
            db: db, config: setup.config,
            providers: DeskProviders(
                simulation: simulation, recordPath: providerRecord, kannel: setup.kannel, sip: setup.sip,
                smtp: setup.smtp, webpush: setup.webpush),
            clock: setup.clock, options: DispatchOptions(ledgerBatchSize: ledgerBatch),
            command: (["fanout"] + CommandLine.arguments.dropFirst().prefix(2)).joined(separator: " "))
    }

    /// Carries out `command`: with this process's desk when it can take the ledger, else through
    /// the process that runs the ledger's dispatcher (which applies it at once); then `body` with
    /// the answer and this process's desk (`nil` when the other process applied it). The ledger's
    /// command log records it with the OS user as the operator (``CommandOrigin/commandLine(wallTime:)``).
    func perform(
        _ command: DeskCommand, _ setup: DeskSetup, _ body: (DeskAnswer, ActionDesk?) throws -> Void
    ) throws {
        let done = try ActionDesk.perform(
            command, db: db, origin: .commandLine(), open: { try openDesk(setup) }
        ) { holder in
            note(
                "the dispatcher of \(db) runs in \(holder.map { "\($0)" } ?? "another process"): "
                    + "handing it the \(command.kind) command")
        }
        guard let own = done.desk else { return try body(done.answer, nil) }
        try withDesk(own) { d in try body(done.answer, d) }
    }

    /// The action's line from the ledger, for a command another process applied.
    func ledgerStatus(_ id: ActionID) throws -> String {
        ActionText.summary(try Ledger.open(at: db, readOnly: true).summary(of: id, ringWidthMeters: 500), rings: false)
    }
}

/// What ``runDesk(_:json:)`` did: the `run` object of the `action` documents.
struct DeskRun: Encodable {
    /// Events processed.
    var events: Int
    /// Whether a signal interrupted the run (else it ran until idle).
    var interrupted: Bool
    /// Dispatcher time at the end, seconds.
    var dispatcherSeconds: Double
    /// Wall time of the run, seconds.
    var wallSeconds: Double
    /// Commands handed in by other processes and applied.
    var commandsApplied: Int
    /// The Kannel adapter's counts, when SMS went through Kannel.
    var kannel: KannelSMSProvider.Statistics?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(events, forKey: "events")
        try c.encode(interrupted, forKey: "interrupted")
        try c.encode(dispatcherSeconds, forKey: "dispatcher_seconds")
        try c.encode(wallSeconds, forKey: "wall_seconds")
        try c.encode(commandsApplied, forKey: "commands_applied")
        try c.encode(kannel, forKey: "kannel")
    }
}

/// Runs a desk until idle (or interrupted) with a progress bar on a terminal, then prints what
/// happened (unless `json`: the caller puts the returned figures in its document).
@discardableResult
func runDesk(_ desk: ActionDesk, json: Bool = false) throws -> DeskRun {
    let bar = ProgressLine()
    let wall = ContinuousClock.now
    let steps = try desk.runUntilIdle { p in bar.update(ActionText.progressBar(p)) }
    bar.finish()
    let run = DeskRun(
        events: steps, interrupted: desk.interruption.requests > 0,
        dispatcherSeconds: desk.dispatcher.clock.now.seconds, wallSeconds: (ContinuousClock.now - wall).seconds,
        commandsApplied: desk.inboxApplied, kannel: desk.kannel?.statistics)
    if !json {
        print(
            "run: \(run.interrupted ? "interrupted" : "idle") at T+\(ActionText.time(desk.dispatcher.clock.now)) "
                + "after \(grouped(steps)) events in \(duration(run.wallSeconds)) of wall time")
        if let kannel = run.kannel { print(ActionText.kannel(kannel)) }
        if let sip = desk.sip?.statistics {
            print(
                "sip: \(grouped(sip.placed)) calls placed, \(grouped(sip.answered)) answered, \(grouped(sip.busy)) busy, "
                    + "\(grouped(sip.noAnswer)) not answered, \(grouped(sip.failed)) failed, "
                    + "\(grouped(sip.sightings)) sightings by key press")
        }
        if let smtp = desk.smtp?.statistics {
            print(
                "smtp: \(grouped(smtp.delivered)) mails accepted, \(grouped(smtp.failed)) failed, "
                    + "\(grouped(smtp.throttled)) deferred, over \(grouped(smtp.connections)) connections "
                    + "(\(grouped(smtp.encryptedConnections)) with STARTTLS)")
        }
        if let push = desk.webpush?.statistics {
            print(
                "webpush: \(grouped(push.delivered)) pushes accepted, \(grouped(push.failed)) failed "
                    + "(\(grouped(push.noSubscription)) without a subscription, \(grouped(push.subscriptionsRemoved)) "
                    + "subscriptions gone), \(grouped(push.throttled)) throttled")
        }
        if desk.inboxApplied > 0 {
            print(
                "\(grouped(desk.inboxApplied)) command\(desk.inboxApplied == 1 ? "" : "s") from other processes applied"
            )
        }
    }
    if desk.recordWriteFailures > 0 {
        throw CommandFailure(
            .internalError, "provider record: \(desk.recordWriteFailures) hand-overs could not be written")
    }
    return run
}

/// Who applied an `action` command: this process (with its own desk) or the one running the
/// ledger's dispatcher (`applied_by` in the documents).
func appliedBy(_ desk: ActionDesk?) -> String { desk == nil ? "other-process" : "this-process" }

/// `ACTION` on the command line: a positive action id.
struct ActionIDArgument: ExpressibleByArgument {
    var id: ActionID
    init?(argument: String) {
        guard let n = Int64(argument), n > 0 else { return nil }
        id = ActionID(rawValue: n)
    }
}
