import Foundation
import GRDB
import Geo
import Registry

/// One change for the ledger, buffered by the dispatcher and written in batches.
enum LedgerOp {
    case startAction(ActionID, ActionRequest, at: Duration)
    case actionState(ActionID, ActionState, result: String?)
    case enqueue(MessageKey, Channel, seq: Int64, distanceMeters: Double, at: Duration)
    case state(MessageKey, MessageState, at: Duration)
    /// Every queued alert of the action becomes cancelled (a stop), in one statement.
    case cancelQueued(ActionID, at: Duration)
}

/// One message as stored in the ledger.
public struct LedgerEntry: Sendable, Hashable {
    /// The idempotency key.
    public var key: MessageKey
    /// Outside-in position within the action.
    public var seq: Int64
    /// The channel.
    public var channel: Channel
    /// Distance to the incident in metres.
    public var distanceMeters: Double
    /// The message's state.
    public var state: MessageState
    /// When the state was last changed (dispatcher clock of the process that changed it).
    public var updatedAt: Duration
}

/// An action as stored, with its messages (for resuming).
struct StoredAction {
    var id: ActionID
    var request: ActionRequest
    var state: ActionState
    var result: String?
    var messages: [LedgerEntry]
}

/// The dispatcher's durable record in the registry's SQLite file: every action and every message
/// with its state, keyed by (action, person, kind).
///
/// The tables come from the registry's migration `v3-dispatch-ledger`; ``open(at:)`` opens (and
/// migrates) the registry file first.
public final class Ledger: Sendable {
    /// The database file.
    public let path: String
    private let pool: DatabasePool

    private init(path: String, pool: DatabasePool) {
        self.path = path
        self.pool = pool
    }

    /// Opens the ledger in the registry database at `path` (created if new).
    ///
    /// - Throws: ``FanOutError`` `.ledger` wrapping the registry's or SQLite's error.
    public static func open(at path: String) throws -> Ledger {
        do {
            _ = try Registry.open(at: path)  // ownership check and migrations
            var config = Configuration()
            config.label = "fanout.ledger"
            config.busyMode = .timeout(5)
            return Ledger(path: path, pool: try DatabasePool(path: path, configuration: config))
        } catch {
            throw FanOutError(.ledger, "\(path): cannot open the dispatch ledger", cause: error)
        }
    }

    /// Writes `ops` in one transaction, in order.
    func apply(_ ops: [LedgerOp]) throws {
        guard !ops.isEmpty else { return }
        do {
            try pool.write { db in
                for op in ops {
                    switch op {
                    case .startAction(let id, let r, let t):
                        try db.execute(
                            sql: """
                                INSERT INTO dispatch_action (id, incident_type, urgency, message, photo_url, channels,
                                    incident_x, incident_y, state, result, started_ms)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', NULL, ?)
                                """,
                            arguments: [
                                id.rawValue, r.incidentType, r.urgency.rawValue, r.message, r.photoURL,
                                r.channels.map(\.rawValue).joined(separator: ","), r.incidentPoint.x, r.incidentPoint.y,
                                t.milliseconds,
                            ])
                    case .actionState(let id, let state, let result):
                        try db.execute(
                            sql: "UPDATE dispatch_action SET state = ?, result = COALESCE(?, result) WHERE id = ?",
                            arguments: [state.rawValue, result, id.rawValue])
                    case .enqueue(let key, let channel, let seq, let distance, let t):
                        let s = try db.cachedStatement(
                            sql: """
                                INSERT OR IGNORE INTO dispatch_message
                                    (action_id, person_id, kind, seq, channel, distance_m, state, updated_ms)
                                VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)
                                """)
                        try s.execute(arguments: [
                            key.action.rawValue, key.person, key.kind.rawValue, seq, channel.rawValue, distance,
                            t.milliseconds,
                        ])
                    case .state(let key, let state, let t):
                        let s = try db.cachedStatement(
                            sql: """
                                UPDATE dispatch_message SET state = ?, updated_ms = ?
                                WHERE action_id = ? AND person_id = ? AND kind = ?
                                """)
                        try s.execute(arguments: [
                            state.rawValue, t.milliseconds, key.action.rawValue, key.person, key.kind.rawValue,
                        ])
                    case .cancelQueued(let id, let t):
                        try db.execute(
                            sql: """
                                UPDATE dispatch_message SET state = 'cancelled', updated_ms = ?
                                WHERE action_id = ? AND kind = 'alert' AND state = 'queued'
                                """,
                            arguments: [t.milliseconds, id.rawValue])
                    }
                }
            }
        } catch {
            throw FanOutError(.ledger, "\(path): writing \(ops.count) ledger changes failed", cause: error)
        }
    }

    /// The highest action id stored (0 if none).
    func maxActionID() throws -> Int64 {
        try read("reading the last action id") { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM dispatch_action") ?? 0
        }
    }

    /// Every message of `action`, alerts then end messages, each in outside-in order.
    public func messages(of action: ActionID) throws -> [LedgerEntry] {
        try read("reading the messages of action \(action)") { db in try Self.messages(db, action) }
    }

    /// Actions to resume: not ended, or ended with end messages still queued.
    func unfinishedActions() throws -> [StoredAction] {
        try read("reading the running actions") { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM dispatch_action
                    WHERE state != 'ended' OR id IN (SELECT action_id FROM dispatch_message WHERE state = 'queued')
                    ORDER BY id
                    """)
            return try rows.map { row in
                let id = ActionID(rawValue: row["id"])
                let channels = (row["channels"] as String).split(separator: ",").compactMap {
                    Channel(rawValue: String($0))
                }
                let request = ActionRequest(
                    incidentPoint: RDPoint(x: row["incident_x"], y: row["incident_y"]),
                    incidentType: row["incident_type"], urgency: Urgency(rawValue: row["urgency"]) ?? .normal,
                    message: row["message"], photoURL: row["photo_url"], channels: channels, confirmed: true)
                return StoredAction(
                    id: id, request: request, state: ActionState(rawValue: row["state"]) ?? .running,
                    result: row["result"], messages: try Self.messages(db, id))
            }
        }
    }

    private static func messages(_ db: Database, _ action: ActionID) throws -> [LedgerEntry] {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT person_id, kind, seq, channel, distance_m, state, updated_ms FROM dispatch_message
                WHERE action_id = ? ORDER BY kind = 'end', seq
                """, arguments: [action.rawValue])
        var out: [LedgerEntry] = []
        while let row = try rows.next() {
            guard let kind = MessageKind(rawValue: row[1]), let channel = Channel(rawValue: row[3]),
                let state = MessageState(rawValue: row[5])
            else { continue }
            out.append(
                LedgerEntry(
                    key: MessageKey(action: action, person: row[0], kind: kind), seq: row[2], channel: channel,
                    distanceMeters: row[4], state: state, updatedAt: .milliseconds(row[6] as Int64)))
        }
        return out
    }

    private func read<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch {
            throw FanOutError(.ledger, "\(path): \(doing) failed", cause: error)
        }
    }
}
