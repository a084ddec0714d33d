import Foundation
import GRDB

/// Whether an action's public part is in the public feeds, as the dispatcher last said.
public struct Publication: Sendable, Hashable {
    /// The action.
    public var action: ActionID
    /// `true` while released; `false` once withdrawn.
    public var released: Bool
    /// The photo link published with it, if any.
    public var photoURL: String?
    /// When it was first released (wall clock).
    public var firstReleased: Date
    /// When the dispatcher last released or withdrew it (wall clock).
    public var changed: Date

    /// Creates a publication state.
    public init(action: ActionID, released: Bool, photoURL: String?, firstReleased: Date, changed: Date) {
        self.action = action
        self.released = released
        self.photoURL = photoURL
        self.firstReleased = firstReleased
        self.changed = changed
    }
}

extension Ledger {
    /// Releases `action`'s public part for the public feeds (or releases it again with another
    /// photo link), recorded with `origin` in the command log. Nothing of an action is public
    /// before this.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`; `.invalidRequest` for a photo link that is not
    ///   an http(s) URL ``MessageLimits/checkPhotoURL(_:named:)`` accepts; `.ledger`.
    @discardableResult
    public func publish(_ action: ActionID, photoURL: String?, origin: CommandOrigin) throws -> Publication {
        _ = try state(of: action)  // unknown action: named
        if let photoURL { try MessageLimits.checkPhotoURL(photoURL, named: "the photo link") }
        try append(action, kind: "release", photoURL: photoURL, origin: origin, command: .publish)
        guard let now = try publication(of: action) else {
            throw DispatchError(.ledger, "\(path): the release of action \(action) was not recorded")
        }
        return now
    }

    /// Takes `action`'s public part out of the public feeds (a photo of a found child should not
    /// stay online), recorded with `origin` in the command log.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`; `.invalidRequest` when it was never released;
    ///   `.ledger`.
    public func withdraw(_ action: ActionID, origin: CommandOrigin) throws {
        _ = try state(of: action)
        guard try publication(of: action) != nil else {
            throw DispatchError(.invalidRequest, "action \(action) was never released to the public feeds")
        }
        try append(action, kind: "withdraw", photoURL: nil, origin: origin, command: .withdraw)
    }

    /// `action`'s publication state, `nil` when it was never released.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func publication(of action: ActionID) throws -> Publication? {
        try read("reading the publication of action \(action)") { db in
            try Self.publications(db, where: "p.action_id = ?", [action.rawValue], limit: 1).first
        }
    }

    /// The actions released now, the most recently released first (at most `limit`).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func releasedActions(limit: Int = 100) throws -> [Publication] {
        try read("reading the released actions") { db in
            try Self.publications(db, where: "p.kind = 'release'", [], limit: limit)
        }
    }

    /// When `action` last changed in a way its public part shows: its start, an enlargement, its
    /// stop or end, or a release (wall clock, from the command log and the publications).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func lastPublicChange(of action: ActionID) throws -> Date? {
        let ms: Int64? = try read("reading the changes of action \(action)") { db in
            try Int64.fetchOne(
                db,
                sql: """
                    SELECT max(ms) FROM (
                        SELECT max(wall_ms) AS ms FROM dispatch_command_log
                        WHERE action_id = ? AND command IN ('start', 'enlarge', 'stop', 'end')
                        UNION ALL
                        SELECT max(wall_ms) FROM dispatch_publication WHERE action_id = ? AND kind = 'release')
                    """,
                arguments: [action.rawValue, action.rawValue])
        }
        return ms.map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }

    private func append(
        _ action: ActionID, kind: String, photoURL: String?, origin: CommandOrigin, command: CommandKind
    ) throws {
        try write("recording the \(kind) of action \(action)") { db in
            try db.execute(
                sql: "INSERT INTO dispatch_publication (action_id, kind, photo_url, wall_ms) VALUES (?, ?, ?, ?)",
                arguments: [action.rawValue, kind, photoURL, origin.wallTime.unixMilliseconds])
            try Self.insertCommand(command, action: action, participant: nil, origin: origin, at: nil, db)
        }
    }

    /// The latest publication row per action (with its first release), newest action first.
    private static func publications(
        _ db: Database, where condition: String, _ arguments: [any DatabaseValueConvertible], limit: Int
    ) throws -> [Publication] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT p.action_id, p.kind, p.photo_url, p.wall_ms,
                    (SELECT min(wall_ms) FROM dispatch_publication f WHERE f.action_id = p.action_id AND f.kind = 'release')
                FROM dispatch_publication p
                WHERE p.id = (SELECT max(id) FROM dispatch_publication l WHERE l.action_id = p.action_id)
                    AND \(condition)
                ORDER BY p.id DESC LIMIT ?
                """,
            arguments: StatementArguments(arguments + [limit])
        ).map { row in
            func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }
            let changed = date(row[3])
            return Publication(
                action: ActionID(rawValue: row[0]), released: (row[1] as String) == "release", photoURL: row[2],
                firstReleased: (row[4] as Int64?).map(date) ?? changed, changed: changed)
        }
    }
}
