import GRDB
import Participants

/// An action's progress as the ledger records it, counted in one read: what the service's event
/// stream derives its events from (`GET /v1/actions/{id}/events`).
///
/// Cheaper than ``ActionSummary``: the messages are counted by the database, not read one by one.
public struct ActionProgress: Sendable, Hashable {
    /// One distance ring's alerts by state.
    public struct Ring: Sendable, Hashable {
        /// The ring's index: its inner radius is `index × width`.
        public var index: Int
        /// Alerts queued or with a provider.
        public var open = 0
        /// Alerts cancelled (by a stop or an end).
        public var cancelled = 0
        /// Alerts completed: delivered or failed.
        public var completed = 0
        /// Alerts delivered (answered).
        public var reached = 0
    }

    /// The action.
    public var id: ActionID
    /// Lifecycle state as recorded.
    public var state: ActionState
    /// Every area version, in version order.
    public var areas: [AreaVersion]
    /// Alerts per state.
    public var alerts: [MessageState: Int] = [:]
    /// Alerts per channel.
    public var alertsByChannel: [Channel: Int] = [:]
    /// End messages per state.
    public var endMessages: [MessageState: Int] = [:]
    /// Rings that hold alerts, by index.
    public var rings: [Int: Ring] = [:]
    /// The rings' width in metres.
    public var ringWidthMeters: Double
    /// Persons per kind of answer (each person once per kind).
    public var answers: [AnswerKind: Int] = [:]
    /// The newest answer's ledger row (0: none): a stream reads the answers after the last it sent.
    public var lastAnswerID: Int64 = 0

    /// Persons included (one alert each).
    public var included: Int { alerts.values.reduce(0, +) }
    /// Persons whose alert was delivered.
    public var reached: Int { alerts[.delivered] ?? 0 }
    /// Whether the action is ended and nothing of it is queued or with a provider: the dispatcher
    /// no longer holds it (``Ledger/unfinishedCondition``'s complement).
    public var isFinished: Bool {
        guard state == .ended else { return false }
        let openAlerts = (alerts[.queued] ?? 0) + (alerts[.sent] ?? 0)
        let openEnds = (endMessages[.queued] ?? 0) + (endMessages[.sent] ?? 0)
        return openAlerts + openEnds == 0
    }
}

extension Ledger {
    /// One action's progress, read in one transaction (a consistent snapshot).
    ///
    /// - Parameter ringWidthMeters: Width of the distance rings (``RingReport/widthRange``); the
    ///   ring of an alert is `⌊distance / width⌋`, as in ``ActionSummary/rings``.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidRequest` (ring width), `.ledger`.
    public func progress(of id: ActionID, ringWidthMeters: Double = 500) throws -> ActionProgress {
        try RingReport.checkWidth(ringWidthMeters)
        let found: ActionProgress? = try read("reading the progress of action \(id)") { db in
            guard
                let text = try String.fetchOne(
                    db, sql: "SELECT state FROM dispatch_action WHERE id = ?", arguments: [id.rawValue])
            else { return nil }
            var p = ActionProgress(
                id: id, state: ActionState(rawValue: text) ?? .running, areas: try Self.areaVersions(db, id),
                ringWidthMeters: ringWidthMeters)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT kind, state, channel, CAST(MIN(MAX(distance_m, 0) / ?, 1e9) AS INTEGER), COUNT(*)
                    FROM dispatch_message WHERE action_id = ? GROUP BY 1, 2, 3, 4
                    """, arguments: [ringWidthMeters, id.rawValue])
            while let row = try rows.next() {
                let kind: String = row[0]
                guard let state = MessageState(rawValue: row[1]) else { continue }
                let n: Int = row[4]
                if kind == MessageKind.end.rawValue {
                    p.endMessages[state, default: 0] += n
                    continue
                }
                p.alerts[state, default: 0] += n
                if let channel = Channel(rawValue: row[2]) { p.alertsByChannel[channel, default: 0] += n }
                let index: Int = row[3]
                var ring = p.rings[index] ?? ActionProgress.Ring(index: index)
                switch state {
                case .queued, .sent: ring.open += n
                case .cancelled: ring.cancelled += n
                case .delivered: ring.completed += n; ring.reached += n
                case .failed: ring.completed += n
                }
                p.rings[index] = ring
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, COUNT(DISTINCT person_id), MAX(id) FROM dispatch_answer WHERE action_id = ?
                    GROUP BY kind
                    """, arguments: [id.rawValue])
            {
                if let kind = AnswerKind(rawValue: row[0]) { p.answers[kind] = row[1] }
                p.lastAnswerID = max(p.lastAnswerID, row[2])
            }
            return p
        }
        guard let found else { return try progressOfUnknown(id) }
        return found
    }

    /// Throws the ``DispatchError`` `.unknownAction` that ``state(of:)`` throws for `id`.
    private func progressOfUnknown(_ id: ActionID) throws -> ActionProgress {
        _ = try state(of: id)
        throw DispatchError(.unknownAction, "no action \(id) in \(path)")
    }
}
