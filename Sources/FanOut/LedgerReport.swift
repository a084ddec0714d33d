import Foundation
import GRDB
import Geo
import Participants

/// An action as the ledger records it: for `fanout action status` from another process, for
/// finished actions as well as running ones.
public struct ActionSummary: Sendable, Hashable {
    /// The action.
    public var id: ActionID
    /// Incident type, urgency, message, channels and incident point as started.
    public var request: ActionRequest
    /// Lifecycle state.
    public var state: ActionState
    /// The result text of the end message, once ended.
    public var result: String?
    /// When it started (dispatcher clock).
    public var startedAt: Duration
    /// Alerts per state.
    public var alerts: [MessageState: Int] = [:]
    /// End messages per state.
    public var endMessages: [MessageState: Int] = [:]
    /// Alerts per channel.
    public var alertsByChannel: [Channel: Int] = [:]
    /// Distinct persons included.
    public var included = 0
    /// Persons whose alert was delivered (answered).
    public var reached = 0
    /// When the last alert completed, if any did.
    public var lastAlertCompletedAt: Duration?
    /// When the last end message completed, if any did.
    public var lastEndCompletedAt: Duration?
    /// Per distance ring, from the outermost in.
    public var rings: [RingReport] = []
    /// Persons per kind of answer (a sighting, an acknowledgement, a stop): each person once per kind.
    public var answers: [AnswerKind: Int] = [:]
}

/// One participant's messages in one action, from the ledger: those of the participant's person,
/// who may have been alerted at another of their addresses.
public struct LedgerExplanation: Sendable, Hashable {
    /// The participant asked about.
    public var participant: Int64
    /// The person the participant belongs to (the ledger keys messages by person).
    public var person: Int64
    /// The participant (address) the person's alert went to, when it went to another one than
    /// ``participant``; `nil` when it went to ``participant`` or nowhere.
    public var alertedThrough: Int64? {
        guard let at = alert?.participant, at != participant else { return nil }
        return at
    }
    /// The alert, if the person was included.
    public var alert: LedgerEntry?
    /// The end message, if one was queued.
    public var end: LedgerEntry?
    /// 1-based position in the action's outside-in order (over start and enlargements).
    public var position: Int?
    /// Persons included in the action.
    public var included: Int
}

extension Ledger {
    /// Every action in the ledger, in id order, summarised from its messages.
    ///
    /// - Parameter ringWidthMeters: Width of the report's distance rings (``RingReport/widthRange``).
    /// - Throws: ``DispatchError`` `.invalidRequest` (ring width), `.ledger`.
    public func summaries(ringWidthMeters: Double = 500) throws -> [ActionSummary] {
        try RingReport.checkWidth(ringWidthMeters)
        let actions = try read("reading the actions") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM dispatch_action ORDER BY id").map(Self.summary)
        }
        return try actions.map { a in
            var s = a
            addMessages(try messages(of: s.id), to: &s, ringWidthMeters: ringWidthMeters)
            s.answers = try answerCounts(of: s.id)
            return s
        }
    }

    /// One action's summary.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction` (naming the ids that exist), `.invalidRequest`
    ///   (ring width outside ``RingReport/widthRange``), `.ledger`.
    public func summary(of id: ActionID, ringWidthMeters: Double = 500) throws -> ActionSummary {
        try RingReport.checkWidth(ringWidthMeters)
        let found: ActionSummary? = try read("reading action \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM dispatch_action WHERE id = ?", arguments: [id.rawValue])
                .map(Self.summary)
        }
        guard var s = found else { throw try unknown(id) }
        addMessages(try messages(of: id), to: &s, ringWidthMeters: ringWidthMeters)
        s.answers = try answerCounts(of: id)
        return s
    }

    /// An action's lifecycle state as recorded.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction` (naming the ids that exist), `.ledger`.
    public func state(of id: ActionID) throws -> ActionState {
        let text: String? = try read("reading action \(id)") { db in
            try String.fetchOne(db, sql: "SELECT state FROM dispatch_action WHERE id = ?", arguments: [id.rawValue])
        }
        guard let text else { throw try unknown(id) }
        return ActionState(rawValue: text) ?? .running
    }

    /// The ledger's record of one participant in one action: the messages of the participant's
    /// person, wherever the person was alerted (see ``person(of:in:_:)`` for how the person is found).
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`, `.ledger`.
    public func explanation(of id: ActionID, participant: Int64) throws -> LedgerExplanation {
        _ = try state(of: id)  // an unknown action is named
        let (person, entries) = try read("reading action \(id)") { db in
            let person = try Self.person(of: participant, in: id, db)
            return (person, try Self.messages(db, id, person: person))
        }
        let alert = entries.first { $0.key.kind == .alert }
        let (position, included): (Int?, Int) = try read("reading action \(id)") { db in
            let n =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM dispatch_message WHERE action_id = ? AND kind = 'alert'",
                    arguments: [id.rawValue]) ?? 0
            guard let alert else { return (nil, n) }
            let before =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM dispatch_message WHERE action_id = ? AND kind = 'alert' AND seq < ?",
                    arguments: [id.rawValue, alert.seq]) ?? 0
            return (before + 1, n)
        }
        return LedgerExplanation(
            participant: participant, person: person, alert: alert, end: entries.first { $0.key.kind == .end },
            position: position, included: included)
    }

    /// The latest time the ledger recorded (zero when empty): where a resumed virtual or scaled
    /// clock continues from.
    /// - Throws: ``DispatchError`` `.ledger`.
    public func lastRecordedTime() throws -> Duration {
        let ms: Int64 = try read("reading the last recorded time") { db in
            max(
                try Int64.fetchOne(db, sql: "SELECT MAX(updated_ms) FROM dispatch_message") ?? 0,
                try Int64.fetchOne(db, sql: "SELECT MAX(started_ms) FROM dispatch_action") ?? 0)
        }
        return .milliseconds(ms)
    }

    // MARK: - Reading

    private func unknown(_ id: ActionID) throws -> DispatchError {
        let ids: [Int64] = try read("reading the action ids") { db in
            try Int64.fetchAll(db, sql: "SELECT id FROM dispatch_action ORDER BY id")
        }
        let known = ids.isEmpty ? "the ledger holds no actions" : "known: \(Self.idList(ids))"
        return DispatchError(.unknownAction, "no action \(id) in \(path) (\(known))")
    }

    private static func idList(_ ids: [Int64]) -> String {
        ids.count <= 10 ? ids.map(String.init).joined(separator: ", ") : "1 … \(ids.last ?? 0) (\(ids.count) actions)"
    }

    private static func summary(_ row: Row) -> ActionSummary {
        let channels = (row["channels"] as String).split(separator: ",").compactMap { Channel(rawValue: String($0)) }
        let request = ActionRequest(
            incidentPoint: RDPoint(x: row["incident_x"], y: row["incident_y"]), incidentType: row["incident_type"],
            urgency: Urgency(rawValue: row["urgency"]) ?? .normal, message: row["message"],
            photoURL: row["photo_url"], channels: channels, confirmed: true, texts: Ledger.texts(row["texts"]))
        return ActionSummary(
            id: ActionID(rawValue: row["id"]), request: request,
            state: ActionState(rawValue: row["state"]) ?? .running, result: row["result"],
            startedAt: .milliseconds(row["started_ms"] as Int64))
    }

    private func addMessages(_ entries: [LedgerEntry], to s: inout ActionSummary, ringWidthMeters: Double) {
        var rings = RingTracker(widthMeters: ringWidthMeters)
        for e in entries {
            let done = e.state == .delivered || e.state == .failed
            switch e.key.kind {
            case .alert:
                s.alerts[e.state, default: 0] += 1
                s.alertsByChannel[e.channel, default: 0] += 1
                s.included += 1
                if e.state == .delivered { s.reached += 1 }
                if done {
                    rings.record(distanceMeters: e.distanceMeters, reached: e.state == .delivered, at: e.updatedAt)
                    s.lastAlertCompletedAt = max(s.lastAlertCompletedAt ?? e.updatedAt, e.updatedAt)
                }
            case .end:
                s.endMessages[e.state, default: 0] += 1
                if done { s.lastEndCompletedAt = max(s.lastEndCompletedAt ?? e.updatedAt, e.updatedAt) }
            }
        }
        s.rings = rings.report
    }
}
