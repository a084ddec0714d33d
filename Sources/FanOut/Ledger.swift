import Foundation
import GRDB
import Geo
import Participants
import Synchronization

/// One change for the ledger, buffered by the dispatcher and written in batches.
enum LedgerOp {
    case startAction(ActionID, ActionRequest, at: Duration)
    case actionState(ActionID, ActionState, result: String?, texts: [String: String] = [:])
    /// A new message; `due` when it waits (an end message deferred past the person's quiet hours).
    case enqueue(
        MessageKey, Channel, seq: Int64, distanceMeters: Double, plan: ChannelPlan, language: String?,
        participant: Int64, areaVersion: Int, quietHours: QuietHours?, due: Duration?, at: Duration)
    case state(MessageKey, MessageState, at: Duration)
    /// The message is queued again for its next attempt (due after a backoff, or at once).
    case retry(MessageKey, Channel, attempt: Int, channelAttempt: Int, planIndex: Int, due: Duration?, at: Duration)
    /// An append-only audit row.
    case audit(AuditRow)
    /// An append-only area version.
    case area(ActionID, version: Int, AreaRecord?, recipients: Int, added: Int, at: Duration)
    /// Every queued alert of the action becomes cancelled (a stop), in one statement.
    case cancelQueued(ActionID, at: Duration)
    /// An append-only command-log record: who gave the command, when (see ``CommandOrigin``).
    case command(CommandKind, ActionID, CommandOrigin, at: Duration)
    /// An append-only answer of a participant (see ``ParticipantAnswer``).
    case answer(ParticipantAnswer)
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
    /// The current (or last) attempt, over all channels (1 for the first).
    public var attempt: Int = 1
    /// The attempt on ``channel``.
    public var channelAttempt: Int = 1
    /// The person's channel plan and the position of ``channel`` in it.
    public var plan = ChannelPlan(bits: 0)
    public var planIndex: Int = 0
    /// When a retry waiting for its backoff is due.
    public var due: Duration?
    /// The language of the text.
    public var language: String?
    /// The participant (address) the person was included at (`nil` in rows from before v5).
    public var participant: Int64?
    /// The area version the person was included in (`nil` in rows from before v5).
    public var areaVersion: Int?
    /// The person's quiet hours at inclusion (`nil`: none, a row from before v7, or stored text
    /// that does not parse; fanout writes it from a ``QuietHours`` value).
    public var quietHours: QuietHours?
}

/// An action as stored, with its messages (for resuming).
struct StoredAction {
    var id: ActionID
    var request: ActionRequest
    var state: ActionState
    var result: String?
    var resultTexts: [String: String]
    var areaVersions: Int
    var startedAt: Duration
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
    /// The ledger's handle on the file's one pool in the process, shared with the registries open
    /// on the file (see `DatabaseHandle`).
    private let database: DatabaseHandle
    /// Keys handed over whose `sent` state may not be committed yet (see ``HandOverLog``).
    let handOvers: HandOverLog

    private init(path: String, database: DatabaseHandle) {
        self.path = path
        self.database = database
        handOvers = HandOverLog(ledgerPath: path)
    }

    /// Marks `keys` in flight (`sent`) where the ledger still shows them queued: the hand-overs
    /// ``HandOverLog`` lists from before a crash, whose `sent` state was not committed.
    func markInFlight(_ keys: [MessageKey]) throws {
        guard !keys.isEmpty else { return }
        try write("marking \(keys.count) hand-overs from before a crash in flight") { db in
            let s = try db.cachedStatement(
                sql: """
                    UPDATE dispatch_message SET state = 'sent'
                    WHERE action_id = ? AND person_id = ? AND kind = ? AND state = 'queued'
                    """)
            for k in keys { try s.execute(arguments: [k.action.rawValue, k.person, k.kind.rawValue]) }
        }
    }

    /// How long a ledger write waits for another writer of the file (the registry's wait: the
    /// dispatcher pauses during an import's transaction and goes on).
    public static let writeWaitSeconds: TimeInterval = Registry.writeWaitSeconds

    /// Opens the ledger in the registry database at `path` (created if new).
    ///
    /// A read-only ledger (`readOnly`: `status`, `explain`) writes nothing and never migrates:
    /// a registry of an older schema is refused rather than upgraded.
    ///
    /// The ledger shares the file's one connection pool in the process with every registry open
    /// on the file (the engine's, the Kannel adapter's), whatever spelling of the path each was
    /// given; a ledger in a file of its own (a load test's) has a pool of its own.
    ///
    /// - Throws: ``DispatchError`` `.ledger` wrapping the registry's or SQLite's error.
    public static func open(at path: String, readOnly: Bool = false) throws -> Ledger {
        do {
            // The registry's ownership check and migrations, then the ledger's own; the ledger keeps
            // the registry's handle.
            let registry = try Registry.open(at: path, readOnly: readOnly)
            try LedgerSchema.prepare(registry.database, path: path, readOnly: readOnly)
            return Ledger(path: path, database: registry.database)
        } catch let error as DispatchError {
            throw error
        } catch {
            throw DispatchError(.ledger, "\(path): cannot open the dispatch ledger", cause: error)
        }
    }

    /// Called before each transaction of ``apply(_:)``, on the writing thread (tests check which
    /// thread the dispatcher writes on).
    package let writeWatch = Mutex<(@Sendable () -> Void)?>(nil)

    /// Writes `ops` in one transaction, in order.
    func apply(_ ops: [LedgerOp]) throws {
        guard !ops.isEmpty else { return }
        writeWatch.withLock { $0 }?()
        do {
            try database.writer().write { db in
                for op in ops {
                    switch op {
                    case .startAction(let id, let r, let t):
                        try db.execute(
                            sql: """
                                INSERT INTO dispatch_action (id, incident_type, urgency, message, photo_url, channels,
                                    incident_x, incident_y, state, result, started_ms, texts)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', NULL, ?, ?)
                                """,
                            arguments: [
                                id.rawValue, r.incidentType, r.urgency.rawValue, r.message, r.photoURL,
                                r.channels.map(\.rawValue).joined(separator: ","), r.incidentPoint?.x,
                                r.incidentPoint?.y,
                                t.milliseconds, Self.json(r.texts),
                            ])
                    case .actionState(let id, let state, let result, let texts):
                        try db.execute(
                            sql: """
                                UPDATE dispatch_action SET state = ?, result = COALESCE(?, result),
                                    result_texts = COALESCE(?, result_texts) WHERE id = ?
                                """,
                            arguments: [state.rawValue, result, Self.json(texts), id.rawValue])
                    case .enqueue(
                        let key, let channel, let seq, let distance, let plan, let language, let participant,
                        let version, let quietHours, let due, let t):
                        let s = try db.cachedStatement(
                            sql: """
                                INSERT OR IGNORE INTO dispatch_message
                                    (action_id, person_id, kind, seq, channel, distance_m, state, updated_ms, plan, language,
                                     participant_id, area_version, quiet_hours, due_ms)
                                VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?)
                                """)
                        try s.execute(arguments: [
                            key.action.rawValue, key.person, key.kind.rawValue, seq, channel.rawValue, distance,
                            t.milliseconds, Int64(plan.bits), language, participant, version, quietHours,
                            due?.milliseconds,
                        ])
                    case .retry(let key, let channel, let attempt, let channelAttempt, let planIndex, let due, let t):
                        let s = try db.cachedStatement(
                            sql: """
                                UPDATE dispatch_message SET state = 'queued', channel = ?, attempt = ?, channel_attempt = ?,
                                    plan_index = ?, due_ms = ?, updated_ms = ?
                                WHERE action_id = ? AND person_id = ? AND kind = ?
                                """)
                        try s.execute(arguments: [
                            channel.rawValue, attempt, channelAttempt, planIndex, due?.milliseconds, t.milliseconds,
                            key.action.rawValue, key.person, key.kind.rawValue,
                        ])
                    case .audit(let row):
                        try Self.insert(row, db)
                    case .area(let id, let version, let area, let recipients, let added, let t):
                        try db.execute(
                            sql: """
                                INSERT OR IGNORE INTO dispatch_area
                                    (action_id, version, geometry, registry_generation, recipients, added, at_ms)
                                VALUES (?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                id.rawValue, version, area?.geometry, area?.registryGeneration, recipients, added,
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
                    case .command(let kind, let id, let origin, let t):
                        try Self.insertCommand(kind, action: id, participant: nil, origin: origin, at: t, db)
                    case .answer(let answer):
                        try Self.insert(answer, db)
                    }
                }
            }
        } catch {
            throw DispatchError(.ledger, "\(path): writing \(ops.count) ledger changes failed", cause: error)
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

    /// Which actions are unfinished: not ended, or ended with messages still queued or with a
    /// provider (`sent`: in flight at a crash, their outcome never reported).
    static let unfinishedCondition = """
        state != 'ended' OR id IN (SELECT action_id FROM dispatch_message WHERE state = 'queued')
            OR id IN (SELECT action_id FROM dispatch_message WHERE state = 'sent')
        """

    /// Actions to resume (see ``unfinishedCondition``).
    func unfinishedActions() throws -> [StoredAction] {
        try read("reading the running actions") { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM dispatch_action WHERE \(Self.unfinishedCondition) ORDER BY id")
            return try rows.map { row in
                let id = ActionID(rawValue: row["id"])
                let channels = (row["channels"] as String).split(separator: ",").compactMap {
                    Channel(rawValue: String($0))
                }
                let request = ActionRequest(
                    incidentPoint: RDPoint(x: row["incident_x"], y: row["incident_y"]),
                    incidentType: row["incident_type"], urgency: Urgency(rawValue: row["urgency"]) ?? .normal,
                    message: row["message"], photoURL: row["photo_url"], channels: channels, confirmed: true)
                var stored = request
                stored.texts = Self.texts(row["texts"])
                let versions =
                    try Int.fetchOne(
                        db, sql: "SELECT MAX(version) FROM dispatch_area WHERE action_id = ?", arguments: [id.rawValue])
                    ?? 0
                return StoredAction(
                    id: id, request: stored, state: ActionState(rawValue: row["state"]) ?? .running,
                    result: row["result"], resultTexts: Self.texts(row["result_texts"]), areaVersions: versions,
                    startedAt: .milliseconds(row["started_ms"] as Int64), messages: try Self.messages(db, id))
            }
        }
    }

    static func messages(_ db: Database, _ action: ActionID, person: Int64? = nil) throws -> [LedgerEntry] {
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT person_id, kind, seq, channel, distance_m, state, updated_ms, attempt, channel_attempt, plan,
                    plan_index, due_ms, language, participant_id, area_version, quiet_hours
                FROM dispatch_message WHERE action_id = ? \(person == nil ? "" : "AND person_id = ?")
                ORDER BY kind = 'end', seq
                """, arguments: StatementArguments([action.rawValue] + (person.map { [$0] } ?? [])))
        var out: [LedgerEntry] = []
        while let row = try rows.next() {
            guard let kind = MessageKind(rawValue: row[1]), let channel = Channel(rawValue: row[3]),
                let state = MessageState(rawValue: row[5])
            else { continue }
            out.append(
                LedgerEntry(
                    key: MessageKey(action: action, person: row[0], kind: kind), seq: row[2], channel: channel,
                    distanceMeters: row[4], state: state, updatedAt: .milliseconds(row[6] as Int64), attempt: row[7],
                    channelAttempt: row[8], plan: ChannelPlan(bits: UInt16(truncatingIfNeeded: row[9] as Int64)),
                    planIndex: row[10], due: (row[11] as Int64?).map { .milliseconds($0) }, language: row[12],
                    participant: row[13], areaVersion: row[14],
                    quietHours: QuietHours.fromDatabaseValue(row[15] as DatabaseValue)))
        }
        return out
    }

    /// A language → text map as stored (JSON), or `nil` when empty.
    static func json(_ texts: [String: String]) -> String? {
        guard !texts.isEmpty, let data = try? JSONSerialization.data(withJSONObject: texts, options: [.sortedKeys])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The language → text map stored as JSON (empty when absent).
    static func texts(_ text: String?) -> [String: String] {
        guard let text, let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String]
        else { return [:] }
        return object
    }

    func read<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do { return try database.pool.read(body) } catch {
            throw DispatchError(.ledger, "\(path): \(doing) failed", cause: error)
        }
    }

    func write<T>(_ doing: String, _ body: (Database) throws -> T) throws -> T {
        do { return try database.writer().write(body) } catch {
            throw DispatchError(.ledger, "\(path): \(doing) failed", cause: error)
        }
    }
}
