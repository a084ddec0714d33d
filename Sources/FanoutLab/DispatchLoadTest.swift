import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synchronization
import Synthetic

/// The dispatcher's load test: many actions on virtual time with simulated providers, measuring
/// the dispatcher's own cost (CPU per message, messages per second of wall time) and what the
/// control room would see (time until 50/90/100% of each action was reached, queue depths).
public enum DispatchLoadTest {
    /// What one action achieved.
    public struct ActionFigures: Sendable {
        /// Its label.
        public var name: String
        /// Persons included.
        public var included: Int
        /// Persons reached (alert delivered / answered).
        public var reached: Int
        /// Time from its start until 50%, 90% and 100% of those reached had been reached.
        public var t50, t90, t100: Duration?
    }

    /// The figures of one scenario.
    public struct Report: Sendable {
        /// Per action, in start order.
        public var actions: [ActionFigures]
        /// What each simulated provider was handed.
        public var perChannel: [Channel: SimulatedProvider.Counts]
        /// Distinct messages (alerts and end messages) the dispatcher handed over.
        public var messages: Int
        /// Hand-overs beyond one per message, overload rejections apart (retries, repeats).
        public var repeats: Int
        /// Hand-overs the providers rejected as overloaded (offered again later).
        public var rejected: Int
        /// The most messages queued at once (all actions), and when.
        public var maxQueued: Int
        /// When ``maxQueued`` was seen (dispatcher time).
        public var maxQueuedAt: Duration
        /// Thread CPU seconds spent dispatching (selections excluded).
        public var dispatchCPUSeconds: Double
        /// Wall seconds spent dispatching (selections excluded).
        public var dispatchWallSeconds: Double
        /// Wall seconds spent selecting the areas.
        public var selectionSeconds: Double
        /// Dispatcher time from the first start to the last completion.
        public var span: Duration
        /// Whether a ledger was written.
        public var withLedger: Bool
    }

    /// Runs `plan` on a fresh dispatcher on virtual time with simulated providers.
    ///
    /// Each action's area is selected when it starts (timed apart), its participants take their
    /// channel from ``preferred(_:)``; actions with an `endAfter` are ended then, the others when
    /// their alerts are done (mails never).
    ///
    /// - Parameters:
    ///   - ledgerPath: A new SQLite file for the ledger, or `nil` to keep no ledger (the
    ///     dispatcher's own cost alone).
    ///   - progress: Called with the share of the plan done, a few times a second.
    /// - Throws: ``DispatchError``, ``SelectionError``.
    public static func run(
        _ plan: [PlannedAction], engine: Engine, simulation: ProviderSimulation,
        config: DispatchConfig = DispatchConfig(),
        ledgerPath: String? = nil, progress: ((Double) -> Void)? = nil
    ) throws -> Report {
        let simulated = SimulatedProvider.all(simulation)
        let timing = ReachTimes()
        var providers: [Channel: any MessageProvider] = [:]
        for (c, p) in simulated { providers[c] = TimingProvider(inner: p, times: timing) }
        let clock = VirtualClock()
        let d =
            try ledgerPath.map {
                try Dispatcher(config: config, providers: providers, clock: clock, ledger: try Ledger.open(at: $0))
            } ?? Dispatcher(config: config, providers: providers, clock: clock)

        var selectionWall = Duration.zero
        var selectionCPU = 0.0
        var ids: [ActionID] = []
        var startedAt: [ActionID: Duration] = [:]
        var active: [ActionID: PlannedAction] = [:]
        var ends: [(at: Duration, id: ActionID)] = []
        var endScheduled = Set<ActionID>()
        var names: [ActionID: String] = [:]
        var maxQueued = 0
        var maxQueuedAt = Duration.zero
        var steps = 0
        var lastProgress = ContinuousClock.now
        let cpu0 = threadCPUSeconds()
        let wall0 = ContinuousClock.now

        func sample() throws {
            var queued = 0
            for (id, a) in active {
                let s = try d.status(id)
                queued += (s.alerts[.queued] ?? 0) + (s.endMessages[.queued] ?? 0)
                if s.isIdle {
                    if a.endAfter == nil && !a.isMail && s.state == .running {
                        if endScheduled.insert(id).inserted { ends.append((clock.now, id)) }  // alerts done: end it
                    } else if s.state == .ended || a.isMail {
                        active[id] = nil
                    }
                }
            }
            if queued > maxQueued {
                maxQueued = queued
                maxQueuedAt = clock.now
            }
        }
        func drive(until limit: Duration?) throws {
            while let next = d.nextEventTime, limit.map({ next <= $0 }) ?? true {
                clock.advance(to: next)
                try d.advance(to: next)
                steps += 1
                if steps % 512 == 0 { try sample() }
                if let progress, steps % 4096 == 0, ContinuousClock.now - lastProgress > .milliseconds(200) {
                    lastProgress = ContinuousClock.now
                    progress(Double(ids.count) / Double(max(plan.count, 1)))
                }
            }
            if let limit { clock.advance(to: limit) }
        }
        func runEnds(upTo t: Duration) throws {
            ends.sort { $0.at < $1.at }
            while let first = ends.first, first.at <= t {
                ends.removeFirst()
                try drive(until: first.at)
                if try d.status(first.id).state != .ended { try d.end(first.id, result: "Load test: ended") }
            }
        }

        for a in plan {
            try runEnds(upTo: a.startAt)
            try drive(until: a.startAt)
            let (selection, cpu, wall) = try timed {
                try engine.select(SelectionRequest(area: .circle(center: a.centre, radiusMeters: a.radiusMeters)))
            }
            selectionCPU += cpu
            selectionWall += wall
            guard !selection.participants.isEmpty else { continue }
            // The synthetic registry has no preferences: the load test's channel mix instead.
            let isMail = a.isMail
            let recipients = RecipientSource.withoutRegistry(
                reason: "dispatch load test: synthetic population and channel mix",
                channels: { @Sendable id in isMail ? [.email] : DispatchLoadTest.preferred(id) })
            let id = try d.start(a.request, selection: selection, recipients: recipients)
            ids.append(id)
            startedAt[id] = clock.now
            active[id] = a
            names[id] = a.name
            if let after = a.endAfter { ends.append((clock.now + after, id)) }
            try sample()
        }
        // Drain: run everything, ending actions when due (or when their alerts are done).
        while true {
            try sample()
            guard let nextEnd = ends.map(\.at).min() else {
                if d.nextEventTime == nil { break }
                try drive(until: nil)
                continue
            }
            try runEnds(upTo: max(nextEnd, clock.now))
        }
        try d.flush()
        d.logSummaries()
        let dispatchCPU = threadCPUSeconds() - cpu0 - selectionCPU
        let dispatchWall = (ContinuousClock.now - wall0) - selectionWall
        progress?(1)

        let times = timing.snapshot()
        var figures: [ActionFigures] = []
        var messages = 0
        for id in ids {
            let s = try d.status(id)
            messages +=
                s.alerts.values.reduce(0, +) - (s.alerts[.cancelled] ?? 0)
                + s.endMessages.values.reduce(0, +) - (s.endMessages[.cancelled] ?? 0)
            let reached = (times[id] ?? []).sorted()
            let start = startedAt[id] ?? .zero
            func at(_ share: Double) -> Duration? {
                reached.isEmpty ? nil : reached[max(0, Int((Double(reached.count) * share).rounded(.up)) - 1)] - start
            }
            figures.append(
                ActionFigures(
                    name: names[id] ?? "\(id)", included: s.included,
                    reached: s.reached, t50: at(0.5), t90: at(0.9), t100: at(1)))
        }
        let handedOver = simulated.values.reduce(0) { $0 + $1.handedOver.handedOver }
        let rejected = simulated.values.reduce(0) { $0 + ($1.handedOver.results[.throttled] ?? 0) }
        return Report(
            actions: figures, perChannel: simulated.mapValues(\.handedOver), messages: messages,
            repeats: handedOver - rejected - messages, rejected: rejected, maxQueued: maxQueued,
            maxQueuedAt: maxQueuedAt,
            dispatchCPUSeconds: dispatchCPU, dispatchWallSeconds: dispatchWall.seconds,
            selectionSeconds: selectionWall.seconds, span: clock.now, withLedger: ledgerPath != nil)
    }

    private static func timed<T>(_ body: () throws -> T) rethrows -> (T, Double, Duration) {
        let c0 = threadCPUSeconds()
        let w0 = ContinuousClock.now
        let value = try body()
        return (value, threadCPUSeconds() - c0, ContinuousClock.now - w0)
    }
}

/// CPU seconds used by the calling thread (`CLOCK_THREAD_CPUTIME_ID`; 0 if unavailable).
func threadCPUSeconds() -> Double {
    var ts = timespec()
    guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0 else { return 0 }  // returns 0 on success
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Delivered-alert completion times per action (dispatcher time), collected at the provider edge.
final class ReachTimes: Sendable {
    private let times = Mutex<[ActionID: [Duration]]>([:])
    func add(_ id: ActionID, _ t: Duration) { times.withLock { $0[id, default: []].append(t) } }
    func snapshot() -> [ActionID: [Duration]] { times.withLock { $0 } }
}

/// Passes messages to a simulated provider and notes when each alert it delivers completes.
final class TimingProvider: MessageProvider {
    let inner: SimulatedProvider
    let times: ReachTimes
    init(inner: SimulatedProvider, times: ReachTimes) {
        self.inner = inner
        self.times = times
    }
    func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        let outcome = inner.send(message, at: time)
        if message.key.kind == .alert && outcome.result == .delivered {
            times.add(message.key.action, time + outcome.duration)
        }
        return outcome
    }
}
