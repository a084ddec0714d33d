import Foundation
import Geo
import Logging
import Metrics
import Participants
import Selection
import Synchronization

/// Turns selections into calls, texts, mails and pushes, outside-in, within the providers' limits,
/// with every message's state in a durable ledger.
///
/// Actions are started, enlarged, stopped and ended through this type; time moves through
/// ``advance(to:)`` or ``runUntilIdle()`` on the injected ``DispatchClock``, so a whole action runs
/// on virtual time in tests and on the real clock in production.
///
/// Each command has an `async` overload, which Swift picks in `async` code: it writes the
/// command's one ledger transaction on the dispatcher's own `fanout.commands` thread, not on a
/// thread of the cooperative pool.
///
/// ```swift
/// let dispatcher = try Dispatcher(config: config, providers: [.sms: smsc, .voice: voip], clock: SystemDispatchClock(),
///                                 ledger: try Ledger.open(at: "registry.sqlite"))   // resumes the ledger
/// let id = try await dispatcher.start(request, selection: result, recipients: .registry(registry))
/// try await dispatcher.runUntilIdle()
/// try await dispatcher.end(id, result: "Suspect arrested. Thank you.")
/// try await dispatcher.runUntilIdle()
/// ```
///
/// ## Topics
/// - ``init(config:providers:deferredProviders:clock:ledger:options:metrics:logger:)``
/// - ``start(_:participants:incident:recipients:area:)``
/// - ``enlarge(_:participants:recipients:area:confirmed:)``
/// - ``stop(_:)``
/// - ``end(_:result:texts:)``
public final class Dispatcher: Sendable {
    /// The clock all timing goes through.
    public let clock: any DispatchClock
    private let core: Mutex<DispatchCore>
    /// Bumped by every command and report: wakes a waiting run loop.
    let signal = WorkSignal()
    /// The logger given, with dispatcher time in every line (``Logger/stampingDispatchTime(of:)``).
    let logger: Logger
    /// The ledger, if any (for ``explain(action:person:)``).
    public let ledger: Ledger?
    /// The options it was made with (ring width for resumed actions).
    let options: DispatchOptions
    /// The thread the `async` commands write on (`fanout.commands`), started at the first.
    let commands = CommandsThread()

    /// Creates a dispatcher with no ledger: message states are kept in memory only (tests,
    /// simulations, load tests without a ledger).
    ///
    /// - Parameters:
    ///   - config: Provider limits, confirmation thresholds, retries and back-pressure.
    ///   - providers: One adapter per channel the actions may use (answering at once).
    ///   - deferredProviders: Adapters whose outcomes arrive later (real network services); a
    ///     channel listed in both uses the deferred one.
    ///   - clock: The time source (``VirtualClock`` in tests).
    ///   - options: Ring width, ledger batch size, the wall-clock time of clock zero.
    ///   - metrics: Where counters, gauges and timers go (default: the bootstrapped `MetricsSystem`).
    ///   - logger: Structured logs of lifecycle transitions and throttling (never personal data);
    ///     each line gets the dispatcher time as metadata `t` (`T+1:23:45.6`).
    public convenience init(
        config: DispatchConfig = DispatchConfig(), providers: [Channel: any MessageProvider],
        deferredProviders: [Channel: any DeferredMessageProvider] = [:], clock: any DispatchClock,
        options: DispatchOptions = DispatchOptions(), metrics: (any MetricsFactory)? = nil,
        logger: Logger = Logger(label: "fanout.dispatcher")
    ) {
        self.init(
            opening: nil, config: config, providers: providers, deferredProviders: deferredProviders, clock: clock,
            options: options, metrics: metrics, logger: logger)
    }

    /// Opens a dispatcher on `ledger`, resuming it: action ids continue after the ledger's last,
    /// and every unfinished action is taken up again (see ``resumeFromLedger()``). A new ledger
    /// simply starts at action 1.
    ///
    /// There is no way to open a ledger without resuming it: a dispatcher that started again at
    /// action 1 would write over the actions already recorded.
    ///
    /// - Parameters: As ``init(config:providers:deferredProviders:clock:options:metrics:logger:)``,
    ///   and `ledger`, where message states are kept durable.
    /// - Throws: ``DispatchError`` `.ledger`.
    public convenience init(
        config: DispatchConfig = DispatchConfig(), providers: [Channel: any MessageProvider],
        deferredProviders: [Channel: any DeferredMessageProvider] = [:], clock: any DispatchClock, ledger: Ledger,
        options: DispatchOptions = DispatchOptions(), metrics: (any MetricsFactory)? = nil,
        logger: Logger = Logger(label: "fanout.dispatcher")
    ) throws {
        self.init(
            opening: ledger, config: config, providers: providers, deferredProviders: deferredProviders,
            clock: clock, options: options, metrics: metrics, logger: logger)
        try resumeFromLedger()
    }

    /// The dispatcher without any action; the public initialisers resume a ledger.
    private init(
        opening ledger: Ledger?, config: DispatchConfig, providers: [Channel: any MessageProvider],
        deferredProviders: [Channel: any DeferredMessageProvider], clock: any DispatchClock,
        options: DispatchOptions, metrics: (any MetricsFactory)?, logger: Logger
    ) {
        self.clock = clock
        let logger = logger.stampingDispatchTime(of: clock)
        self.logger = logger
        self.ledger = ledger
        self.options = options
        var slots = providers.mapValues { ProviderSlot.immediate($0) }
        for (channel, p) in deferredProviders { slots[channel] = .deferred(p) }
        let reporter = DeliveryReporter()
        let epoch = options.wallClockAtZero ?? Date().addingTimeInterval(-clock.now.seconds)
        core = Mutex(
            DispatchCore(
                config: config, providers: slots, ledger: ledger, options: options,
                metrics: DispatchMetrics(factory: metrics ?? MetricsSystem.factory), logger: logger, reporter: reporter,
                wallEpoch: epoch))
        reporter.attach(self)
    }

    private func locked<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        try core.withLock { (c: inout DispatchCore) throws -> T in try body(&c) }
    }

    /// Runs a command on the locked state, then wakes a waiting ``run()`` loop (for extensions in
    /// this module, too).
    ///
    /// Everything the command records up to its first ``DispatchCore/flush()`` is written in one
    /// transaction (a start with all its persons, an end with all its end messages): a crash
    /// leaves the action wholly in the ledger or not at all, and each page is written once rather
    /// than once per ledger batch. If the command throws before that, its changes are dropped.
    func command<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        defer { signal.bump() }
        return try locked { c in
            let mark = c.pending.count
            c.oneTransaction = true
            defer { c.oneTransaction = false }
            do {
                return try body(&c)
            } catch {
                if c.oneTransaction { c.pending.removeSubrange(mark...) }  // nothing of it was written
                throw error
            }
        }
    }

    /// Runs `body` on the locked state (for extensions in this module).
    func withCore<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        try locked(body)
    }

    /// Wakes a waiting run loop (``run()``, ``runUntilIdle()``, a desk's run), which then looks
    /// at its plan's stop condition and its poll at once.
    package func wake() { signal.bump() }

    // MARK: - Lifecycle

    /// Starts an action alerting `recipients` in the given (outside-in) order, at the request's
    /// incident point (the public ways in are ``start(_:participants:incident:recipients:area:)``
    /// and, in `FanoutEngine`, `start(_:selection:recipients:)`).
    ///
    /// A person (``Recipient/person``) listed twice, at one or several addresses, is alerted once,
    /// at the first of them. Each person gets the first channel of their plan (their preferences
    /// the action allows, without channels in quiet hours now); a person with no channel left is
    /// skipped with the reason in the audit. The action, its area version 1 and all its queued
    /// messages are in the ledger when this returns.
    /// - Parameters:
    ///   - area: The area drawn and the registry generation it was selected from, for the audit.
    ///   - origin: Who gave the command, when and under which request: recorded in the command
    ///     log in the start's own transaction (`nil`: no record).
    /// - Returns: The new action's id.
    /// - Throws: ``DispatchError`` `.invalidRequest` (empty message, no channel, a channel without a
    ///   provider, a text too long for one of the channels or a bad photo URL: see
    ///   ``MessageLimits``), `.confirmationRequired` (more recipients than the incident type's threshold and
    ///   `request.confirmed` not set), `.ledger`.
    package func start(
        _ request: ActionRequest, recipients: [Recipient], area: AreaRecord? = nil, origin: CommandOrigin? = nil
    ) throws -> ActionID {
        let now = clock.now
        return try command { c in
            var request = request
            guard request.incidentPoint != nil else {
                throw DispatchError(.invalidRequest, "an action needs its incident point (from its selection)")
            }
            if request.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DispatchError(.invalidRequest, "an action needs a message text")
            }
            for (language, text) in request.texts where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DispatchError(.invalidRequest, "the action's text for language '\(language.prefix(10))' is empty")
            }
            if request.channelsDefaulted { request.channels.removeAll { c.providers[$0] == nil } }
            guard !request.channels.isEmpty else { throw DispatchError(.invalidRequest, "an action needs a channel") }
            for channel in request.channels where c.providers[channel] == nil {
                throw DispatchError(.invalidRequest, "no provider is configured for channel '\(channel.rawValue)'")
            }
            try MessageLimits.check(request)
            try c.config.texts?.check(request)
            try DispatchCore.checkDistances(recipients)
            let persons = Set(recipients.map(\.person)).count
            try Planner.checkInterlock(
                recipients: persons, incidentType: request.incidentType, confirmed: request.confirmed,
                config: c.config)
            let id = ActionID(rawValue: c.nextActionID)
            c.nextActionID += 1
            var run = ActionRun(id: id, request: request, state: .running, ringWidthMeters: c.options.ringWidthMeters)
            run.startedAt = now
            run.areaVersion = 1
            try c.record(.startAction(id, request, at: now))
            let added = try c.include(recipients, in: &run, at: now)
            try c.record(.area(id, version: 1, area, recipients: persons, added: added, at: now))
            if let origin { try c.record(.command(.start, id, origin, at: now)) }
            c.put(run)
            try c.flush()
            try c.pumpAll(at: now)
            logger.debug(
                "action started",
                metadata: [
                    "action": "\(id)", "incident_type": "\(request.incidentType)", "urgency": "\(request.urgency)",
                    "channels": "\(request.channels.map(\.rawValue).joined(separator: ","))", "included": "\(added)",
                    "skipped": "\(run.skipped.values.reduce(0, +))",
                ])
            return id
        }
    }

    /// Enlarges a running action: only persons not yet included are added, in the given order
    /// (the new area's outside-in order), after those still queued.
    ///
    /// Each enlargement is a new area version in the audit. The confirmation threshold applies as
    /// at the start, to the action's persons after the enlargement (see
    /// ``Planner/checkInterlock(enlarging:_:confirmed:config:)``).
    ///
    /// - Parameters:
    ///   - area: The enlarged area and the registry generation it was selected from, for the audit.
    ///   - confirmed: Confirms an enlargement that leaves the action larger than its threshold.
    ///   - origin: Who gave the command: recorded in the command log in the enlargement's own
    ///     transaction (`nil`: no record).
    /// - Returns: How many persons were added.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (stopped or ended),
    ///   `.confirmationRequired` (nothing is added then), `.ledger`.
    @discardableResult
    package func enlarge(
        _ id: ActionID, with recipients: [Recipient], area: AreaRecord? = nil, confirmed: Bool = false,
        origin: CommandOrigin? = nil
    ) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "enlarge", allowed: [.running])
            try Planner.checkInterlock(
                enlarging: id, Self.enlargementCount(run, recipients), confirmed: confirmed, config: c.config)
            run.areaVersion += 1
            let added = try c.include(recipients, in: &run, at: now)
            try c.record(
                .area(
                    id, version: run.areaVersion, area, recipients: Set(recipients.map(\.person)).count, added: added,
                    at: now))
            if let origin { try c.record(.command(.enlarge, id, origin, at: now)) }
            c.put(run)
            try c.flush()
            try c.pumpAll(at: now)
            logger.debug(
                "action enlarged",
                metadata: ["action": "\(id)", "area_version": "\(run.areaVersion)", "added": "\(added)"])
            return added
        }
    }

    /// Stops a running action: every queued alert is cancelled at once.
    ///
    /// Messages already with a provider complete. The action can still be ended.
    ///
    /// - Returns: How many alerts were cancelled.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (already stopped or ended), `.ledger`.
    @discardableResult
    public func stop(_ id: ActionID) throws -> Int {
        try stop(id, origin: nil)
    }

    /// Stops a running action as ``stop(_:)`` does, recording who gave the command in the command
    /// log in the stop's own transaction (`origin` `nil`: no record).
    ///
    /// - Returns: How many alerts were cancelled.
    /// - Throws: As ``stop(_:)``.
    @discardableResult
    public func stop(_ id: ActionID, origin: CommandOrigin?) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "stop", allowed: [.running])
            let cancelled = Self.cancelQueued(&run)
            run.state = .stopped
            c.put(run)
            try c.record(.cancelQueued(id, at: now))
            try c.record(.actionState(id, .stopped, result: nil))
            if let origin { try c.record(.command(.stop, id, origin, at: now)) }
            try c.flush()
            logger.debug("action stopped", metadata: ["action": "\(id)", "cancelled": "\(cancelled)"])
            return cancelled
        }
    }

    /// Ends an action with a result text: queued alerts are cancelled and the end message goes to
    /// exactly the persons the alert reached (delivered or answered), including those whose call
    /// in progress is answered later, and to nobody else.
    ///
    /// Each person gets the result in their language when `texts` has it, else `result`.
    ///
    /// - Returns: How many end messages were queued now.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidTransition` (ended already),
    ///   `.invalidRequest` (empty result, or one too long for the action's channels: see
    ///   ``MessageLimits``), `.ledger`.
    @discardableResult
    public func end(_ id: ActionID, result: String, texts: [String: String] = [:]) throws -> Int {
        try end(id, result: result, texts: texts, origin: nil)
    }

    /// Ends an action as ``end(_:result:texts:)`` does, recording who gave the command in the
    /// command log in the end's own transaction (`origin` `nil`: no record).
    ///
    /// - Returns: How many end messages were queued now.
    /// - Throws: As ``end(_:result:texts:)``.
    @discardableResult
    public func end(_ id: ActionID, result: String, texts: [String: String], origin: CommandOrigin?) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "end", allowed: [.running, .stopped])
            if result.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DispatchError(.invalidRequest, "ending action \(id) needs a result text")
            }
            for (language, text) in texts where text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw DispatchError(.invalidRequest, "the result text for language '\(language.prefix(10))' is empty")
            }
            // End messages go on the channels the alerts went on: the action's.
            try MessageLimits.check(result, named: "result", channels: run.request.channels)
            for (language, text) in texts.sorted(by: { $0.key < $1.key }) {
                try MessageLimits.check(
                    text, named: "result for language '\(language.prefix(10))'", channels: run.request.channels)
            }
            if run.state == .running {
                _ = Self.cancelQueued(&run)
                try c.record(.cancelQueued(id, at: now))
            }
            run.state = .ended
            run.result = result
            run.resultTexts = texts
            try c.record(.actionState(id, .ended, result: result, texts: texts))
            var queued = 0
            for person in run.order where run.reached.contains(person) && !run.stoppedByAnswer.contains(person) {
                try c.enqueue(person, .end, in: &run, at: now)
                queued += 1
            }
            if let origin { try c.record(.command(.end, id, origin, at: now)) }
            c.put(run)
            try c.flush()
            try c.pumpAll(at: now)
            logger.debug("action ended", metadata: ["action": "\(id)", "end_messages": "\(queued)"])
            return queued
        }
    }

    private static func run(_ id: ActionID, in c: DispatchCore, for operation: String, allowed: Set<ActionState>)
        throws -> ActionRun
    {
        guard let run = c.actions[id] else { throw DispatchError(.unknownAction, "no action \(id)") }
        guard allowed.contains(run.state) else {
            throw DispatchError(.invalidTransition, "cannot \(operation) action \(id): it is \(run.state.rawValue)")
        }
        return run
    }

    private static func cancelQueued(_ run: inout ActionRun) -> Int {
        var cancelled = run.alertRetryWaiting.count
        for _ in run.alertRetryWaiting { run.count(.alert, from: .queued, to: .cancelled) }
        run.alertRetryWaiting.removeAll()
        for channel in run.queues.keys {
            for m in run.queues[channel]?.removeAll() ?? [] {
                if run.inFlightAtResume.contains(m.person) {
                    // In flight at a crash: sent again under its key, never cancelled (the ledger
                    // keeps it `sent`).
                    run.queues[channel, default: MessageQueue()].append(m)
                    continue
                }
                run.count(m.kind, from: .queued, to: .cancelled)
                cancelled += 1
            }
        }
        return cancelled
    }

    // MARK: - Progress

    /// An action's progress.
    /// - Throws: ``DispatchError`` `.unknownAction`.
    public func status(_ id: ActionID) throws -> ActionStatus {
        try locked { c in
            guard let run = c.actions[id] else { throw DispatchError(.unknownAction, "no action \(id)") }
            var status = run.status()
            for channel in Channel.allCases where c.providers[channel] != nil {
                status.providerRates[channel] = c.rates[channel.index]
            }
            return status
        }
    }

    /// Each channel's current hand-over rate after back-pressure (messages per second; voice: lines).
    public var providerRates: [Channel: Double] {
        core.withLock { c in
            var rates: [Channel: Double] = [:]
            for channel in Channel.allCases where c.providers[channel] != nil {
                rates[channel] = c.rates[channel.index]
            }
            return rates
        }
    }

    /// Why `person` (a person or participant id) was or was not alerted by `action`: area
    /// versions, inclusion or skip with the reason, failed attempts, retries and fallbacks (see
    /// ``Ledger/explain(action:person:)``; buffered ledger changes are written first).
    /// - Throws: ``DispatchError`` `.invalidRequest` without a ledger, `.unknownAction`, `.ledger`.
    public func explain(action: ActionID, person: Int64) throws -> ActionExplanation {
        guard let ledger else {
            throw DispatchError(.invalidRequest, "explaining needs the dispatch ledger; this dispatcher has none")
        }
        try flush()
        return try ledger.explain(action: action, person: person)
    }

    /// A deferred provider's report (through its ``DeliveryReporter``).
    func report(_ message: OutboundMessage, result: DeliveryResult) throws {
        let now = clock.now
        defer { signal.bump() }
        try locked { c in
            try c.report(message, result: result, at: now)
            try c.advance(to: now)
        }
    }

    /// When each distance ring of the action was reached, outermost first.
    /// - Throws: ``DispatchError`` `.unknownAction`.
    public func ringReport(_ id: ActionID) throws -> [RingReport] {
        try locked { c in
            guard let run = c.actions[id] else { throw DispatchError(.unknownAction, "no action \(id)") }
            return run.rings.report
        }
    }

    /// The ids of the actions this dispatcher holds.
    public var actionIDs: [ActionID] { core.withLock { $0.actions.keys.sorted() } }

    // MARK: - Time

    /// When the next event is due (`nil` when nothing is queued or in flight).
    public var nextEventTime: Duration? { core.withLock { $0.nextEventTime() } }

    /// Processes everything due up to `time` (dispatcher clock).
    /// - Throws: ``DispatchError`` `.ledger`.
    public func advance(to time: Duration) throws {
        try locked { c in try c.advance(to: time) }
    }

    /// Writes buffered ledger changes now.
    public func flush() throws {
        try locked { c in try c.flush() }
    }

    /// Runs until nothing is queued or in flight.
    ///
    /// Sleeps on the clock to each next event and processes it; the ledger is flushed before every
    /// wait and at the end. On a ``VirtualClock`` this takes no waiting. Runs on a thread of the
    /// dispatcher's own (see ``run()``).
    /// - Throws: ``DispatchError`` `.ledger`, or `CancellationError`.
    public func runUntilIdle() async throws {
        _ = try await onItsThread { try await runLoop(RunPlan(end: .idle)) }
        logSummaries()
    }

    /// Writes the counts of repeated events that the log's summaries hold back (a provider's
    /// throttling since its last line, see ``RepeatedEvent``): at the end of a run, so that no
    /// count is lost. Writes nothing when nothing is held back.
    public func logSummaries() {
        core.withLock { $0.logThrottleRemainders() }
    }

    /// Runs the dispatcher until the task is cancelled: the production driver on the real clock.
    ///
    /// Processes events as they come due on the clock and wakes at once when a command or a
    /// delivery report adds work; the ledger is written before every wait.
    ///
    /// The loop (``runLoop(_:)``, the one the CLI's desk runs too) runs on a thread of the
    /// dispatcher's own, `fanout.dispatch`, as the task's executor: its SQLite writes block that
    /// thread, never one of the cooperative pool. Start it from any task:
    /// `let driver = Task { try await dispatcher.run() }`, and cancel that task to stop.
    ///
    /// On a ``VirtualClock`` prefer ``runUntilIdle()`` or ``advance(to:)``, which are deterministic.
    /// - Throws: ``DispatchError`` `.ledger`, or `CancellationError` when cancelled.
    public func run() async throws {
        _ = try await onItsThread { try await runLoop(RunPlan(end: .cancelled)) }
    }
}
