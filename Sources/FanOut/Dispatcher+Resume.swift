import Geo
import Logging
import Metrics
import Participants

extension Dispatcher {
    /// Takes up the ledger after a restart (or a crash): action ids continue after the last one
    /// recorded, and every action that was running, stopped, or ended with messages still to send
    /// or still with a provider is resumed. Opening a dispatcher on a ledger always does this
    /// (``init(config:providers:deferredProviders:clock:ledger:options:metrics:logger:)``).
    ///
    /// Messages the ledger shows as queued are sent in their original order. Messages shown as sent
    /// (with a provider, outcome not yet known: the in-flight window) are sent again, with the same
    /// idempotency key: a provider honouring the key drops the repeat and answers with the first
    /// outcome, so the end message still reaches exactly those reached. Every hand-over is written
    /// `sent` before it is made (write-ahead), so no message a provider may hold is ever seen as
    /// queued; an alert in flight at the crash is therefore not cancelled by a later stop or end,
    /// but resolved by sending it again, and gets the end message when that outcome is delivered.
    /// Delivered, failed and cancelled messages are not sent again. Repeats are therefore bounded
    /// by the messages in flight at the crash: calls in progress, texts awaiting their delivery
    /// report, and at most ``DispatchOptions/ledgerBatchSize`` outcomes not yet written.
    ///
    /// The ring report is rebuilt from the ledger's times, which are continuous on a virtual clock
    /// resumed at the crash time; a real clock restarts at zero.
    ///
    /// Retries resume too: a message waiting for its backoff is due at its stored time (on the
    /// dispatcher clock; at once if that has passed), with its attempt number, so the idempotency
    /// key of a repeat is the same as before the crash.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    func resumeFromLedger() throws {
        guard let ledger else { return }
        // Hand-overs made before a crash whose `sent` state was not committed: in flight.
        try ledger.markInFlight(try ledger.handOvers.keys())
        try ledger.handOvers.clear()
        let stored = try ledger.unfinishedActions()
        let lastID = try ledger.maxActionID()
        let now = clock.now
        let ringWidthMeters = options.ringWidthMeters
        try withCore { c in
            c.nextActionID = lastID + 1
            for action in stored {
                var (run, retries) = Self.rebuild(action, ringWidthMeters: ringWidthMeters)
                run.stoppedByAnswer = try ledger.stoppedPersons(in: action.id)
                for (person, kind, due) in retries {
                    if due > now {
                        c.events.push(.retryDue(action.id, person: person, kind), at: due)
                    } else if let entry = run.people[person] {
                        if kind == .alert {
                            run.alertRetryWaiting.remove(person)
                        } else {
                            run.endRetryWaiting.remove(person)
                        }
                        run.queues[entry.channel, default: MessageQueue()].append(
                            QueuedMessage(person: person, kind: kind, seq: entry.seq))
                    }
                }
                if run.state == .ended {
                    for person in run.order
                    where run.reached.contains(person) && !run.endQueued.contains(person)
                        && !run.stoppedByAnswer.contains(person)
                    {
                        try c.enqueue(person, .end, in: &run, at: now)
                    }
                }
                c.put(run)
            }
            try c.flush()
            try c.pumpAll(at: now)
        }
        logger.info("dispatcher resumed", metadata: ["actions": "\(stored.count)"])
    }

    /// The action's run-time state from its ledger rows, and its retries waiting for a backoff.
    private static func rebuild(_ action: StoredAction, ringWidthMeters: Double)
        -> (ActionRun, [(Int64, MessageKind, Duration)])
    {
        var retries: [(Int64, MessageKind, Duration)] = []
        var run = ActionRun(
            id: action.id, request: action.request, state: action.state, ringWidthMeters: ringWidthMeters)
        run.result = action.result
        run.resultTexts = action.resultTexts
        run.areaVersion = action.areaVersions
        run.startedAt = action.startedAt
        for entry in action.messages {
            let person = entry.key.person
            run.nextSeq = max(run.nextSeq, entry.seq + 1)
            let resend = entry.state == .queued || entry.state == .sent
            run.count(entry.key.kind, from: nil, to: resend ? .queued : entry.state)
            if entry.state == .queued, let due = entry.due {
                // Waiting for a retry's backoff: due at its stored time.
                retries.append((person, entry.key.kind, due))
                if entry.key.kind == .alert {
                    run.alertRetryWaiting.insert(person)
                } else {
                    run.endRetryWaiting.insert(person)
                }
            }
            switch entry.key.kind {
            case .alert:
                run.people[person] = PersonEntry(
                    channel: entry.channel, distanceMeters: entry.distanceMeters, seq: entry.seq,
                    participant: entry.participant ?? person,
                    plan: entry.plan, planIndex: UInt8(clamping: entry.planIndex),
                    attempt: UInt16(clamping: entry.attempt),
                    channelAttempt: UInt8(clamping: entry.channelAttempt),
                    areaVersion: UInt16(clamping: entry.areaVersion ?? 1), language: entry.language,
                    quiet: entry.quietHours)
                run.order.append(person)
                if entry.state == .delivered { run.reached.insert(person) }
                if entry.state == .delivered || entry.state == .failed {
                    run.rings.record(
                        distanceMeters: entry.distanceMeters, reached: entry.state == .delivered, at: entry.updatedAt)
                    run.lastAlertCompletedAt = max(run.lastAlertCompletedAt ?? entry.updatedAt, entry.updatedAt)
                }
            case .end:
                run.endQueued.insert(person)
                run.people[person]?.endAttempt = UInt16(clamping: entry.attempt)
            }
            if entry.state == .sent && entry.key.kind == .alert { run.inFlightAtResume.insert(person) }
            if resend && !(entry.state == .queued && entry.due != nil) {
                run.queues[entry.channel, default: MessageQueue()].append(
                    QueuedMessage(person: person, kind: entry.key.kind, seq: entry.seq))
            }
        }
        return (run, retries)
    }
}
