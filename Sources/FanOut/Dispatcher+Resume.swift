extension Dispatcher {
    /// Rebuilds a dispatcher from the ledger after a restart (or a crash) and resumes every action
    /// that was running, stopped or ended with end messages still to send.
    ///
    /// Messages the ledger shows as queued are sent again in their original order; those shown as
    /// sent, delivered, failed or cancelled are not. After a crash, a message handed to its provider
    /// whose `sent` state was still in the unwritten ledger batch is sent a second time with the same
    /// idempotency key: at most ``DispatchOptions/ledgerBatchSize`` such repeats (the in-flight
    /// window), which a provider honouring the key drops. Messages shown as `sent` whose outcome was
    /// lost stay `sent` (not reached, so no end message): reconciling them with the provider's
    /// delivery reports is not written yet. The ring report is rebuilt from the ledger's times, which
    /// are continuous on a virtual clock resumed at the crash time; a real clock restarts at zero.
    ///
    /// - Throws: ``FanOutError`` `.ledger`.
    public static func resume(
        config: DispatchConfig = DispatchConfig(), providers: [Channel: any MessageProvider],
        clock: any DispatchClock, ledger: Ledger, options: DispatchOptions = DispatchOptions()
    ) throws -> Dispatcher {
        let dispatcher = Dispatcher(
            config: config, providers: providers, clock: clock, ledger: ledger, options: options)
        let stored = try ledger.unfinishedActions()
        let lastID = try ledger.maxActionID()
        let now = clock.now
        try dispatcher.withCore { c in
            c.nextActionID = lastID + 1
            for action in stored {
                var run = rebuild(action, ringWidthMeters: options.ringWidthMeters)
                if run.state == .ended {
                    for person in run.order where run.reached.contains(person) && !run.endQueued.contains(person) {
                        try c.enqueue(person, .end, in: &run, at: now)
                    }
                }
                c.actions[action.id] = run
            }
            try c.flush()
            try c.pumpAll(at: now)
        }
        return dispatcher
    }

    private static func rebuild(_ action: StoredAction, ringWidthMeters: Double) -> ActionRun {
        var run = ActionRun(
            id: action.id, request: action.request, state: action.state, ringWidthMeters: ringWidthMeters)
        run.result = action.result
        for entry in action.messages {
            let person = entry.key.person
            run.nextSeq = max(run.nextSeq, entry.seq + 1)
            run.count(entry.key.kind, from: nil, to: entry.state)
            switch entry.key.kind {
            case .alert:
                run.people[person] = PersonEntry(
                    channel: entry.channel, distanceMeters: entry.distanceMeters, seq: entry.seq)
                run.order.append(person)
                if entry.state == .delivered { run.reached.insert(person) }
                if entry.state == .delivered || entry.state == .failed {
                    run.rings.record(
                        distanceMeters: entry.distanceMeters, reached: entry.state == .delivered, at: entry.updatedAt)
                    run.lastAlertCompletedAt = max(run.lastAlertCompletedAt ?? entry.updatedAt, entry.updatedAt)
                }
            case .end:
                run.endQueued.insert(person)
            }
            if entry.state == .queued {
                run.queues[entry.channel, default: MessageQueue()].append(
                    QueuedMessage(person: person, kind: entry.key.kind, seq: entry.seq))
            }
        }
        return run
    }
}
