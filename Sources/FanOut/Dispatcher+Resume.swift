extension Dispatcher {
    /// Rebuilds a dispatcher from the ledger after a restart (or a crash) and resumes every action
    /// that was running, stopped or ended with end messages still to send.
    ///
    /// Messages the ledger shows as queued are sent in their original order. Messages shown as sent
    /// (with a provider, outcome not yet known: the in-flight window) are sent again first, with
    /// the same idempotency key: a provider honouring the key drops the repeat and answers with the
    /// first outcome, so the end message still reaches exactly those reached. Delivered, failed and
    /// cancelled messages are not sent again. Repeats are therefore bounded by the messages in
    /// flight at the crash: calls in progress, texts awaiting their delivery report, and at most
    /// ``DispatchOptions/ledgerBatchSize`` hand-overs whose `sent` state was not yet written.
    ///
    /// The ring report is rebuilt from the ledger's times, which are continuous on a virtual clock
    /// resumed at the crash time; a real clock restarts at zero.
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
            let resend = entry.state == .queued || entry.state == .sent
            run.count(entry.key.kind, from: nil, to: resend ? .queued : entry.state)
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
            if resend {
                run.queues[entry.channel, default: MessageQueue()].append(
                    QueuedMessage(person: person, kind: entry.key.kind, seq: entry.seq))
            }
        }
        return run
    }
}
