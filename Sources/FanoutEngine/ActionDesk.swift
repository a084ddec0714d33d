import FanOut
import Foundation

/// The clock an ``ActionDesk`` runs its dispatcher on.
public enum DeskClock: Sendable, Hashable {
    /// Virtual time: no waiting; a 30-minute action runs in milliseconds.
    case virtual
    /// Real time, `speed` times as fast as the wall clock (1 in production).
    case real(speed: Double)
}

/// Where an ``ActionDesk``'s messages go.
public struct DeskProviders: Sendable {
    /// The simulation answering every channel.
    public var simulation: ProviderSimulation
    /// When set, every hand-over is also appended to this provider-record file (the kill -9
    /// test's evidence; see ``ProviderRecordProvider``).
    public var recordPath: String?

    /// Creates a provider choice.
    public init(simulation: ProviderSimulation, recordPath: String? = nil) {
        self.simulation = simulation
        self.recordPath = recordPath
    }
}

/// The control room's desk over the embedded database: the ledger in the registry file, a
/// dispatcher resumed from it, and simulated providers; one per process of `fanout action`.
///
/// Opening a desk resumes every unfinished action (messages the ledger shows in flight are sent
/// again under their keys). Commands (start, enlarge, stop, end) go to the dispatcher; ``runUntilIdle(progress:)``
/// processes until nothing is queued or in flight. A virtual or scaled clock continues from the
/// ledger's last recorded time, so times stay continuous over processes.
public final class ActionDesk {
    /// The ledger (in the registry's SQLite file).
    public let ledger: Ledger
    /// The dispatcher, resumed from the ledger.
    public let dispatcher: Dispatcher
    /// Provider limits and thresholds.
    public let config: DispatchConfig
    /// The simulated providers, one per channel (their hand-over counts).
    public let simulated: [Channel: SimulatedProvider]
    private let recorders: [ProviderRecordProvider]
    private let virtualClock: VirtualClock?
    private let scaledClock: ScaledClock?

    /// Opens the ledger in `db`, builds the providers and resumes the dispatcher.
    ///
    /// - Throws: ``FanOutError`` `.ledger` or `.invalidRequest` (the record file cannot be opened).
    public init(
        db: String, config: DispatchConfig, providers: DeskProviders, clock: DeskClock,
        options: DispatchOptions = DispatchOptions()
    ) throws {
        ledger = try Ledger.open(at: db)
        self.config = config
        let start = try ledger.lastRecordedTime()
        simulated = SimulatedProvider.all(providers.simulation)
        var chosen: [Channel: any MessageProvider] = simulated
        var recorders: [ProviderRecordProvider] = []
        if let path = providers.recordPath {
            for (channel, inner) in simulated {
                let r = try ProviderRecordProvider(path: path, answeringWith: inner)
                recorders.append(r)
                chosen[channel] = r
            }
        }
        self.recorders = recorders
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
        dispatcher = try Dispatcher.resume(
            config: config, providers: chosen, clock: dispatchClock, ledger: ledger, options: options)
    }

    /// Hand-overs whose provider-record line could not be written (0 without a record file).
    public var recordWriteFailures: Int { recorders.reduce(0) { $0 + $1.writeFailures } }

    // MARK: - Commands

    /// What an action on a selection would do, before anything is sent.
    public struct Plan: Sendable {
        /// The request, with the selection's incident point.
        public var request: ActionRequest
        /// The persons to alert, outside-in, each with their registry channel preferences.
        public var recipients: [Recipient]
        /// Recipients per channel the dispatcher would use.
        public var perChannel: [Channel: Int]
        /// When the last recipient would be reached at the configured limits.
        public var estimate: Planner.Estimate
        /// The incident type's confirmation threshold (`nil`: none configured).
        public var threshold: Int?
        /// Whether the plan exceeds the threshold and the request is not confirmed.
        public var needsConfirmation: Bool
    }

    /// Plans an action on `selection` (recipients' channels from `registry` when given), without
    /// opening the ledger or sending anything.
    /// - Throws: ``RegistryError`` when the preferences cannot be read.
    public static func plan(
        _ request: ActionRequest, selection: SelectionResult, registry: Registry?, config: DispatchConfig
    ) throws -> Plan {
        var request = request
        request.incidentPoint = selection.incident
        let recipients =
            try registry.map { try Recipient.recipients(for: selection.participants, registry: $0) }
            ?? selection.participants.map { Recipient($0) }
        return plan(request, recipients: recipients, config: config)
    }

    /// Plans an action on `recipients`.
    public static func plan(_ request: ActionRequest, recipients: [Recipient], config: DispatchConfig) -> Plan {
        var perChannel: [Channel: Int] = [:]
        var seen = Set<Int64>()
        for r in recipients where seen.insert(r.id).inserted {
            perChannel[request.channels.isEmpty ? .sms : channel(request, r), default: 0] += 1
        }
        let threshold = config.confirmationThreshold(for: request.incidentType)
        return Plan(
            request: request, recipients: recipients, perChannel: perChannel,
            estimate: Planner.estimate(recipients: perChannel, config: config), threshold: threshold,
            needsConfirmation: !request.confirmed && threshold.map { seen.count > $0 } == true)
    }

    private static func channel(_ request: ActionRequest, _ r: Recipient) -> Channel {
        r.channels.first(where: request.channels.contains) ?? request.channels[0]
    }

    /// Starts the planned action; the ledger holds it and every queued alert when this returns.
    ///
    /// `area` (the area as drawn, and the registry generation) goes to the action's audit.
    /// - Throws: ``FanOutError`` (see ``Dispatcher/start(_:recipients:)``).
    public func start(_ plan: Plan, area: AreaRecord? = nil) throws -> ActionID {
        let id = try dispatcher.start(plan.request, recipients: plan.recipients, area: area)
        try dispatcher.flush()
        return id
    }

    /// Enlarges action `id` with `recipients` (only persons not yet included are added).
    /// - Returns: How many were added.
    /// - Throws: ``FanOutError`` `.unknownAction` (naming the known ids), `.invalidTransition`.
    public func enlarge(_ id: ActionID, with recipients: [Recipient], area: AreaRecord? = nil) throws -> Int {
        try requireHeld(id, for: "enlarge")
        let added = try dispatcher.enlarge(id, with: recipients, area: area)
        try dispatcher.flush()
        return added
    }

    /// Stops action `id`: its queued alerts are cancelled.
    /// - Returns: How many alerts were cancelled.
    /// - Throws: ``FanOutError`` `.unknownAction`, `.invalidTransition`.
    public func stop(_ id: ActionID) throws -> Int {
        try requireHeld(id, for: "stop")
        let n = try dispatcher.stop(id)
        try dispatcher.flush()
        return n
    }

    /// Ends action `id` with `result`: the end message goes to exactly those reached.
    /// - Returns: How many end messages were queued now.
    /// - Throws: ``FanOutError`` `.unknownAction`, `.invalidTransition`, `.invalidRequest` (empty result).
    public func end(_ id: ActionID, result: String) throws -> Int {
        try requireHeld(id, for: "end")
        let n = try dispatcher.end(id, result: result)
        try dispatcher.flush()
        return n
    }

    /// The dispatcher resumes only unfinished actions; an ended, finished one is found in the
    /// ledger and refused as a bad transition, an unknown id as unknown.
    private func requireHeld(_ id: ActionID, for operation: String) throws {
        if dispatcher.actionIDs.contains(id) { return }
        let state = try ledger.state(of: id)
        throw FanOutError(.invalidTransition, "cannot \(operation) action \(id): it is \(state.rawValue)")
    }

    // MARK: - Running

    /// Progress of a run, for a progress bar.
    public struct Progress: Sendable {
        /// Dispatcher time.
        public var now: Duration
        /// Status of every action the dispatcher holds.
        public var actions: [ActionStatus]
        /// Events processed so far in this run.
        public var steps: Int
    }

    /// Processes events until nothing is queued or in flight, waiting on the clock between them
    /// (not at all on virtual time); on a real clock the ledger is written before every wait, and
    /// always at the end.
    ///
    /// - Parameter progress: Called about five times a second of wall time, and at the end.
    /// - Returns: The number of event steps.
    /// - Throws: ``FanOutError`` `.ledger`.
    @discardableResult
    public func runUntilIdle(progress: ((Progress) -> Void)? = nil) throws -> Int {
        try process(until: nil, progress: progress)
    }

    /// Processes every event due up to dispatcher time `deadline`, then lets the clock reach it.
    ///
    /// - Returns: The number of event steps.
    /// - Throws: ``FanOutError`` `.ledger`.
    @discardableResult
    public func run(until deadline: Duration, progress: ((Progress) -> Void)? = nil) throws -> Int {
        let steps = try process(until: deadline, progress: progress)
        wait(until: deadline)
        try dispatcher.advance(to: deadline)
        return steps
    }

    private func process(until deadline: Duration?, progress: ((Progress) -> Void)?) throws -> Int {
        var steps = 0
        var lastReport = ContinuousClock.now
        while let next = dispatcher.nextEventTime {
            if let deadline, next > deadline { break }
            if next > dispatcher.clock.now {
                // On a real clock nothing stays unwritten while waiting; virtual time does not wait,
                // and the dispatcher writes a batch whenever one is full.
                if scaledClock != nil { try dispatcher.flush() }
                wait(until: next)
            }
            try dispatcher.advance(to: max(next, dispatcher.clock.now))
            steps += 1
            if let progress, steps & 63 == 0, ContinuousClock.now - lastReport > .milliseconds(200) {
                lastReport = ContinuousClock.now
                progress(currentProgress(steps: steps))
            }
        }
        try dispatcher.flush()
        progress?(currentProgress(steps: steps))
        return steps
    }

    /// The current progress.
    public func currentProgress(steps: Int = 0) -> Progress {
        Progress(
            now: dispatcher.clock.now, actions: dispatcher.actionIDs.compactMap { try? dispatcher.status($0) },
            steps: steps)
    }

    private func wait(until deadline: Duration) {
        if let virtualClock {
            virtualClock.advance(to: deadline)
        } else if let scaledClock {
            let wall = scaledClock.wallInstant(for: deadline) - ContinuousClock.now
            if wall > .zero { Thread.sleep(forTimeInterval: wall.seconds) }
        }
    }
}
