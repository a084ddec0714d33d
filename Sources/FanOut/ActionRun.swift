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
    var channel: Channel
    var distanceMeters: Double
    var seq: Int64
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
            isIdle: inFlight == 0 && !hasQueued)
    }
}
