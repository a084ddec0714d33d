import Geo
import Participants
extension DispatchCore {
    /// Removes an action's state for mutation (so its queues are not copied on write); the caller
    /// puts it back.
    mutating func takeRun(_ id: ActionID) -> ActionRun? { actions.removeValue(forKey: id) }

    /// Puts an action's state (back) and notes the channels it has messages queued on.
    mutating func put(_ run: ActionRun) {
        for (channel, queue) in run.queues where !queue.isEmpty { waiting[channel, default: []].insert(run.id) }
        actions[run.id] = run
    }

    /// Hands waiting messages to every channel with free capacity at `now`.
    mutating func pumpAll(at now: Duration) throws {
        for channel in Channel.allCases { try pump(channel, at: now) }
        recordQueueDepths()
    }

    private mutating func pickAction(_ channel: Channel) -> ActionID? {
        var candidates: [(id: ActionID, weight: Int)] = []
        var empty: [ActionID] = []
        for id in waiting[channel] ?? [] {
            if let run = actions[id], !(run.queues[channel]?.isEmpty ?? true) {
                candidates.append((id, run.request.urgency.weight))
            } else {
                empty.append(id)
            }
        }
        for id in empty { waiting[channel]?.remove(id) }
        candidates.sort { $0.id < $1.id }
        return rr[channel, default: WeightedRoundRobin()].pick(candidates)
    }

    /// What a hand-over gave.
    enum HandOver {
        /// The provider answered at once.
        case outcome(ProviderOutcome)
        /// A deferred provider took it over; the outcome is reported later.
        case deferred
        /// Rejected as overloaded: put back at the head of the queue (not an attempt).
        case throttled
        /// Rejected by a provider given up on (``DispatchCore/unavailable(_:at:)``): a failed
        /// attempt at once, which does not count as accepted.
        case unavailable
    }

    /// Marks `m` as with its provider (counted and recorded `sent`) before it is handed over.
    ///
    /// The key goes to the ledger's hand-over record before the hand-over
    /// (``recordBeforeHandOver(_:)``), so that after a crash at any moment every message a provider
    /// may have taken is `sent` in the ledger or listed there (and marked `sent` by the resume): in
    /// flight, outcome unknown, resolved by sending it again under its key, never cancelled as if
    /// it had not gone out.
    private mutating func markSent(_ m: QueuedMessage, of run: inout ActionRun, at now: Duration) throws {
        run.count(m.kind, from: .queued, to: .sent)
        run.inFlight += 1
        try record(.state(MessageKey(action: run.id, person: m.person, kind: m.kind), .sent, at: now))
    }

    /// Makes the coming hand-overs durable before they are made (write-ahead): their keys go to
    /// the ledger's hand-over record with one write; their `sent` states follow in the next batch.
    private mutating func recordBeforeHandOver(_ messages: [(ActionID, QueuedMessage)]) throws {
        guard let ledger, !messages.isEmpty else { return }
        try ledger.handOvers.append(messages.map { MessageKey(action: $0.0, person: $0.1.person, kind: $0.1.kind) })
        handOversLogged = true
    }

    /// Hands `m` (already marked sent) to the channel's provider; returns what happened and the
    /// attempt number. A throttled hand-over is put back at the head of its queue.
    private mutating func handOver(_ m: QueuedMessage, of run: inout ActionRun, on channel: Channel, at now: Duration)
        -> (HandOver, UInt16)
    {
        let key = MessageKey(action: run.id, person: m.person, kind: m.kind)
        let entry = run.people[m.person]
        let attempt = m.kind == .alert ? entry?.attempt ?? 1 : entry?.endAttempt ?? 1
        let language = entry?.language
        let text: String
        if m.kind == .alert {
            text =
                config.texts?.alertText(run.request, language: language, channel: channel)
                ?? run.request.text(for: language)
        } else {
            text = language.flatMap { run.resultTexts[$0] } ?? run.result ?? ""
        }
        let outbound = OutboundMessage(
            key: key, channel: channel, text: text, photoURL: m.kind == .alert ? run.request.photoURL : nil,
            attempt: Int(attempt), language: language)
        let result: HandOver
        switch providers[channel] {
        case .immediate(let provider)?:
            let outcome = provider.send(outbound, at: now)
            if outcome.result != .throttled {
                result = .outcome(outcome)
            } else if unavailable(channel, at: now) {
                result = .unavailable
            } else {
                result = .throttled
            }
        case .deferred(let provider)?:
            awaiting.insert(AttemptKey(key: key, attempt: attempt))
            provider.submit(outbound, at: now, reporter: reporter)
            result = .deferred
        case nil:
            // No provider (a channel dropped from the configuration before a resume): it fails at once.
            result = .outcome(ProviderOutcome(.failed))
        }
        switch result {
        case .throttled, .unavailable:
            break  // the caller gives it (and the rest of its batch) back, or fails it
        case .outcome:
            metrics.sent[channel.index].increment()
        case .deferred:
            break  // counted as sent when the provider reports it accepted
        }
        return (result, attempt)
    }

    /// Gives back messages marked sent but not taken: the first was rejected as overloaded, the
    /// rest of its batch (or round) was not offered. Each goes back to the head of its queue, in
    /// the original order, and is queued again in the ledger.
    private mutating func giveBack(_ ms: ArraySlice<(ActionID, QueuedMessage)>, on channel: Channel, at now: Duration)
        throws
    {
        for (offset, (id, m)) in ms.enumerated().reversed() {
            guard var run = takeRun(id) else { continue }
            requeueThrottled(m, of: &run, on: channel, at: now)
            if offset > 0 { run.throttled -= 1 }  // not rejected itself, only not offered
            try record(.state(MessageKey(action: id, person: m.person, kind: m.kind), .queued, at: now))
            put(run)
        }
    }

    /// Puts a rejected hand-over back at the head of its queue (it was counted as sent).
    mutating func requeueThrottled(_ m: QueuedMessage, of run: inout ActionRun, on channel: Channel, at now: Duration) {
        run.count(m.kind, from: .sent, to: .queued)
        run.inFlight -= 1
        run.throttled += 1
        run.queues[channel, default: MessageQueue()].pushFront(m)
    }

    mutating func pump(_ channel: Channel, at now: Duration) throws {
        // Held: nothing is handed over; ``Dispatcher/releaseHandOvers()`` pumps every channel again.
        if held { return }
        // Compared in whole nanoseconds, the event queue's resolution: a channel free at a
        // fraction of a nanosecond after the ready event's time would otherwise re-arm that event
        // at the same instant forever.
        if let busyUntil = freeAt[channel], busyUntil.nanoseconds > now.nanoseconds {
            if readyScheduled.insert(channel).inserted { events.push(.channelReady(channel), at: busyUntil) }
            return
        }
        if channel == .voice {
            // The line limit holds for the whole round; accepted calls raise it for the next one.
            // Every call of the round is marked sent and written before the first is placed.
            var round: [(ActionID, QueuedMessage)] = []
            while linesBusy + round.count < Int(rates[channel.index]), let id = pickAction(channel),
                var run = takeRun(id)
            {
                defer { put(run) }
                guard let m = run.queues[channel]?.popFirst() else { break }
                try markSent(m, of: &run, at: now)
                round.append((id, m))
            }
            guard !round.isEmpty else { return }
            try recordBeforeHandOver(round)
            var placed = 0
            for (i, (id, m)) in round.enumerated() {
                guard var run = takeRun(id) else { continue }
                let (handOver, attempt) = handOver(m, of: &run, on: channel, at: now)
                put(run)
                switch handOver {
                case .throttled:
                    try giveBack(round[i...], on: channel, at: now)
                    if placed > 0 { accepted(channel, share: Double(placed)) }
                    throttle(channel, at: now)
                    return
                case .deferred:
                    linesBusy += 1
                case .unavailable:
                    linesBusy += 1
                    events.push(
                        .completed(MessageKey(action: id, person: m.person, kind: m.kind), channel, .failed, attempt: attempt),
                        at: now)
                case .outcome(let outcome):
                    linesBusy += 1
                    placed += 1
                    events.push(
                        .completed(
                            MessageKey(action: id, person: m.person, kind: m.kind), channel, outcome.result,
                            attempt: attempt),
                        at: now + outcome.duration)
                }
            }
            // A call is one hand-over request, like a batch: each accepted one adds a step.
            if placed > 0 { accepted(channel, share: Double(placed)) }
            return
        }
        guard let rate = config.rate(for: channel) else { return }
        guard let id = pickAction(channel), var run = takeRun(id) else { return }
        var batch: [(QueuedMessage, ProviderOutcome?, UInt16)] = []
        var popped: [(ActionID, QueuedMessage)] = []
        var rejectedAt: Int?
        var givenUp = false
        do {
            defer { put(run) }
            // The whole batch is marked sent and recorded before its first message is handed over.
            while popped.count < rate.batchSize, let m = run.queues[channel]?.popFirst() {
                try markSent(m, of: &run, at: now)
                popped.append((id, m))
            }
            try recordBeforeHandOver(popped)
            for (i, (_, m)) in popped.enumerated() {
                let (handOver, attempt) = handOver(m, of: &run, on: channel, at: now)
                switch handOver {
                case .throttled:
                    rejectedAt = i
                case .deferred:
                    batch.append((m, nil, attempt))
                case .unavailable:
                    batch.append((m, ProviderOutcome(.failed), attempt))
                    givenUp = true
                case .outcome(let outcome):
                    batch.append((m, outcome, attempt))
                }
                if rejectedAt != nil { break }
            }
        }
        if let i = rejectedAt { try giveBack(popped[i...], on: channel, at: now) }
        let rejected = rejectedAt != nil
        // A batch of k occupies the channel for k / rate seconds at the current rate.
        let sentAt = now + .seconds(fractional: Double(batch.count) / rates[channel.index])
        freeAt[channel] = sentAt
        for case (let m, let outcome?, let attempt) in batch {
            events.push(
                .completed(
                    MessageKey(action: id, person: m.person, kind: m.kind), channel, outcome.result, attempt: attempt),
                at: sentAt + outcome.duration)
        }
        if rejected {
            // The accepted part goes out; then the channel rests and continues at the lower rate.
            freeAt[channel] = sentAt
            throttle(channel, at: sentAt)
            return
        }
        if !batch.isEmpty, !givenUp, batch.allSatisfy({ $0.1 != nil }) { accepted(channel, share: 1) }
        // One pending ready event per channel; a stale one reschedules itself when it fires.
        if readyScheduled.insert(channel).inserted { events.push(.channelReady(channel), at: sentAt) }
    }
}
