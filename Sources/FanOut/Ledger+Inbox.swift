import Foundation
import GRDB
import Geo
import Participants

/// A command waiting in the ledger's inbox for the process that holds the ledger lock.
public struct InboxCommand: Sendable, Hashable {
    /// The inbox row.
    public var id: Int64
    /// `start`, `enlarge`, `stop` or `end`.
    public var kind: String
    /// The action it is for (`nil` for a start).
    public var action: ActionID?
    /// The command's arguments (JSON, written by ``Ledger/submit(kind:action:payload:)``).
    public var payload: Data
    /// When it was submitted (wall clock).
    public var submittedAt: Date
}

/// How an inbox command ended.
public enum InboxOutcome: Sendable, Hashable {
    /// Still waiting for the ledger's holder.
    case pending
    /// Applied; the answer as the applier wrote it (JSON).
    case applied(String)
    /// Refused with this error (the command was read, but not allowed or not valid).
    case refused(DispatchError.Code, String)
    /// Taken back by its submitter before anyone applied it.
    case withdrawn
    /// Older than its submitter waits: refused unapplied by the holder.
    case expired
}

extension Ledger {
    // MARK: - Commands for the ledger's holder

    /// Puts a command in the inbox for the process holding the ledger lock.
    ///
    /// - Returns: The inbox row's id, to wait on with ``inboxOutcome(of:)``.
    /// - Throws: ``DispatchError`` `.ledger`.
    public func submit(kind: String, action: ActionID?, payload: Data) throws -> Int64 {
        try write("submitting a \(kind) command") { db in
            try db.execute(
                sql: """
                    INSERT INTO dispatch_command (kind, action_id, payload, submitted_at, submitter_pid)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [kind, action?.rawValue, payload, Date().timeIntervalSince1970, getpid()])
            return db.lastInsertedRowID
        }
    }

    /// The commands waiting in the inbox, oldest first.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func pendingCommands() throws -> [InboxCommand] {
        try read("reading the command inbox") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, kind, action_id, payload, submitted_at FROM dispatch_command
                    WHERE state = 'pending' ORDER BY id
                    """
            ).map { row in
                InboxCommand(
                    id: row["id"], kind: row["kind"], action: (row["action_id"] as Int64?).map(ActionID.init(rawValue:)),
                    payload: row["payload"], submittedAt: Date(timeIntervalSince1970: row["submitted_at"]))
            }
        }
    }

    /// Records how a pending command ended (only a pending one: a command is answered once).
    ///
    /// - Returns: Whether the command was still pending (and is now answered).
    /// - Throws: ``DispatchError`` `.ledger`.
    @discardableResult
    public func answer(_ id: Int64, with outcome: InboxOutcome) throws -> Bool {
        let (state, answer, code): (String, String?, String?)
        switch outcome {
        case .pending: return false
        case .applied(let text): (state, answer, code) = ("applied", text, nil)
        case .refused(let c, let message): (state, answer, code) = ("refused", message, c.description)
        case .withdrawn: (state, answer, code) = ("withdrawn", nil, nil)
        case .expired: (state, answer, code) = ("expired", nil, nil)
        }
        return try write("answering command \(id)") { db in
            try db.execute(
                sql: "UPDATE dispatch_command SET state = ?, answer = ?, error_code = ? WHERE id = ? AND state = 'pending'",
                arguments: [state, answer, code, id])
            return db.changesCount == 1
        }
    }

    /// How the inbox command `id` ended, or ``InboxOutcome/pending``.
    ///
    /// - Throws: ``DispatchError`` `.ledger`, or `.invalidRequest` for an unknown id.
    public func inboxOutcome(of id: Int64) throws -> InboxOutcome {
        try read("reading command \(id)") { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT state, answer, error_code FROM dispatch_command WHERE id = ?", arguments: [id])
            else { throw DispatchError(.invalidRequest, "no command \(id) in the inbox") }
            switch row["state"] as String {
            case "applied": return .applied(row["answer"] ?? "")
            case "refused":
                let code = (row["error_code"] as String?).flatMap(DispatchError.Code.init(named:)) ?? .invalidRequest
                return .refused(code, row["answer"] ?? "")
            case "withdrawn": return .withdrawn
            case "expired": return .expired
            default: return .pending
            }
        }
    }
}
