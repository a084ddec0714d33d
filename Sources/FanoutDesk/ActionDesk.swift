import ChannelAdapters
import FanOut
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import Logging
import Metrics
import Participants
import ProviderAdapters
import Synchronization

/// The clock an ``ActionDesk`` runs its dispatcher on.
public enum DeskClock: Sendable, Hashable {
    /// Virtual time: no waiting; a 30-minute action runs in milliseconds.
    case virtual
    /// Real time, `speed` times as fast as the wall clock (1 in production).
    case real(speed: Double)
}

/// Where an ``ActionDesk``'s messages go.
public struct DeskProviders: Sendable {
    /// The simulation answering every channel without a real adapter.
    public var simulation: ProviderSimulation
    /// When set, every hand-over to a simulated provider is also appended to this provider-record
    /// file (the kill -9 test's evidence; see ``ProviderRecordProvider``).
    public var recordPath: String?
    /// When set, SMS goes to a real Kannel (``KannelSMSProvider``, numbers from the registry;
    /// replies come back through smsbox's `get-url`).
    public var kannel: KannelConfiguration?
    /// When set, calls go over SIP (``SIPVoiceProvider``; key presses are answers).
    public var sip: SIPConfiguration?
    /// When set, e-mail goes over SMTP (``SMTPMailProvider``, with personal reply links).
    public var smtp: SMTPConfiguration?
    /// When set, app pushes go over Web Push (``WebPushProvider``, subscriptions from the registry).
    public var webpush: WebPushConfiguration?

    /// Creates a provider choice. A real adapter needs ``DeskClock/real(speed:)`` at speed 1.
    public init(
        simulation: ProviderSimulation, recordPath: String? = nil, kannel: KannelConfiguration? = nil,
        sip: SIPConfiguration? = nil, smtp: SMTPConfiguration? = nil, webpush: WebPushConfiguration? = nil
    ) {
        self.webpush = webpush
        self.simulation = simulation
        self.recordPath = recordPath
        self.kannel = kannel
        self.sip = sip
        self.smtp = smtp
    }

    /// Where SMS goes, as the ledger records it for each action: `kannel` or `simulated`.
    public var smsProviderName: String { kannel != nil ? "kannel" : "simulated" }

    /// Each channel's provider: `kannel`, `sip`, `smtp` or `simulated`.
    public var names: [Channel: String] {
        [
            .sms: smsProviderName, .voice: sip != nil ? "sip" : "simulated", .email: smtp != nil ? "smtp" : "simulated",
            .app: webpush != nil ? "webpush" : "simulated",
        ]
    }

    /// What the ledger records as an action's providers: `sms=kannel,voice=sip,email=smtp,app=simulated`.
    public var recorded: String {
        [Channel.sms, .voice, .email, .app].map { "\($0.rawValue)=\(names[$0] ?? "simulated")" }.joined(separator: ",")
    }

    /// The channels a real adapter serves.
    public var realChannels: [Channel] { Channel.allCases.filter { names[$0] != "simulated" } }
}

/// A request to interrupt an ``ActionDesk``, safe to make from any thread (a signal handler's
/// queue): the first stops ``ActionDesk/runUntilIdle(progress:)``; one made while
/// ``ActionDesk/close(waiting:)`` waits for delivery reports stops that wait.
public final class DeskInterruption: Sendable {
    private let count = Mutex(0)

    /// Creates a token with no request.
    public init() {}

    private let wakers = Mutex<[@Sendable () -> Void]>([])

    /// Requests an interruption (and wakes a waiting run at once).
    public func request() {
        count.withLock { $0 += 1 }
        for wake in wakers.withLock({ $0 }) { wake() }
    }

    /// Calls `wake` on every request from now on (the desk wakes its dispatcher's run loop).
    func whenRequested(_ wake: @escaping @Sendable () -> Void) {
        wakers.withLock { $0.append(wake) }
    }

    /// How many interruptions were requested.
    public var requests: Int { count.withLock { $0 } }
}

/// The control room's desk over the embedded database: the ledger in the registry file, a
/// dispatcher resumed from it, and simulated providers (SMS optionally through a real Kannel);
/// one per process of `fanout action`.
///
/// Opening a desk resumes every unfinished action (messages the ledger shows in flight are sent
/// again under their keys). Commands (start, enlarge, stop, end) go to the dispatcher; ``runUntilIdle(progress:)``
/// processes until nothing is queued or in flight. A virtual or scaled clock continues from the
/// ledger's last recorded time, so times stay continuous over processes.
///
/// With Kannel (``DeskProviders/kannel``) nothing is handed over until ``runUntilIdle(progress:)``:
/// a command alone only writes the ledger. ``close(waiting:)`` then holds new hand-overs, waits
/// for the delivery reports of the SMS Kannel has taken, and shuts the adapter down, so that no
/// SMS is left in flight for the next process to send a second time.
///
/// - Important: Call ``close(waiting:)`` when done with a desk that uses Kannel.
public final class ActionDesk {
    /// The ledger (in the registry's SQLite file).
    public let ledger: Ledger
    /// The dispatcher, resumed from the ledger.
    public let dispatcher: Dispatcher
    /// Provider limits and thresholds.
    public let config: DispatchConfig
    /// The simulated providers, one per channel (their hand-over counts).
    public let simulated: [Channel: SimulatedProvider]
    /// The SMS adapter to Kannel, when SMS goes there (its statistics).
    public let kannel: KannelSMSProvider?
    /// The voice adapter over SIP, when calls go there.
    public let sip: SIPVoiceProvider?
    /// The e-mail adapter over SMTP, when mail goes there.
    public let smtp: SMTPMailProvider?
    /// The app push adapter over Web Push, when pushes go there.
    public let webpush: WebPushProvider?
    /// The providers chosen (what the ledger records for a new action).
    public let providerChoice: DeskProviders
    /// Interrupts ``runUntilIdle(progress:)`` and the wait in ``close(waiting:)`` from any thread.
    public let interruption = DeskInterruption()
    private let recorders: [ProviderRecordProvider]
    /// The ledger's one-writer lock, held while the desk lives.
    private let lock: LedgerLock
    /// The registry (for the preferences of commands from the inbox), opened when first needed.
    private var openedRegistry: Registry?
    /// Commands from other processes applied (or answered) by this desk.
    public internal(set) var inboxApplied = 0
    let kannelConfiguration: KannelConfiguration?
    /// Routes Kannel's SMS replies to answers (with Kannel only).
    let smsReplies: SMSReplyRouter?
    let virtualClock: VirtualClock?
    let scaledClock: ScaledClock?
    var closed = false

    /// Opens the ledger in `db`, builds the providers and resumes the dispatcher.
    ///
    /// With ``DeskProviders/kannel`` the Kannel adapter is started (its report listener bound)
    /// and the dispatcher is resumed with hand-overs held (``Dispatcher/holdHandOvers()``).
    ///
    /// - Throws: ``DispatchError`` `.ledger` or `.invalidRequest` (the record file cannot be opened;
    ///   Kannel on a virtual or scaled clock), ``RegistryError``, ``ProviderAdapterError`` (the
    ///   report listener cannot bind).
    /// - Parameter metrics: Where the dispatcher's counters and gauges go (default: the
    ///   bootstrapped `MetricsSystem`).
    public init(
        db: String, config: DispatchConfig, providers: DeskProviders, clock: DeskClock,
        options: DispatchOptions = DispatchOptions(), command: String = "fanout action",
        metrics: (any MetricsFactory)? = nil
    ) throws {
        if let real = providers.realChannels.first, clock != .real(speed: 1) {
            throw DispatchError(
                .invalidRequest,
                "\(real.rawValue) through \(providers.names[real] ?? "") needs the real clock at speed 1: "
                    + "virtual or faster time cannot wait for a real provider's reports")
        }
        providerChoice = providers
        ledger = try Ledger.open(at: db)
        guard let lock = try LedgerLock.acquire(for: db, command: command) else {
            let holder = LedgerLock.holder(of: db).map { "\($0)" } ?? "another process"
            throw DispatchError(
                .ledgerBusy,
                "\(db): the dispatcher of this ledger runs in \(holder); one process at a time runs it "
                    + "(commands are handed to it; a second run is refused)")
        }
        self.lock = lock
        try Self.checkProviders(in: ledger, providers.names)
        self.config = config
        let start = try ledger.lastRecordedTime()
        simulated = SimulatedProvider.all(providers.simulation)
        var chosen: [Channel: any MessageProvider] = simulated
        var recorders: [ProviderRecordProvider] = []
        if let path = providers.recordPath {
            for (channel, inner) in simulated where !providers.realChannels.contains(channel) {
                let r = try ProviderRecordProvider(path: path, answeringWith: inner)
                recorders.append(r)
                chosen[channel] = r
            }
        }
        self.recorders = recorders
        var deferred: [Channel: any DeferredMessageProvider] = [:]
        var options = options
        kannelConfiguration = providers.kannel
        let dispatchClock: any DispatchClock
        switch clock {
        case .virtual:
            let v = VirtualClock(start: start)
            virtualClock = v
            scaledClock = nil
            dispatchClock = v
        case .real(let speed):
            let s = ScaledClock(start: start, speed: speed)
            virtualClock = nil
            scaledClock = s
            dispatchClock = s
        }
        let kannelLogger = Logger(label: "fanout.kannel").stampingDispatchTime(of: dispatchClock)
        // One forwarder takes every channel's answers to the dispatcher once it exists.
        let answers = AnswerForwarder()
        var replies: SMSReplyRouter?
        var adapter: KannelSMSProvider?
        if let kannelConfig = providers.kannel {
            let router = SMSReplyRouter(
                registry: try Registry.open(at: db), ledger: ledger, answers: answers.sink, logger: kannelLogger)
            let onReply: @Sendable (KannelSMSProvider.Reply) -> Void = { router.route($0) }
            replies = router
            adapter = try KannelSMSProvider(
                configuration: kannelConfig, registry: try Registry.open(at: db), logger: kannelLogger,
                onReply: onReply)
        }
        smsReplies = replies
        let sipAdapter = try providers.sip.map {
            try SIPVoiceProvider(
                configuration: $0, registry: try Registry.open(at: db), answers: answers.sink,
                logger: Logger(label: "fanout.sip").stampingDispatchTime(of: dispatchClock))
        }
        let smtpAdapter = try providers.smtp.map {
            try SMTPMailProvider(
                configuration: $0, registry: try Registry.open(at: db),
                logger: Logger(label: "fanout.smtp").stampingDispatchTime(of: dispatchClock))
        }
        let pushInfo = PushActionInfo(ledger: ledger)
        let pushAdapter = try providers.webpush.map {
            try WebPushProvider(
                configuration: $0, registry: try Registry.open(at: db), actionInfo: { pushInfo.info($0) },
                logger: Logger(label: "fanout.webpush").stampingDispatchTime(of: dispatchClock))
        }
        sip = sipAdapter
        smtp = smtpAdapter
        webpush = pushAdapter
        if let pushAdapter { deferred[.app] = pushAdapter }
        if let sipAdapter { deferred[.voice] = sipAdapter }
        if let smtpAdapter { deferred[.email] = smtpAdapter }
        kannel = adapter
        if let adapter { deferred[.sms] = adapter }
        for channel in deferred.keys { chosen[channel] = nil }
        if !deferred.isEmpty { options.handOversHeld = true }
        do {
            dispatcher = try Dispatcher(
                config: config, providers: chosen, deferredProviders: deferred, clock: dispatchClock, ledger: ledger,
                options: options, metrics: metrics)
        } catch {
            adapter?.shutdown()
            sipAdapter?.shutdown()
            smtpAdapter?.shutdown()
            pushAdapter?.shutdown()
            throw error
        }
        interruption.whenRequested { [weak dispatcher] in dispatcher?.wake() }
        answers.deliver(to: Self.answerSink(for: dispatcher, logger: kannelLogger))
    }

    deinit { shutdownAdapters() }

    /// Whether any channel goes to a real provider (then hand-overs wait for a run, and closing
    /// waits for their outcomes).
    public var usesRealProviders: Bool { kannel != nil || sip != nil || smtp != nil || webpush != nil }

    /// Stops every real adapter (idempotent).
    func shutdownAdapters() {
        kannel?.shutdown()
        sip?.shutdown()
        smtp?.shutdown()
        webpush?.shutdown()
    }

    /// The registry in the ledger's file, opened once.
    func registry() throws -> Registry {
        if let openedRegistry { return openedRegistry }
        let r = try Registry.open(at: ledger.path)
        openedRegistry = r
        return r
    }

    /// Hand-overs whose provider-record line could not be written (0 without a record file).
    public var recordWriteFailures: Int { recorders.reduce(0) { $0 + $1.writeFailures } }

    // MARK: - Commands

    /// What an action on a selection would do, before anything is sent.
    public struct Plan: Sendable {
        /// The request, with the selection's incident point.
        public internal(set) var request: ActionRequest
        /// The persons to alert, outside-in, each with their registry channel preferences.
        public internal(set) var recipients: [Recipient]
        /// Persons per channel the dispatcher would use.
        public internal(set) var perChannel: [Channel: Int]
        /// Persons the dispatcher would skip (opted out, or no channel with contact data).
        public internal(set) var skipped: Int
        /// When the last recipient would be reached at the configured limits.
        public internal(set) var estimate: Planner.Estimate
        /// The incident type's confirmation threshold (`nil`: none configured).
        public internal(set) var threshold: Int?
        /// Whether the plan exceeds the threshold and the request is not confirmed.
        public internal(set) var needsConfirmation: Bool
        /// The selection's area for the audit (`nil` for a plan on recipients in tests).
        var area: AreaRecord?
    }

    /// Plans an action on `selection`, each recipient with their preferences, opt-out, quiet hours,
    /// language and contact data from `registry`, without opening the ledger or sending anything.
    /// The request's incident point is the selection's.
    /// - Throws: ``RegistryError`` when the preferences cannot be read; ``DispatchError``
    ///   `.invalidRequest` when a participant's registry data does not parse.
    public static func plan(
        _ request: ActionRequest, selection: SelectionResult, registry: Registry, config: DispatchConfig
    ) throws -> Plan {
        try plan(request, selection: ActionSelection(selection), recipients: .registry(registry), config: config)
    }

    /// Plans an action on a selection as handed over, recipients from `source`.
    static func plan(
        _ request: ActionRequest, selection: ActionSelection, recipients source: RecipientSource,
        config: DispatchConfig
    ) throws -> Plan {
        var request = request
        request.incidentPoint = selection.incident
        var plan = plan(request, recipients: try source.recipients(for: selection.participants), config: config)
        plan.area = selection.area
        return plan
    }

    /// Plans an action on `recipients` (tests in this package; the request carries its incident point).
    package static func plan(_ request: ActionRequest, recipients: [Recipient], config: DispatchConfig) -> Plan {
        let (perChannel, skipped) = Planner.channelCounts(request, recipients: recipients)
        let persons = Set(recipients.map(\.person)).count
        let threshold = config.confirmationThreshold(for: request.incidentType)
        return Plan(
            request: request, recipients: recipients, perChannel: perChannel, skipped: skipped,
            estimate: Planner.estimate(recipients: perChannel, config: config), threshold: threshold,
            needsConfirmation: !request.confirmed && threshold.map { persons > $0 } == true)
    }

    /// Starts the planned action; the ledger holds it, its area version 1 (the selection's area)
    /// and every queued alert when this returns.
    /// - Parameter origin: Who gave the command: recorded in the ledger's command log in the
    ///   start's own transaction (`nil`: no record).
    /// - Throws: ``DispatchError`` (see ``Dispatcher/start(_:participants:incident:recipients:area:)``).
    public func start(_ plan: Plan, origin: CommandOrigin? = nil) throws -> ActionID {
        let id = try dispatcher.start(plan.request, recipients: plan.recipients, area: plan.area, origin: origin)
        try dispatcher.flush()
        try ledger.recordProviders(providerChoice.recorded, for: id)
        return id
    }

    /// Refuses to resume an action on other providers than it was started with: an action
    /// texting through Kannel resumed on the simulation would have its SMS marked delivered
    /// without sending them; one started on the simulation would text real phones from the middle.
    /// The same for calls (SIP) and mail (SMTP). A record of SMS alone (`sms=kannel`, before calls
    /// and mail had real adapters) checks SMS alone.
    private static func checkProviders(in ledger: Ledger, _ names: [Channel: String]) throws {
        for (id, recorded) in try ledger.unfinishedProviders() {
            guard let recorded else { continue }
            for pair in recorded.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                guard parts.count == 2, let channel = Channel(rawValue: String(parts[0])) else { continue }
                let started = String(parts[1])
                let now = names[channel] ?? "simulated"
                guard started != now else { continue }
                func name(_ p: String) -> String {
                    ["kannel": "Kannel", "sip": "SIP", "smtp": "SMTP", "webpush": "Web Push", "simulated": "the simulation"][p] ?? p
                }
                throw DispatchError(
                    .invalidRequest,
                    "action \(id) sends its \(channel == .sms ? "SMS" : channel.rawValue) through \(name(started)) "
                        + "(recorded when it started), not through \(name(now)): resume it with the same providers "
                        + "(for \(name(started == "simulated" ? now : started)): a dispatcher configuration with its "
                        + "\"\(started == "simulated" ? now : started)\" object)")
            }
        }
    }

    /// Stops action `id`: its queued alerts are cancelled.
    /// - Parameter origin: Who gave the command, recorded with it (`nil`: no record).
    /// - Returns: How many alerts were cancelled.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition`.
    public func stop(_ id: ActionID, origin: CommandOrigin? = nil) throws -> Int {
        try requireHeld(id, for: "stop")
        let n = try dispatcher.stop(id, origin: origin)
        try dispatcher.flush()
        return n
    }

    /// Ends action `id` with `result`: the end message goes to exactly those reached.
    /// - Parameter origin: Who gave the command, recorded with it (`nil`: no record).
    /// - Returns: How many end messages were queued now.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition`, `.invalidRequest` (empty result).
    public func end(
        _ id: ActionID, result: String, texts: [String: String] = [:], origin: CommandOrigin? = nil
    ) throws -> Int {
        try requireHeld(id, for: "end")
        let n = try dispatcher.end(id, result: result, texts: texts, origin: origin)
        try dispatcher.flush()
        return n
    }

    /// The dispatcher resumes only unfinished actions; an ended, finished one is found in the
    /// ledger and refused as a bad transition, an unknown id as unknown.
    func requireHeld(_ id: ActionID, for operation: String) throws {
        if dispatcher.actionIDs.contains(id) { return }
        let state = try ledger.state(of: id)
        throw DispatchError(.invalidTransition, "cannot \(operation) action \(id): it is \(state.rawValue)")
    }
}
