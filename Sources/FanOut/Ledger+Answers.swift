import Foundation
import GRDB
import Participants

/// One answer as the ledger stores it.
public struct StoredAnswer: Sendable, Hashable {
    /// The ledger row (increasing: the order answers came in).
    public var id: Int64
    /// The answer.
    public var answer: ParticipantAnswer
    /// The person's distance to the incident when alerted (`nil`: not found), for the ring of a
    /// sighting on a map: never their address.
    public var distanceMeters: Double?
}

extension Ledger {
    /// Writes one answer row in the open transaction `db`.
    static func insert(_ answer: ParticipantAnswer, _ db: Database) throws {
        let s = try db.cachedStatement(
            sql: """
                INSERT INTO dispatch_answer (action_id, person_id, kind, channel, received_ms, text)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        try s.execute(arguments: [
            answer.action.rawValue, answer.person, answer.kind.rawValue, answer.channel.rawValue,
            answer.receivedAt.unixMilliseconds, answer.text,
        ])
    }

    /// Stores an answer to an action this process's dispatcher does not hold (finished, or held
    /// by none): the person must have had a message in it.
    ///
    /// - Throws: ``DispatchError`` `.unknownAction`, `.invalidRequest` (the person got no message in
    ///   the action), `.ledger`.
    package func recordAnswerDirectly(_ answer: ParticipantAnswer, origin: CommandOrigin? = nil, at: Duration? = nil)
        throws
    {
        _ = try state(of: answer.action)  // unknown action: named
        try write("recording an answer to action \(answer.action)") { db in
            let had = try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM dispatch_message WHERE action_id = ? AND person_id = ?)",
                arguments: [answer.action.rawValue, answer.person]) ?? false
            guard had else {
                throw DispatchError(
                    .invalidRequest, "person \(answer.person) got no message in action \(answer.action)")
            }
            try Self.insert(answer, db)
            if let origin { try Self.insertCommand(.answer, action: answer.action, participant: nil, origin: origin, at: at, db) }
        }
    }

    /// The answers to `action` after row `afterID`, oldest first (at most `limit`).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func answers(to action: ActionID, after afterID: Int64 = 0, limit: Int = 10_000) throws -> [StoredAnswer] {
        try read("reading the answers to action \(action)") { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, a.person_id, a.kind, a.channel, a.received_ms, a.text, m.distance_m
                    FROM dispatch_answer a
                    LEFT JOIN dispatch_message m
                        ON m.action_id = a.action_id AND m.person_id = a.person_id AND m.kind = 'alert'
                    WHERE a.action_id = ? AND a.id > ? ORDER BY a.id LIMIT ?
                    """,
                arguments: [action.rawValue, afterID, limit]
            ).map { row in
                StoredAnswer(
                    id: row[0],
                    answer: ParticipantAnswer(
                        action: action, person: row[1], kind: AnswerKind(rawValue: row[2]) ?? .acknowledgement,
                        channel: Channel(rawValue: row[3]) ?? .sms,
                        receivedAt: Date(timeIntervalSince1970: Double(row[4] as Int64) / 1000), text: row[5]),
                    distanceMeters: row[6])
            }
        }
    }

    /// How many persons gave each kind of answer to `action` (a person answering twice counts once).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func answerCounts(of action: ActionID) throws -> [AnswerKind: Int] {
        try read("counting the answers to action \(action)") { db in
            var out: [AnswerKind: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT kind, COUNT(DISTINCT person_id) FROM dispatch_answer WHERE action_id = ? GROUP BY kind",
                arguments: [action.rawValue])
            {
                if let kind = AnswerKind(rawValue: row[0]) { out[kind] = row[1] }
            }
            return out
        }
    }

    /// The persons who answered "stop" in `action`.
    func stoppedPersons(in action: ActionID) throws -> Set<Int64> {
        try read("reading the stops of action \(action)") { db in
            Set(
                try Int64.fetchAll(
                    db, sql: "SELECT DISTINCT person_id FROM dispatch_answer WHERE action_id = ? AND kind = 'stop'",
                    arguments: [action.rawValue]))
        }
    }
}
