import Selection
import Synchronization

/// Turns selections into calls, texts, mails and pushes, outside-in, within the providers' limits,
/// with every message's state in a durable ledger.
///
/// Actions are started, enlarged, stopped and ended through this type; time moves through
/// ``advance(to:)`` or ``runUntilIdle()`` on the injected ``DispatchClock``, so a whole action runs
/// on virtual time in tests and on the real clock in production.
///
/// ```swift
/// let dispatcher = Dispatcher(config: config, providers: [.sms: smsc, .voice: voip], clock: SystemDispatchClock(),
///                             ledger: try Ledger.open(at: "registry.sqlite"))
/// let id = try dispatcher.start(request, selection: result.participants)
/// try await dispatcher.runUntilIdle()
/// try dispatcher.end(id, result: "Suspect arrested. Thank you.")
/// try await dispatcher.runUntilIdle()
/// ```
///
/// ## Topics
/// - ``start(_:recipients:)``
/// - ``enlarge(_:with:)``
/// - ``stop(_:)``
/// - ``end(_:result:)``
/// - ``resume(config:providers:clock:ledger:options:)``
public final class Dispatcher: Sendable {
    /// The clock all timing goes through.
    public let clock: any DispatchClock
    private let core: Mutex<DispatchCore>
    private let signal = WorkSignal()

    /// Creates a dispatcher with no actions.
    ///
    /// - Parameters:
    ///   - config: Provider limits and confirmation thresholds.
    ///   - providers: One adapter per channel the actions may use.
    ///   - clock: The time source (``VirtualClock`` in tests).
    ///   - ledger: Where message states are kept durable; `nil` keeps them in memory only.
    ///   - options: Ring width and ledger batch size.
    public init(
        config: DispatchConfig = DispatchConfig(), providers: [Channel: any MessageProvider],
        clock: any DispatchClock, ledger: Ledger? = nil, options: DispatchOptions = DispatchOptions()
    ) {
        self.clock = clock
        core = Mutex(DispatchCore(config: config, providers: providers, ledger: ledger, options: options))
    }

    private func locked<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        try core.withLock { (c: inout DispatchCore) throws -> T in try body(&c) }
    }

    /// Runs a command on the locked state, then wakes a waiting ``run()`` loop.
    private func command<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        defer { signal.bump() }
        return try locked(body)
    }

    /// Runs `body` on the locked state (for extensions in this module).
    func withCore<T: Sendable>(_ body: (inout DispatchCore) throws -> T) throws -> T {
        try locked(body)
    }

    // MARK: - Lifecycle

    /// Starts an action alerting `recipients` in the given (outside-in) order.
    ///
    /// A person listed twice is alerted once. The action and all its queued messages are in the
    /// ledger when this returns.
    /// - Returns: The new action's id.
    /// - Throws: ``FanOutError`` `.invalidRequest` (empty message, no channel, a channel without a
    ///   provider), `.confirmationRequired` (more recipients than the incident type's threshold and
    ///   `request.confirmed` not set), `.ledger`.
    public func start(_ request: ActionRequest, recipients: [Recipient]) throws -> ActionID {
        let now = clock.now
        return try command { c in
            if request.message.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw FanOutError(.invalidRequest, "an action needs a message text")
            }
            guard !request.channels.isEmpty else { throw FanOutError(.invalidRequest, "an action needs a channel") }
            for channel in request.channels where c.providers[channel] == nil {
                throw FanOutError(.invalidRequest, "no provider is configured for channel '\(channel.rawValue)'")
            }
            try DispatchCore.checkDistances(recipients)
            let persons = Set(recipients.map(\.id)).count
            try Planner.checkInterlock(
                recipients: persons, incidentType: request.incidentType, confirmed: request.confirmed,
                config: c.config)
            let id = ActionID(rawValue: c.nextActionID)
            c.nextActionID += 1
            var run = ActionRun(id: id, request: request, state: .running, ringWidthMeters: c.options.ringWidthMeters)
            try c.record(.startAction(id, request, at: now))
            _ = try c.include(recipients, in: &run, at: now)
            c.actions[id] = run
            try c.flush()
            try c.pumpAll(at: now)
            return id
        }

    }

    /// Starts an action on a selection (outside-in order as selected).
    public func start(_ request: ActionRequest, selection: [SelectedParticipant]) throws -> ActionID {
        try start(request, recipients: selection.map { Recipient($0) })
    }

    /// Enlarges a running action: only persons not yet included are added, in the given order
    /// (the new area's outside-in order), after those still queued.
    ///
    /// - Returns: How many persons were added.
    /// - Throws: ``FanOutError`` `.unknownAction`, `.invalidTransition` (stopped or ended), `.ledger`.
    @discardableResult
    public func enlarge(_ id: ActionID, with recipients: [Recipient]) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "enlarge", allowed: [.running])
            let added = try c.include(recipients, in: &run, at: now)
            c.actions[id] = run
            try c.flush()
            try c.pumpAll(at: now)
            return added
        }
    }

    /// Enlarges a running action with a new selection.
    @discardableResult
    public func enlarge(_ id: ActionID, selection: [SelectedParticipant]) throws -> Int {
        try enlarge(id, with: selection.map { Recipient($0) })
    }

    /// Stops a running action: every queued alert is cancelled at once.
    ///
    /// Messages already with a provider complete. The action can still be ended.
    ///
    /// - Returns: How many alerts were cancelled.
    /// - Throws: ``FanOutError`` `.unknownAction`, `.invalidTransition` (already stopped or ended), `.ledger`.
    @discardableResult
    public func stop(_ id: ActionID) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "stop", allowed: [.running])
            let cancelled = Self.cancelQueued(&run)
            run.state = .stopped
            c.actions[id] = run
            try c.record(.cancelQueued(id, at: now))
            try c.record(.actionState(id, .stopped, result: nil))
            try c.flush()
            return cancelled
        }
    }

    /// Ends an action with a result text: queued alerts are cancelled and the end message goes to
    /// exactly the persons the alert reached (delivered or answered), including those whose call
    /// in progress is answered later, and to nobody else.
    ///
    /// - Returns: How many end messages were queued now.
    /// - Throws: ``FanOutError`` `.unknownAction`, `.invalidTransition` (ended already),
    ///   `.invalidRequest` (empty result), `.ledger`.
    @discardableResult
    public func end(_ id: ActionID, result: String) throws -> Int {
        let now = clock.now
        return try command { c in
            var run = try Self.run(id, in: c, for: "end", allowed: [.running, .stopped])
            if result.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw FanOutError(.invalidRequest, "ending action \(id) needs a result text")
            }
            if run.state == .running {
                _ = Self.cancelQueued(&run)
                try c.record(.cancelQueued(id, at: now))
            }
            run.state = .ended
            run.result = result
            try c.record(.actionState(id, .ended, result: result))
            var queued = 0
            for person in run.order where run.reached.contains(person) {
                try c.enqueue(person, .end, in: &run, at: now)
                queued += 1
            }
            c.actions[id] = run
            try c.flush()
            try c.pumpAll(at: now)
            return queued
        }
    }

    private static func run(_ id: ActionID, in c: DispatchCore, for operation: String, allowed: Set<ActionState>)
        throws -> ActionRun
    {
        guard let run = c.actions[id] else { throw FanOutError(.unknownAction, "no action \(id)") }
        guard allowed.contains(run.state) else {
            throw FanOutError(.invalidTransition, "cannot \(operation) action \(id): it is \(run.state.rawValue)")
        }
        return run
    }

    private static func cancelQueued(_ run: inout ActionRun) -> Int {
        var cancelled = 0
        for channel in run.queues.keys {
            for m in run.queues[channel]?.removeAll() ?? [] {
                run.count(m.kind, from: .queued, to: .cancelled)
                cancelled += 1
            }
        }
        return cancelled
    }

    // MARK: - Progress

    /// An action's progress.
    /// - Throws: ``FanOutError`` `.unknownAction`.
    public func status(_ id: ActionID) throws -> ActionStatus {
        try locked { c in
            guard let run = c.actions[id] else { throw FanOutError(.unknownAction, "no action \(id)") }
            return run.status()
        }
    }

    /// When each distance ring of the action was reached, outermost first.
    /// - Throws: ``FanOutError`` `.unknownAction`.
    public func ringReport(_ id: ActionID) throws -> [RingReport] {
        try locked { c in
            guard let run = c.actions[id] else { throw FanOutError(.unknownAction, "no action \(id)") }
            return run.rings.report
        }
    }

    /// The ids of the actions this dispatcher holds.
    public var actionIDs: [ActionID] { core.withLock { $0.actions.keys.sorted() } }

    // MARK: - Time

    /// When the next event is due (`nil` when nothing is queued or in flight).
    public var nextEventTime: Duration? { core.withLock { $0.events.firstTime } }

    /// Processes everything due up to `time` (dispatcher clock).
    /// - Throws: ``FanOutError`` `.ledger`.
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
    /// wait and at the end. On a ``VirtualClock`` this takes no waiting.
    /// - Throws: ``FanOutError`` `.ledger`, or `CancellationError`.
    public func runUntilIdle() async throws {
        while let next = nextEventTime {
            if next > clock.now { try flush() }  // nothing unwritten while waiting
            try await clock.sleep(until: next)
            try advance(to: clock.now)
        }
        try flush()
    }

    /// Runs the dispatcher until the task is cancelled: the production driver on the real clock.
    ///
    /// Processes events as they come due on the clock and wakes at once when a command adds work.
    ///
    /// On a ``VirtualClock`` prefer ``runUntilIdle()`` or ``advance(to:)``, which are deterministic.
    /// - Throws: ``FanOutError`` `.ledger`, or `CancellationError` when cancelled.
    public func run() async throws {
        while true {
            try Task.checkCancellation()
            let seen = signal.generation
            try advance(to: clock.now)
            try flush()
            guard let next = nextEventTime else {
                await signal.wait(after: seen)
                continue
            }
            if next <= clock.now { continue }
            let clock = self.clock
            let signal = self.signal
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await clock.sleep(until: next) }
                group.addTask { await signal.wait(after: seen) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}
