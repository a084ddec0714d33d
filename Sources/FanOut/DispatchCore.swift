/// The dispatcher's state and scheduling, guarded by the ``Dispatcher``'s lock.
///
/// A discrete-event scheduler: events (a call ends, an SMS batch has gone out, a delivery report
/// arrives) are processed in time order; after each, the freed capacity is given to the waiting
/// actions by weighted round robin on urgency.
struct DispatchCore {
    let config: DispatchConfig
    let providers: [Channel: any MessageProvider]
    let ledger: Ledger?
    let options: DispatchOptions
    var actions: [ActionID: ActionRun] = [:]
    var nextActionID: Int64 = 1
    var events = EventQueue()
    var linesBusy = 0
    var freeAt: [Channel: Duration] = [:]
    var readyScheduled: Set<Channel> = []
    var rr: [Channel: WeightedRoundRobin] = [:]
    var pending: [LedgerOp] = []

    // MARK: - Ledger

    mutating func flush() throws {
        guard let ledger, !pending.isEmpty else {
            pending.removeAll(keepingCapacity: true)
            return
        }
        let ops = pending
        pending.removeAll(keepingCapacity: true)
        try ledger.apply(ops)
    }

    mutating func record(_ op: LedgerOp) throws {
        guard ledger != nil else { return }
        pending.append(op)
        if pending.count >= options.ledgerBatchSize { try flush() }
    }

    // MARK: - Queueing

    /// Queues one message of `run` (the caller writes the ledger op).
    mutating func enqueue(_ person: Int64, _ kind: MessageKind, in run: inout ActionRun, at now: Duration) throws {
        guard let entry = run.people[person] else { return }
        let seq: Int64
        if kind == .alert {
            seq = entry.seq
        } else {
            seq = run.nextSeq
            run.nextSeq += 1
            run.endQueued.insert(person)
        }
        run.queues[entry.channel, default: MessageQueue()].append(QueuedMessage(person: person, kind: kind, seq: seq))
        run.count(kind, from: nil, to: .queued)
        try record(
            .enqueue(
                MessageKey(action: run.id, person: person, kind: kind), entry.channel, seq: seq,
                distanceMeters: entry.distanceMeters, at: now))
    }

    /// Refuses a distance that is negative, infinite or not a number (before anything is changed).
    static func checkDistances(_ recipients: [Recipient]) throws {
        if let bad = recipients.first(where: { !($0.distanceMeters >= 0 && $0.distanceMeters.isFinite) }) {
            throw FanOutError(
                .invalidRequest, "participant \(bad.id) has distance \(bad.distanceMeters) m; expected finite, ≥ 0")
        }
    }

    /// Adds the recipients not yet included to `run`, in the given order; returns how many.
    mutating func include(_ recipients: [Recipient], in run: inout ActionRun, at now: Duration) throws -> Int {
        try Self.checkDistances(recipients)
        var added = 0
        for r in recipients where run.people[r.id] == nil {
            run.people[r.id] = PersonEntry(
                channel: run.request.channel(for: r), distanceMeters: r.distanceMeters, seq: run.nextSeq)
            run.nextSeq += 1
            run.order.append(r.id)
            try enqueue(r.id, .alert, in: &run, at: now)
            added += 1
        }
        return added
    }

    // MARK: - Sending

    /// Removes an action's state for mutation (so its queues are not copied on write); the caller
    /// puts it back.
    mutating func takeRun(_ id: ActionID) -> ActionRun? { actions.removeValue(forKey: id) }

    /// Hands waiting messages to every channel with free capacity at `now`.
    mutating func pumpAll(at now: Duration) throws {
        for channel in Channel.allCases { try pump(channel, at: now) }
    }

    private mutating func pickAction(_ channel: Channel) -> ActionID? {
        var candidates: [(id: ActionID, weight: Int)] = []
        for (id, run) in actions where !(run.queues[channel]?.isEmpty ?? true) {
            candidates.append((id, run.request.urgency.weight))
        }
        candidates.sort { $0.id < $1.id }
        return rr[channel, default: WeightedRoundRobin()].pick(candidates)
    }

    private mutating func send(_ m: QueuedMessage, of run: inout ActionRun, on channel: Channel, at now: Duration)
        throws -> ProviderOutcome
    {
        let key = MessageKey(action: run.id, person: m.person, kind: m.kind)
        let text = m.kind == .alert ? run.request.message : (run.result ?? "")
        let outbound = OutboundMessage(
            key: key, channel: channel, text: text, photoURL: m.kind == .alert ? run.request.photoURL : nil)
        run.count(m.kind, from: .queued, to: .sent)
        run.inFlight += 1
        try record(.state(key, .sent, at: now))
        // No provider (a channel dropped from the configuration before a resume): it fails at once.
        return providers[channel]?.send(outbound, at: now) ?? ProviderOutcome(.failed)
    }

    mutating func pump(_ channel: Channel, at now: Duration) throws {
        if channel == .voice {
            while linesBusy < config.voice.lines, let id = pickAction(channel), var run = takeRun(id) {
                defer { actions[id] = run }
                guard let m = run.queues[channel]?.popFirst() else { break }
                let outcome = try send(m, of: &run, on: channel, at: now)
                linesBusy += 1
                events.push(
                    .completed(MessageKey(action: id, person: m.person, kind: m.kind), channel, outcome.result),
                    at: now + outcome.duration)
            }
            return
        }
        guard let rate = config.rate(for: channel) else { return }
        if let busyUntil = freeAt[channel], busyUntil > now {
            if readyScheduled.insert(channel).inserted { events.push(.channelReady(channel), at: busyUntil) }
            return
        }
        guard let id = pickAction(channel), var run = takeRun(id) else { return }
        var batch: [(QueuedMessage, ProviderOutcome)] = []
        do {
            defer { actions[id] = run }
            while batch.count < rate.batchSize, let m = run.queues[channel]?.popFirst() {
                batch.append((m, try send(m, of: &run, on: channel, at: now)))
            }
        }
        let sentAt = now + .seconds(fractional: Double(batch.count) / rate.perSecond)
        freeAt[channel] = sentAt
        for (m, outcome) in batch {
            events.push(
                .completed(MessageKey(action: id, person: m.person, kind: m.kind), channel, outcome.result),
                at: sentAt + outcome.duration)
        }
        // One pending ready event per channel; a stale one reschedules itself when it fires.
        if readyScheduled.insert(channel).inserted { events.push(.channelReady(channel), at: sentAt) }
    }

    // MARK: - Events

    /// Processes every event due at or before `time`, in order.
    mutating func advance(to time: Duration) throws {
        while let (t, event) = events.popFirst(notAfter: time) {
            switch event {
            case .channelReady(let channel):
                readyScheduled.remove(channel)
                try pump(channel, at: t)
            case .completed(let key, let channel, let result):
                if channel == .voice { linesBusy -= 1 }
                try complete(key, result: result, at: t)
                try pump(channel, at: t)
            }
        }
    }

    private mutating func complete(_ key: MessageKey, result: DeliveryResult, at t: Duration) throws {
        guard var run = takeRun(key.action) else { return }
        defer { actions[key.action] = run }
        let state: MessageState = result.reached ? .delivered : .failed
        run.inFlight -= 1
        run.count(key.kind, from: .sent, to: state)
        try record(.state(key, state, at: t))
        switch key.kind {
        case .alert:
            run.outcomes[result, default: 0] += 1
            run.lastAlertCompletedAt = max(run.lastAlertCompletedAt ?? t, t)
            run.rings.record(
                distanceMeters: run.people[key.person]?.distanceMeters ?? 0, reached: result.reached, at: t)
            if result.reached {
                run.reached.insert(key.person)
                // Reached after the end was declared (a call in progress): they get the end message too.
                if run.state == .ended, !run.endQueued.contains(key.person) {
                    try enqueue(key.person, .end, in: &run, at: t)
                }
            }
        case .end:
            run.lastEndCompletedAt = max(run.lastEndCompletedAt ?? t, t)
        }
    }
}

/// Tuning of the dispatcher.
public struct DispatchOptions: Sendable, Hashable {
    /// Width of the distance rings in the ring report, in metres.
    public var ringWidthMeters: Double
    /// Ledger changes buffered before a transaction is written.
    ///
    /// This bounds the in-flight window:
    /// after a crash at most this many messages can be sent a second time (with the same
    /// idempotency key).
    public var ledgerBatchSize: Int

    /// Creates options (500 m rings, batches of 256 ledger changes).
    public init(ringWidthMeters: Double = 500, ledgerBatchSize: Int = 256) {
        self.ringWidthMeters = ringWidthMeters
        self.ledgerBatchSize = ledgerBatchSize
    }
}
