import Foundation
import Geo
import Logging
import Participants

/// A provider adapter as the dispatcher holds it: answering at once, or reporting later.
enum ProviderSlot: Sendable {
    case immediate(any MessageProvider)
    case deferred(any DeferredMessageProvider)
}

/// One attempt of one message, as a deferred provider reports it.
struct AttemptKey: Hashable {
    var key: MessageKey
    var attempt: UInt16
}

/// The dispatcher's state and scheduling, guarded by the ``Dispatcher``'s lock.
///
/// A discrete-event scheduler: events (a call ends, an SMS batch has gone out, a delivery report
/// arrives, a retry's backoff is over) are processed in time order; after each, the freed capacity
/// is given to the waiting actions by weighted round robin on urgency.
struct DispatchCore {
    let config: DispatchConfig
    let providers: [Channel: ProviderSlot]
    let ledger: Ledger?
    let options: DispatchOptions
    let metrics: DispatchMetrics
    let logger: Logger
    /// Hands deferred providers the way back in.
    let reporter: DeliveryReporter
    /// The wall-clock instant of dispatcher time zero (quiet hours are local wall time).
    let wallEpoch: Date
    var actions: [ActionID: ActionRun] = [:]
    /// Per channel, the actions that may have messages queued on it: every action put back with a
    /// non-empty queue is added (``put(_:)``), and ``pickAction(_:)`` drops those found empty. Keeps
    /// the pick proportional to the actions waiting, not to every action ever started.
    var waiting: [Channel: Set<ActionID>] = [:]
    var nextActionID: Int64 = 1
    var events = EventQueue()
    var linesBusy = 0
    var freeAt: [Channel: Duration] = [:]
    var readyScheduled: Set<Channel> = []
    var rr: [Channel: WeightedRoundRobin] = [:]
    var pending: [LedgerOp] = []
    /// Whether the ledger's hand-over record lists keys since the last committed batch.
    var handOversLogged = false
    /// Set by a command until its first ``flush()``: ``record(_:)`` does not write full batches, so
    /// the command's changes go in one transaction.
    var oneTransaction = false
    /// Current rate per channel index after back-pressure (messages/s; voice: lines).
    var rates: [Double]
    /// Hand-overs to deferred providers whose outcome is not yet reported.
    var awaiting: Set<AttemptKey> = []
    /// Per channel, when its provider started rejecting every hand-over (cleared by an accepted one).
    var rejectingSince: [Channel: Duration] = [:]
    /// Channels whose unavailability was logged (in this episode of rejections).
    var unavailableLogged: Set<Channel> = []
    /// Per channel, its episodes of rejections for the log: one line when a provider starts
    /// throttling, then summaries with counts (``RepeatedEvent``), not a line per episode.
    var throttleLog: [Channel: RepeatedEvent] = [:]
    /// The channel a fallback just queued a message on (pumped after the completion).
    var fallbackQueued: Channel?
    /// Whether hand-overs are held: nothing is given to a provider until released
    /// (``Dispatcher/holdHandOvers()``).
    var held: Bool

    init(
        config: DispatchConfig, providers: [Channel: ProviderSlot], ledger: Ledger?, options: DispatchOptions,
        metrics: DispatchMetrics, logger: Logger, reporter: DeliveryReporter, wallEpoch: Date
    ) {
        self.config = config
        self.providers = providers
        self.ledger = ledger
        self.options = options
        self.metrics = metrics
        self.logger = logger
        self.reporter = reporter
        self.wallEpoch = wallEpoch
        held = options.handOversHeld
        rates = Channel.allCases.map { config.limit(of: $0) }
        for c in Channel.allCases { metrics.rate[c.index].record(rates[c.index]) }
    }

    /// The time of the next event that can change anything: a channel-ready event for a channel
    /// with nothing queued (left from a pause or a slower rate) is dropped, so that a run is idle
    /// when only such events are left (a later message on the channel pumps it again).
    mutating func nextEventTime() -> Duration? {
        while case .channelReady(let channel)? = events.first, !hasQueued(on: channel), let t = events.firstTime {
            _ = events.popFirst(notAfter: t)
            readyScheduled.remove(channel)
        }
        return events.firstTime
    }

    /// Whether any action has a message queued on `channel`.
    func hasQueued(on channel: Channel) -> Bool {
        waiting[channel]?.contains { actions[$0]?.queues[channel]?.isEmpty == false } ?? false
    }

    // MARK: - Ledger

    mutating func flush() throws {
        oneTransaction = false
        guard let ledger, !pending.isEmpty else {
            pending.removeAll(keepingCapacity: true)
            return
        }
        let ops = pending
        pending.removeAll(keepingCapacity: true)
        try ledger.apply(ops)
        if handOversLogged {
            try ledger.handOvers.clear()  // the ledger now holds every state the record listed
            handOversLogged = false
        }
    }

    mutating func record(_ op: LedgerOp) throws {
        guard ledger != nil else { return }
        pending.append(op)
        if pending.count >= options.ledgerBatchSize, !oneTransaction { try flush() }
    }

    // MARK: - Queueing

    /// Queues one message of `run` and writes it to the ledger.
    ///
    /// An end message whose channel is in the person's quiet hours now waits (as a retry waits for
    /// its backoff) until the first minute that is not quiet, and the audit says so.
    mutating func enqueue(_ person: Int64, _ kind: MessageKind, in run: inout ActionRun, at now: Duration) throws {
        guard let entry = run.people[person] else { return }
        let seq: Int64
        var due: Duration?
        if kind == .alert {
            seq = entry.seq
        } else {
            seq = run.nextSeq
            run.nextSeq += 1
            run.endQueued.insert(person)
            if let quiet = entry.quiet,
                let ends = quietEnds(quiet, entry.channel, incidentType: run.request.incidentType, after: now),
                ends > now
            {
                due = ends
            }
        }
        if let due {
            run.endRetryWaiting.insert(person)
            events.push(.retryDue(run.id, person: person, .end), at: due)
        } else {
            run.queues[entry.channel, default: MessageQueue()].append(
                QueuedMessage(person: person, kind: kind, seq: seq))
        }
        run.count(kind, from: nil, to: .queued)
        let key = MessageKey(action: run.id, person: person, kind: kind)
        try record(
            .enqueue(
                key, entry.channel, seq: seq, distanceMeters: entry.distanceMeters, plan: entry.plan,
                language: entry.language, participant: entry.participant, areaVersion: Int(entry.areaVersion),
                quietHours: entry.quiet, due: due, at: now))
        if let due, let quiet = entry.quiet {
            try record(
                .audit(
                    AuditRow(
                        action: run.id, person: person, participant: entry.participant, event: .deferred,
                        channel: entry.channel,
                        detail: "the end message waits for the end of the person's quiet hours (\(quiet)) on "
                            + "\(entry.channel.rawValue): sent at \(Self.clock(localMinute(at: due))) local time, "
                            + "after \(Self.seconds(due - now))", at: now)))
        }
    }

    // MARK: - Quiet hours

    /// Whether `channel` is in the person's quiet hours at dispatcher time `t`, for an action of
    /// `incidentType`.
    func isQuiet(_ entry: PersonEntry, on channel: Channel, incidentType: String, at t: Duration) -> Bool {
        guard let quiet = entry.quiet else { return false }
        return quiet.isQuiet(channel: channel, incidentType: incidentType, minute: localMinute(at: t))
    }

    /// The first dispatcher time at or after `t` at which `channel` is not in `quiet`: `t` itself
    /// when it is not quiet now, else the start of the first local minute that is not; `nil` when
    /// the channel is quiet all day.
    ///
    /// Walks the minutes of the local day (no calendar per minute) and corrects once for a clock
    /// change (the local minute reached must be the one found).
    func quietEnds(_ quiet: QuietHours, _ channel: Channel, incidentType: String, after t: Duration) -> Duration? {
        Self.quietEnds(quiet, channel, incidentType: incidentType, after: t, epoch: wallEpoch)
    }

    /// ``quietEnds(_:_:incidentType:after:)`` with time zero at `epoch`.
    static func quietEnds(
        _ quiet: QuietHours, _ channel: Channel, incidentType: String, after t: Duration, epoch: Date
    ) -> Duration? {
        let start = localMinute(at: t, epoch: epoch)
        func isQuiet(_ minute: Int) -> Bool {
            quiet.isQuiet(channel: channel, incidentType: incidentType, minute: minute)
        }
        guard isQuiet(start) else { return t }
        guard let ahead = (1..<1440).first(where: { !isQuiet((start + $0) % 1440) }) else { return nil }
        // The start of the current minute (Amsterdam's offsets are whole hours: minutes align with
        // UTC minutes), then `ahead` minutes on.
        let wallSeconds = epoch.timeIntervalSince1970 + t.seconds
        let intoMinute = wallSeconds - (wallSeconds / 60).rounded(.down) * 60
        var due = t - .milliseconds(Int64((intoMinute * 1000).rounded())) + .seconds(60 * ahead)
        // Over a clock change the local minute is an hour off: move by the difference.
        let target = (start + ahead) % 1440
        var off = (localMinute(at: due, epoch: epoch) - target + 1440) % 1440
        if off > 720 { off -= 1440 }
        due = due - .seconds(60 * off)
        return due > t ? due : t
    }

    /// Refuses a distance that is negative, infinite or not a number (before anything is changed).
    static func checkDistances(_ recipients: [Recipient]) throws {
        if let bad = recipients.first(where: { !($0.distanceMeters >= 0 && $0.distanceMeters.isFinite) }) {
            throw DispatchError(
                .invalidRequest, "participant \(bad.id) has distance \(bad.distanceMeters) m; expected finite, ≥ 0")
        }
    }

    /// The minute of the local (Europe/Amsterdam) day at dispatcher time `t`.
    func localMinute(at t: Duration) -> Int { Self.localMinute(at: t, epoch: wallEpoch) }

    /// The minute of the local (Europe/Amsterdam) day at dispatcher time `t`, time zero being `epoch`.
    static func localMinute(at t: Duration, epoch: Date) -> Int {
        let date = epoch.addingTimeInterval(t.seconds)
        let c = Self.amsterdam.dateComponents([.hour, .minute], from: date)
        return (c.hour ?? 0) * 60 + (c.minute ?? 0)
    }

    /// The Gregorian calendar in Europe/Amsterdam (quiet hours are Dutch wall-clock times).
    static let amsterdam: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Amsterdam") ?? TimeZone(secondsFromGMT: 3600) ?? .current
        return calendar
    }()

    /// Adds the recipients not yet included to `run` as area version `run.areaVersion`, in the
    /// given order (one person once: at their first address); records each inclusion and skip in
    /// the audit. Returns how many persons were added.
    mutating func include(_ recipients: [Recipient], in run: inout ActionRun, at now: Duration) throws -> Int {
        try Self.checkDistances(recipients)
        let minute = recipients.contains { $0.quietHours != nil } ? localMinute(at: now) : nil
        let version = run.areaVersion
        var added = 0
        var skippedNow: Set<Int64> = []
        for r in recipients {
            if let existing = run.people[r.person] {
                // Another address of a person already in this version: once per person.
                if Int(existing.areaVersion) == version, existing.participant != r.id {
                    run.skipped[.deduplicated, default: 0] += 1
                    try audit(
                        run.id, r, .skipped, version: version, reason: .deduplicated,
                        detail: "same person as participant \(existing.participant), included at "
                            + "\(Self.meters(existing.distanceMeters))", at: now)
                }
                continue
            }
            if let optOut = r.optOut, optOut.covers(run.request.incidentType) {
                guard skippedNow.insert(r.person).inserted else { continue }
                run.skipped[.optedOut, default: 0] += 1
                let detail =
                    optOut.all
                    ? "the person opted out of all alerts"
                    : "the person opted out of \(run.request.incidentType) alerts (opt_out: \(optOut))"
                try audit(run.id, r, .skipped, version: version, reason: .optedOut, detail: detail, at: now)
                continue
            }
            let plan = run.request.plan(for: r, minute: minute)
            guard let channel = plan[0] else {
                guard skippedNow.insert(r.person).inserted else { continue }
                let quiet = minute != nil && !run.request.plan(for: r, minute: nil).isEmpty
                let reason: SkipReason = quiet ? .quietHours : .noChannel
                run.skipped[reason, default: 0] += 1
                let detail =
                    quiet
                    ? "every channel of the action is in the person's quiet hours (\(r.quietHours?.description ?? ""))"
                        + " at \(Self.clock(minute ?? 0)) local time"
                    : r.noContact.isEmpty
                        ? "none of the action's channels can reach the person"
                        : "none of the action's channels can reach the person (no contact data for "
                            + "\(r.noContact.map(\.rawValue).joined(separator: ", ")))"
                try audit(run.id, r, .skipped, version: version, reason: reason, detail: detail, at: now)
                continue
            }
            run.people[r.person] = PersonEntry(
                channel: channel, distanceMeters: r.distanceMeters, seq: run.nextSeq, participant: r.id, plan: plan,
                areaVersion: UInt16(clamping: version), language: r.language?.code, quiet: r.quietHours)
            run.nextSeq += 1
            run.order.append(r.person)
            try audit(run.id, r, .included, version: version, channel: channel, at: now)
            try enqueue(r.person, .alert, in: &run, at: now)
            added += 1
        }
        return added
    }

    /// Writes one audit row about recipient `r`.
    private mutating func audit(
        _ action: ActionID, _ r: Recipient, _ event: AuditEvent, version: Int, channel: Channel? = nil,
        reason: SkipReason? = nil, detail: String? = nil, at now: Duration
    ) throws {
        guard ledger != nil else { return }
        try record(
            .audit(
                AuditRow(
                    action: action, person: r.person, participant: r.id, event: event, areaVersion: version,
                    distanceMeters: r.distanceMeters, channel: channel, reason: reason, detail: detail, at: now)))
    }

    static func meters(_ d: Double) -> String { String(format: "%.1f m", d) }

    static func clock(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60, minute % 60) }

    /// Records every channel's queue depth (O(actions with messages waiting): every non-empty
    /// queue's action is in ``waiting``).
    func recordQueueDepths() {
        var depth = [Int](repeating: 0, count: Channel.allCases.count)
        for (channel, ids) in waiting {
            for id in ids { depth[channel.index] += actions[id]?.queues[channel]?.count ?? 0 }
        }
        for c in Channel.allCases { metrics.queueDepth[c.index].record(depth[c.index]) }
    }
}

/// Tuning of the dispatcher.
public struct DispatchOptions: Sendable, Hashable {
    /// Width of the distance rings in the ring report, in metres.
    public var ringWidthMeters: Double
    /// Ledger changes buffered before a transaction is written.
    ///
    /// A message's `sent` state is always written before it is handed over (write-ahead), so a
    /// crash never hides a hand-over; the batch bounds the outcomes (delivered, failed) lost with
    /// a crash, whose messages are then sent a second time under the same idempotency key.
    public var ledgerBatchSize: Int
    /// The wall-clock instant of dispatcher time zero, for quiet hours (local time in
    /// Europe/Amsterdam). `nil`: the moment the dispatcher is created minus the clock's reading
    /// (right for ``SystemDispatchClock``); set it for a ``VirtualClock``.
    public var wallClockAtZero: Date?
    /// Whether the dispatcher starts with hand-overs held (see ``Dispatcher/holdHandOvers()``):
    /// a resumed dispatcher then gives nothing to a provider until ``Dispatcher/releaseHandOvers()``.
    public var handOversHeld: Bool

    /// The ledger batch sizes that make sense: 1 to 1,000,000 changes per transaction (the command
    /// line's `--ledger-batch` range; any value works, one of 0 or less writes every change at once).
    public static let ledgerBatchRange = 1...1_000_000

    /// Creates options (500 m rings, batches of 256 ledger changes).
    public init(
        ringWidthMeters: Double = 500, ledgerBatchSize: Int = 256, wallClockAtZero: Date? = nil,
        handOversHeld: Bool = false
    ) {
        self.ringWidthMeters = ringWidthMeters
        self.ledgerBatchSize = ledgerBatchSize
        self.wallClockAtZero = wallClockAtZero
        self.handOversHeld = handOversHeld
    }
}
