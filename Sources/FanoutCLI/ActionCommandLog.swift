import FanOut
import Foundation

extension Ledger {
    /// Every command-log record of `action`, oldest first.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    func commands(of action: ActionID) throws -> [CommandRecord] {
        var all: [CommandRecord] = []
        var query = CommandLogQuery(action: action, limit: 1000)
        while true {
            let page = try commandLog(query)
            all += page.records
            guard page.hasMore, let last = page.records.last else { return all }
            query.after = last.sequence
        }
    }
}

extension ActionText {
    /// Who gave an action's commands and when:
    /// ```
    /// commands:
    ///   start at T+0.0 s, 2025-03-01T09:12:44.318Z, by ann (dispatcher, request 3F2A…)
    /// ```
    static func commands(_ records: [CommandRecord]) -> String {
        var lines = ["commands:"]
        for r in records {
            var line = "  \(r.command.rawValue) at "
            if let t = r.dispatcherTime { line += "T+\(time(t)), " }
            line += "\(r.origin.wallTime.rfc3339UTC), by \(r.origin.operatorName)"
            let extra = [r.origin.role, r.origin.requestID.map { "request \($0)" }].compactMap { $0 }
            if !extra.isEmpty { line += " (\(extra.joined(separator: ", ")))" }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

/// One command-log record in `fanout action status ID --json` (`commands`).
struct CommandJSON: Encodable {
    var record: CommandRecord

    init(_ record: CommandRecord) { self.record = record }

    private enum Key: String, CodingKey {
        case command, action, participant, role, `operator`, requestID = "request_id", wallTime = "wall_time"
        case dispatcherSeconds = "dispatcher_seconds"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(record.command.rawValue, forKey: .command)
        try c.encode(record.action?.rawValue, forKey: .action)
        try c.encode(record.participant, forKey: .participant)
        try c.encode(record.origin.operatorName, forKey: .operator)
        try c.encode(record.origin.role, forKey: .role)
        try c.encode(record.origin.requestID, forKey: .requestID)
        try c.encode(record.origin.wallTime.rfc3339UTC, forKey: .wallTime)
        try c.encode(record.dispatcherTime?.seconds, forKey: .dispatcherSeconds)
    }
}
