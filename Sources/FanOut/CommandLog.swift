import Foundation
import GRDB
import Participants

/// Who gave a command, under which request and when: what the ledger's command log records
/// beside the dispatcher's own time.
public struct CommandOrigin: Sendable, Hashable {
    /// The operator: a service token's subject, or the OS user name of a CLI command (`cli` when
    /// it has none).
    public var operatorName: String
    /// The operator's role (a service token's role; `nil` for the CLI).
    public var role: String?
    /// The request id of a command given through the service (`nil` for the CLI).
    public var requestID: String?
    /// When the command was given (wall clock; stored in UTC to the millisecond).
    public var wallTime: Date

    /// Creates an origin.
    public init(operator name: String, role: String? = nil, requestID: String? = nil, wallTime: Date = Date()) {
        operatorName = name
        self.role = role
        self.requestID = requestID
        self.wallTime = wallTime
    }

    /// The origin of a command given on the command line now: the OS user name (`cli` when it
    /// cannot be found), no role, no request id.
    public static func commandLine(wallTime: Date = Date()) -> CommandOrigin {
        CommandOrigin(operator: osUserName ?? "cli", wallTime: wallTime)
    }

    /// The name of the process's effective user, from the password database or `$USER`/`$LOGNAME`.
    static var osUserName: String? {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        let env = ProcessInfo.processInfo.environment
        return [env["USER"], env["LOGNAME"]].compactMap { $0 }.first { !$0.isEmpty }
    }
}

/// What a command-log record is about.
public enum CommandKind: String, Sendable, Hashable, CaseIterable, Codable {
    case start
    case enlarge
    case stop
    case end
    /// A participant registered or updated (through the service).
    case participantRegister = "participant-register"
    /// A participant removed (through the service).
    case participantRemove = "participant-remove"
    /// A participant's answer recorded by the control room (someone who called the free number).
    case answer
    /// The action's public part released for the public feeds.
    case publish
    /// The action's public part taken out of the public feeds.
    case withdraw
}

/// One record of the ledger's append-only command log (table `dispatch_command_log`).
public struct CommandRecord: Sendable, Hashable {
    /// The record's position in the log (increasing in the order the commands were applied).
    public var sequence: Int64
    /// The command.
    public var command: CommandKind
    /// The action it was for (the new one for a start; `nil` for participant commands).
    public var action: ActionID?
    /// The participant it was for (participant commands).
    public var participant: Int64?
    /// Who gave it, under which request, when (wall clock, to the millisecond).
    public var origin: CommandOrigin
    /// When the dispatcher applied it (dispatcher clock; `nil`: not recorded).
    public var dispatcherTime: Duration?
}

/// Which command-log records to read: every filter that is set must match.
public struct CommandLogQuery: Sendable, Hashable {
    /// Only records about this action.
    public var action: ActionID?
    /// Only records of this operator (exact).
    public var operatorName: String?
    /// Only records given at or after this time.
    public var from: Date?
    /// Only records given before this time.
    public var to: Date?
    /// Only records after this sequence number (the cursor of the page before).
    public var after: Int64?
    /// At most this many records.
    public var limit: Int

    /// Creates a query (by default the first 100 records of all).
    public init(
        action: ActionID? = nil, operatorName: String? = nil, from: Date? = nil, to: Date? = nil, after: Int64? = nil,
        limit: Int = 100
    ) {
        self.action = action
        self.operatorName = operatorName
        self.from = from
        self.to = to
        self.after = after
        self.limit = limit
    }
}

/// One page of the command log.
public struct CommandLogPage: Sendable, Hashable {
    /// The records, oldest first.
    public var records: [CommandRecord]
    /// Whether more records match after the last one (ask again with `after` = its sequence).
    public var hasMore: Bool
}

extension Date {
    /// RFC 3339 in UTC to the millisecond, as the command log gives its times:
    /// `2025-03-01T09:12:44.318Z`.
    package var rfc3339UTC: String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let ms = Int64((timeIntervalSince1970 * 1000).rounded())
        let seconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let c = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(seconds)))
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0,
            c.minute ?? 0, c.second ?? 0, Int(ms - seconds * 1000))
    }

    /// Milliseconds since 1970 UTC, rounded down (what the command log stores), taken to the
    /// microsecond first, so that a time made from whole milliseconds gives them back exactly.
    package var unixMilliseconds: Int64 {
        let micro = (timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((micro / 1000).rounded(.down))
    }
}

extension Ledger {
    /// Writes one command-log record in the open transaction `db`.
    static func insertCommand(
        _ kind: CommandKind, action: ActionID?, participant: Int64?, origin: CommandOrigin, at: Duration?,
        _ db: Database
    ) throws {
        let s = try db.cachedStatement(
            sql: """
                INSERT INTO dispatch_command_log (command, action_id, participant_id, operator, role, request_id,
                    wall_ms, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try s.execute(arguments: [
            kind.rawValue, action?.rawValue, participant, origin.operatorName, origin.role, origin.requestID,
            origin.wallTime.unixMilliseconds, at?.milliseconds,
        ])
    }

    /// A command-log record to write in a registry change's own transaction (a participant
    /// registered or removed through the service): the change and its record commit together.
    ///
    /// The registry must be the one in this ledger's file.
    package func commandRecord(
        _ kind: CommandKind, participant: Int64, origin: CommandOrigin, at: Duration?
    ) -> AlongsideWrite {
        AlongsideWrite { db in
            try Self.insertCommand(kind, action: nil, participant: participant, origin: origin, at: at, db)
        }
    }

    /// The records of one command that changes many participants (a bulk registration): one
    /// record per participant, written in the registry's transaction like ``commandRecord(_:participant:origin:at:)``.
    package func commandRecords(
        _ kind: CommandKind, participants: [Int64], origin: CommandOrigin, at: Duration?
    ) -> AlongsideWrite {
        AlongsideWrite { db in
            for participant in participants {
                try Self.insertCommand(kind, action: nil, participant: participant, origin: origin, at: at, db)
            }
        }
    }

    /// The first whole millisecond at or after `date`, taken to the microsecond first: a time
    /// given as "…:00.123Z" is millisecond 123 exactly, whatever the binary fraction's error.
    static func millisecondsRoundedUp(_ date: Date) -> Int64 {
        let micro = (date.timeIntervalSince1970 * 1_000_000).rounded()
        return Int64((micro / 1000).rounded(.up))
    }

    /// The command-log records that match `query`, oldest first, one page.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func commandLog(_ query: CommandLogQuery) throws -> CommandLogPage {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let action = query.action {
            conditions.append("action_id = ?")
            arguments.append(action.rawValue)
        }
        if let name = query.operatorName {
            conditions.append("operator = ?")
            arguments.append(name)
        }
        if let from = query.from {
            // A record stored to the millisecond is "at or after" `from` when its millisecond is.
            conditions.append("wall_ms >= ?")
            arguments.append(Self.millisecondsRoundedUp(from))
        }
        if let to = query.to {
            conditions.append("wall_ms < ?")
            arguments.append(Self.millisecondsRoundedUp(to))
        }
        if let after = query.after {
            conditions.append("id > ?")
            arguments.append(after)
        }
        let limit = max(0, query.limit)
        arguments.append(limit + 1)
        let sql = """
            SELECT id, command, action_id, participant_id, operator, role, request_id, wall_ms, at_ms
            FROM dispatch_command_log \(conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "))
            ORDER BY id LIMIT ?
            """
        let rows = try read("reading the command log") { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments))
        }
        let records = rows.prefix(limit).compactMap { r -> CommandRecord? in
            guard let kind = CommandKind(rawValue: r[1]) else { return nil }
            return CommandRecord(
                sequence: r[0], command: kind, action: (r[2] as Int64?).map(ActionID.init(rawValue:)),
                participant: r[3],
                origin: CommandOrigin(
                    operator: r[4], role: r[5], requestID: r[6],
                    wallTime: Date(timeIntervalSince1970: Double(r[7] as Int64) / 1000)),
                dispatcherTime: (r[8] as Int64?).map { .milliseconds($0) })
        }
        return CommandLogPage(records: records, hasMore: rows.count > limit)
    }
}
