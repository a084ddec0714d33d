import Geo
import Participants

/// A message waiting in an action's channel queue.
struct QueuedMessage {
    var person: Int64
    var kind: MessageKind
    var seq: Int64
}

/// A FIFO over contiguous storage (a head index instead of removing from the front).
struct MessageQueue {
    private var items: [QueuedMessage] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }

    mutating func append(_ m: QueuedMessage) { items.append(m) }

    /// Puts `m` back at the head (a hand-over the provider rejected as overloaded).
    mutating func pushFront(_ m: QueuedMessage) {
        if head > 0 {
            head -= 1
            items[head] = m
        } else {
            items.insert(m, at: 0)
        }
    }

    mutating func popFirst() -> QueuedMessage? {
        guard head < items.count else { return nil }
        defer {
            head += 1
            if head == items.count {
                items.removeAll(keepingCapacity: true)
                head = 0
            }
        }
        return items[head]
    }

    /// Removes the messages of `person` and returns them (a scan: for a rare "stop" answer).
    mutating func remove(person: Int64) -> [QueuedMessage] {
        let removed = items[head...].filter { $0.person == person }
        guard !removed.isEmpty else { return [] }
        items = items[head...].filter { $0.person != person }
        head = 0
        return removed
    }

    /// Removes everything queued and returns it.
    mutating func removeAll() -> ArraySlice<QueuedMessage> {
        defer {
            items = []
            head = 0
        }
        return items[head...]
    }
}

/// What the dispatcher knows about one person in an action.
struct PersonEntry {
    /// The channel of the current (or last) alert attempt; end messages go there too.
    var channel: Channel
    var distanceMeters: Double
    var seq: Int64
    /// The participant (address) the person was included at.
    var participant: Int64 = 0
    /// The channels to try, in order, and the position of ``channel`` in it.
    var plan = ChannelPlan(bits: 0)
    var planIndex: UInt8 = 0
    /// The alert's current attempt (over all channels) and its attempt on ``channel``.
    var attempt: UInt16 = 1
    var channelAttempt: UInt8 = 1
    /// The end message's current attempt.
    var endAttempt: UInt16 = 1
    /// The area version the person was included in.
    var areaVersion: UInt16 = 1
    /// The language of the person's texts.
    var language: String?
    /// The person's quiet hours (checked again before a retry, a fallback and the end message).
    var quiet: QuietHours?
}

/// One action's run-time state inside the dispatcher.
struct ActionRun {
    let id: ActionID
    var request: ActionRequest
    var state: ActionState
    var result: String?
    /// Every person included, with the channel of their alert (deduplication by person).
    var people: [Int64: PersonEntry] = [:]
    /// Persons in inclusion order (outside-in within each start/enlargement).
    var order: [Int64] = []
    var queues: [Channel: MessageQueue] = [:]
    var inFlight = 0
    var alerts: [MessageState: Int] = [:]
    var endMessages: [MessageState: Int] = [:]
    /// Provider outcomes of the alerts (answered, busy, no answer, failed).
    var outcomes: [DeliveryResult: Int] = [:]
    /// Persons whose alert was delivered (answered): exactly the end message's recipients.
    var reached: Set<Int64> = []
    var endQueued: Set<Int64> = []
    var rings: RingTracker
    var lastAlertCompletedAt: Duration?
    var lastEndCompletedAt: Duration?
    var nextSeq: Int64 = 0
    /// End message text per language.
    var resultTexts: [String: String] = [:]
    /// The current area version (0 before the start's selection is included).
    var areaVersion = 0
    /// When the action started (dispatcher clock), for the time-to-reach timer.
    var startedAt: Duration = .zero
    /// Persons whose alert, or end message, waits for a retry's backoff (counted as queued).
    var alertRetryWaiting: Set<Int64> = []
    var endRetryWaiting: Set<Int64> = []
    /// Alerts the ledger showed `sent` at a resume (with a provider at a crash, outcome unknown),
    /// queued to be sent again under their key: a stop or end does not cancel them, since the
    /// provider may have delivered them; their outcome decides the end message.
    var inFlightAtResume: Set<Int64> = []
    /// Persons who answered "stop calling me for this action": nothing more is sent to them in it.
    var stoppedByAnswer: Set<Int64> = []
    var retries = 0
    var fallbacks = 0
    var throttled = 0
    var skipped: [SkipReason: Int] = [:]

    init(id: ActionID, request: ActionRequest, state: ActionState, ringWidthMeters: Double) {
        self.id = id
        self.request = request
        self.state = state
        rings = RingTracker(widthMeters: ringWidthMeters)
    }

    var hasQueued: Bool { queues.values.contains { !$0.isEmpty } }

    mutating func count(_ kind: MessageKind, from old: MessageState?, to new: MessageState) {
        switch kind {
        case .alert:
            if let old { alerts[old, default: 0] -= 1 }
            alerts[new, default: 0] += 1
        case .end:
            if let old { endMessages[old, default: 0] -= 1 }
            endMessages[new, default: 0] += 1
        }
    }

    func status() -> ActionStatus {
        ActionStatus(
            id: id, state: state, included: people.count, alerts: alerts.filter { $0.value != 0 },
            endMessages: endMessages.filter { $0.value != 0 }, outcomes: outcomes, reached: reached.count,
            lastAlertCompletedAt: lastAlertCompletedAt, lastEndCompletedAt: lastEndCompletedAt,
            isIdle: inFlight == 0 && !hasQueued && alertRetryWaiting.isEmpty && endRetryWaiting.isEmpty,
            retries: retries, fallbacks: fallbacks, throttled: throttled, skipped: skipped, areaVersions: areaVersion)
    }
}
