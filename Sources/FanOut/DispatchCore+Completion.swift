import Geo
import Participants
extension DispatchCore {
    /// Processes every event due at or before `time`, in order.
    mutating func advance(to time: Duration) throws {
        var pumped = false
        while let (t, event) = events.popFirst(notAfter: time) {
            pumped = true
            switch event {
            case .channelReady(let channel):
                readyScheduled.remove(channel)
                try pump(channel, at: t)
            case .completed(let key, let channel, let result, let attempt):
                if channel == .voice { linesBusy -= 1 }
                try complete(key, on: channel, result: result, attempt: attempt, at: t)
                try pump(channel, at: t)
                // A fallback queued the message on another channel.
                if let other = fallbackQueued {
                    fallbackQueued = nil
                    if other != channel { try pump(other, at: t) }
                }
            case .retryDue(let action, let person, let kind):
                if let channel = try retryDue(action, person: person, kind: kind, at: t) { try pump(channel, at: t) }
            }
        }
        if pumped { recordQueueDepths() }
    }

    /// A deferred provider's report: completes the attempt now (ignored when it is not awaited:
    /// reported twice, or from before a restart).
    mutating func report(_ message: OutboundMessage, result: DeliveryResult, at now: Duration) throws {
        let attempt = UInt16(clamping: message.attempt)
        guard awaiting.remove(AttemptKey(key: message.key, attempt: attempt)) != nil else { return }
        events.push(.completed(message.key, message.channel, result, attempt: attempt), at: now)
        if result != .throttled {
            metrics.sent[message.channel.index].increment()
            // A report is one message of a batch (voice: one call, a whole hand-over request).
            let share = 1 / Double(config.rate(for: message.channel)?.batchSize ?? 1)
            accepted(message.channel, share: share)
        }
    }

    private mutating func complete(
        _ key: MessageKey, on channel: Channel, result: DeliveryResult, attempt: UInt16, at t: Duration
    ) throws {
        guard var run = takeRun(key.action) else { return }
        defer { put(run) }
        var result = result
        if result == .throttled && unavailable(channel, at: t) {
            result = .failed  // given up on the provider: a failed attempt (retry, fallback or give-up)
        }
        if result == .throttled {
            throttle(channel, at: t)
            if key.kind == .alert, run.state != .running {
                // Rejected after a stop or end: the alert is not offered again.
                run.inFlight -= 1
                run.count(.alert, from: .sent, to: .cancelled)
                try record(.state(key, .cancelled, at: t))
                return
            }
            // A deferred provider's rejection: back to the head of the queue.
            let m = QueuedMessage(person: key.person, kind: key.kind, seq: seq(of: key, in: run))
            requeueThrottled(m, of: &run, on: channel, at: t)
            try record(.state(key, .queued, at: t))
            return
        }
        let i = channel.index
        if result.reached {
            metrics.delivered[i].increment()
        } else {
            metrics.failed[i].increment()
        }
        if key.kind == .alert { run.outcomes[result, default: 0] += 1 }
        var quietGaveUp: String?
        if !result.reached {
            switch try scheduleRetry(key, of: &run, on: channel, result: result, attempt: attempt, at: t) {
            case .scheduled:
                run.inFlight -= 1
                return
            case .none: break
            case .quiet(let detail): quietGaveUp = detail
            }
        }
        let state: MessageState = result.reached ? .delivered : .failed
        run.inFlight -= 1
        run.count(key.kind, from: .sent, to: state)
        try record(.state(key, state, at: t))
        switch key.kind {
        case .alert:
            run.lastAlertCompletedAt = max(run.lastAlertCompletedAt ?? t, t)
            let entry = run.people[key.person]
            run.rings.record(distanceMeters: entry?.distanceMeters ?? 0, reached: result.reached, at: t)
            if result.reached {
                run.reached.insert(key.person)
                metrics.timeToReach[i].recordNanoseconds((t - run.startedAt).nanoseconds)
                // Reached after the end was declared (a call in progress): they get the end message too.
                if run.state == .ended, !run.endQueued.contains(key.person) {
                    try enqueue(key.person, .end, in: &run, at: t)
                }
            } else if let entry, entry.attempt > 1 || quietGaveUp != nil {
                try record(
                    .audit(
                        AuditRow(
                            action: run.id, person: key.person, participant: entry.participant, event: .gaveUp,
                            channel: channel, attempt: Int(attempt), result: result,
                            detail: quietGaveUp ?? "no attempt left after \(entry.attempt) attempts", at: t)))
            }
        case .end:
            run.lastEndCompletedAt = max(run.lastEndCompletedAt ?? t, t)
        }
    }

    private func seq(of key: MessageKey, in run: ActionRun) -> Int64 {
        key.kind == .alert ? run.people[key.person]?.seq ?? 0 : 0
    }

    /// What ``scheduleRetry(_:of:on:result:attempt:at:)`` decided.
    enum RetryDecision {
        /// The next attempt is queued (or waits for its backoff).
        case scheduled
        /// No attempt is left.
        case none
        /// Attempts were left, but each falls in the person's quiet hours (the reason, for the audit).
        case quiet(String)
    }

    /// Schedules the next attempt of a message that was not delivered, if the retry policy allows:
    /// the same channel after the backoff, or (alerts) the person's next channel at once.
    ///
    /// The person's quiet hours are checked again: an alert's retry that would fall in them goes to
    /// the next channel that is not quiet now (with fallback), or is given up; an end message's
    /// retry waits until they end.
    private mutating func scheduleRetry(
        _ key: MessageKey, of run: inout ActionRun, on channel: Channel, result: DeliveryResult, attempt: UInt16,
        at t: Duration
    ) throws -> RetryDecision {
        // A person who answered "stop" gets no further attempt in this action.
        guard var entry = run.people[key.person], !run.stoppedByAnswer.contains(key.person) else { return .none }
        let policy = config.retry
        let i = channel.index
        let type = run.request.incidentType
        switch key.kind {
        case .alert:
            // A stopped or ended action makes no new attempts; a stale report changes nothing.
            guard run.state == .running, attempt == entry.attempt else { return .none }
            var event: AuditEvent?
            var due = t
            var detail = ""
            var quiet: [String] = []
            if Int(entry.channelAttempt) < policy.attemptsPerChannel {
                let retryAt = t + policy.backoff(after: Int(entry.channelAttempt))
                if isQuiet(entry, on: channel, incidentType: type, at: retryAt) {
                    quiet.append("\(channel.rawValue) at \(Self.clock(localMinute(at: retryAt)))")
                } else {
                    due = retryAt
                    entry.channelAttempt += 1
                    event = .retry
                    run.retries += 1
                    metrics.retries[i].increment()
                    detail = "attempt \(entry.attempt + 1) on \(channel.rawValue) after \(Self.seconds(due - t))"
                }
            }
            if event == nil, policy.fallback {
                // The next channel of the plan that is not in the person's quiet hours now.
                var index = Int(entry.planIndex) + 1
                while let next = entry.plan[index] {
                    if isQuiet(entry, on: next, incidentType: type, at: t) {
                        quiet.append("\(next.rawValue) at \(Self.clock(localMinute(at: t)))")
                        index += 1
                        continue
                    }
                    entry.planIndex = UInt8(clamping: index)
                    entry.channel = next
                    entry.channelAttempt = 1
                    event = .fallback
                    run.fallbacks += 1
                    metrics.fallbacks[i].increment()
                    detail = "attempt \(entry.attempt + 1) on \(next.rawValue)"
                    if !quiet.isEmpty { detail += " (not \(quiet.joined(separator: ", ")): quiet hours)" }
                    break
                }
            }
            guard let event else {
                guard !quiet.isEmpty else { return .none }
                return .quiet(
                    "the next attempt (\(quiet.joined(separator: ", ")) local time) falls in the person's quiet hours "
                        + "(\(entry.quiet?.description ?? ""))")
            }
            entry.attempt += 1
            run.people[key.person] = entry
            run.count(.alert, from: .sent, to: .queued)
            try record(
                .retry(
                    key, entry.channel, attempt: Int(entry.attempt), channelAttempt: Int(entry.channelAttempt),
                    planIndex: Int(entry.planIndex), due: due > t ? due : nil, at: t))
            try record(
                .audit(
                    AuditRow(
                        action: run.id, person: key.person, participant: entry.participant, event: event,
                        channel: channel, attempt: Int(attempt), result: result, detail: detail, at: t)))
            if due > t {
                run.alertRetryWaiting.insert(key.person)
                events.push(.retryDue(run.id, person: key.person, .alert), at: due)
            } else {
                run.queues[entry.channel, default: MessageQueue()].append(
                    QueuedMessage(person: key.person, kind: .alert, seq: entry.seq))
                fallbackQueued = entry.channel
            }
            return .scheduled
        case .end:
            guard attempt == entry.endAttempt, Int(entry.endAttempt) < policy.attemptsPerChannel else { return .none }
            var due = t + policy.backoff(after: Int(entry.endAttempt))
            if let quiet = entry.quiet, let ends = quietEnds(quiet, channel, incidentType: type, after: due) {
                due = ends  // after the backoff, and out of the person's quiet hours
            }
            entry.endAttempt += 1
            run.people[key.person] = entry
            run.retries += 1
            metrics.retries[i].increment()
            run.count(.end, from: .sent, to: .queued)
            try record(
                .retry(
                    key, entry.channel, attempt: Int(entry.endAttempt), channelAttempt: Int(entry.endAttempt),
                    planIndex: Int(entry.planIndex), due: due, at: t))
            run.endRetryWaiting.insert(key.person)
            events.push(.retryDue(run.id, person: key.person, .end), at: due)
            return .scheduled
        }
    }

    /// A retry's backoff is over: the message joins its channel's queue (unless the action was
    /// stopped or ended meanwhile, which cancelled it). Returns the channel to pump.
    private mutating func retryDue(_ id: ActionID, person: Int64, kind: MessageKind, at t: Duration) throws
        -> Channel?
    {
        guard var run = takeRun(id) else { return nil }
        defer { put(run) }
        let waiting = kind == .alert ? run.alertRetryWaiting.remove(person) : run.endRetryWaiting.remove(person)
        guard waiting != nil, let entry = run.people[person] else { return nil }
        if run.stoppedByAnswer.contains(person) {
            // The person answered "stop" while the retry waited: cancelled, never sent.
            run.count(kind, from: .queued, to: .cancelled)
            try record(.state(MessageKey(action: id, person: person, kind: kind), .cancelled, at: t))
            return nil
        }
        let seq = kind == .alert ? entry.seq : run.nextSeq
        if kind == .end { run.nextSeq += 1 }
        run.queues[entry.channel, default: MessageQueue()].append(QueuedMessage(person: person, kind: kind, seq: seq))
        return entry.channel
    }

    static func seconds(_ d: Duration) -> String {
        let s = d.seconds
        return s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
    }
}
