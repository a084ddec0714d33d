import FanOut
import FanoutCore
import Foundation
import Geo
import Hummingbird

extension Routes {
    /// Registers `GET /v1/audit`: the ledger's command log, filtered and paginated.
    func addAuditRoutes(to v1: RouterGroup<ServeContext>) {
        v1.get("/audit") { request, context in try auditLog(request, context) }
    }

    /// `GET /v1/audit?action=&operator=&from=&to=&limit=&cursor=`: who gave which command when,
    /// oldest first, one page (`next_cursor` asks for the next).
    func auditLog(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .readAudit)
        let query = try AuditQuery(request.uri.queryParameters.map { (String($0.key), String($0.value)) })
        let page = try room.room().ledger.commandLog(query.ledger)
        return try json(AuditAnswer(page: page))
    }
}

/// The query of `GET /v1/audit`, checked: every bad or unknown parameter is a 422 naming it.
struct AuditQuery: Sendable, Hashable {
    /// What the ledger is asked.
    var ledger: CommandLogQuery

    /// Records per page unless `limit` says otherwise, and the most it may say.
    static let defaultLimit = 100
    static let maxLimit = 1000
    /// The parameters this route takes.
    static let names: Set<String> = ["action", "operator", "from", "to", "limit", "cursor"]

    /// Parses the query's `(name, value)` pairs (values percent-decoded).
    ///
    /// - Throws: ``ServeError`` `.badRequest` (422) naming the field: an unknown or repeated
    ///   parameter, an action or cursor that is not a positive whole number, a limit outside
    ///   1…1000, a time that is not RFC 3339 in UTC, `from` later than `to`, an empty operator.
    init(_ pairs: [(String, String)]) throws {
        var seen: Set<String> = []
        var q = CommandLogQuery(limit: Self.defaultLimit)
        for (name, value) in pairs {
            guard Self.names.contains(name) else {
                throw ServeError(
                    .badRequest,
                    "\(name.prefix(40)): not a parameter of /v1/audit (it takes "
                        + "\(Self.names.sorted().joined(separator: ", ")))",
                    field: String(name.prefix(40)))
            }
            guard seen.insert(name).inserted else {
                throw ServeError(.badRequest, "\(name): given more than once", field: name)
            }
            switch name {
            case "action": q.action = ActionID(rawValue: try Self.positive(value, field: name))
            case "cursor": q.after = try Self.positive(value, field: name)
            case "operator":
                guard !value.isEmpty, value.count <= 200 else {
                    throw ServeError(
                        .badRequest, "operator: expected a token subject (1 to 200 characters)", field: name)
                }
                q.operatorName = value
            case "from": q.from = try Self.time(value, field: name)
            case "to": q.to = try Self.time(value, field: name)
            default:  // limit
                guard let n = Int(value), (1...Self.maxLimit).contains(n) else {
                    throw ServeError(
                        .badRequest,
                        "limit: expected a whole number from 1 to \(Self.maxLimit), not '\(value.prefix(40))'",
                        field: name)
                }
                q.limit = n
            }
        }
        if let from = q.from, let to = q.to, from > to {
            throw ServeError(.badRequest, "to: earlier than from", field: "to")
        }
        ledger = q
    }

    static func positive(_ value: String, field: String) throws -> Int64 {
        guard value.allSatisfy(\.isASCII), let n = Int64(value), (1...Routes.maxID).contains(n) else {
            throw ServeError(
                .badRequest, "\(field): expected a whole number from 1 to 2^53 - 1, not '\(value.prefix(40))'",
                field: field)
        }
        return n
    }

    static func time(_ value: String, field: String) throws -> Date {
        guard let date = RFC3339.parseUTC(value) else {
            throw ServeError(
                .badRequest,
                "\(field): expected an RFC 3339 time in UTC such as 2025-03-01T12:00:00Z or 2025-03-01T12:00:00.250Z, "
                    + "not '\(value.prefix(40))'", field: field)
        }
        return date
    }
}

/// RFC 3339 times in UTC (`Z`), as the audit takes and gives them.
enum RFC3339 {
    /// The UTC Gregorian calendar.
    static let utc: Calendar = {
        var c = Calendar(identifier: .gregorian)
        if let zone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) { c.timeZone = zone }
        return c
    }()

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (`T` and `Z` in either case); `nil` for anything
    /// else, an offset other than `Z` included, or a date that does not exist (February 30).
    static func parseUTC(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20, b.count <= 40 else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard (48...57).contains(b[i]) else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard let year = digits(0..<4), b[4] == 45, let month = digits(5..<7), b[7] == 45, let day = digits(8..<10),
            b[10] == 84 || b[10] == 116, let hour = digits(11..<13), b[13] == 58, let minute = digits(14..<16),
            b[16] == 58, let second = digits(17..<19), b.last == 90 || b.last == 122
        else { return nil }
        var fraction = 0.0
        if b.count > 20 {
            // ".d…d" between the seconds and the Z.
            guard b[19] == 46, b.count > 21, b[20..<(b.count - 1)].allSatisfy({ (48...57).contains($0) }) else {
                return nil
            }
            fraction = Double("0." + String(decoding: b[20..<(b.count - 1)], as: UTF8.self)) ?? 0
        }
        guard (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60 else { return nil }
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utc.date(from: parts) else { return nil }
        let back = utc.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        return date.addingTimeInterval(fraction)
    }
}

/// `GET /v1/audit`: `{"records": [...], "next_cursor": "17" | null}`.
struct AuditAnswer: Sendable, Encodable {
    var page: CommandLogPage

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        var list = c.nestedUnkeyedContainer(forKey: "records")
        for r in page.records {
            var o = list.nestedContainer(keyedBy: JSONKey.self)
            try o.encode(r.sequence, forKey: "sequence")
            try o.encode(r.command.rawValue, forKey: "command")
            try o.encode(r.action?.rawValue, forKey: "action")
            try o.encode(r.participant, forKey: "participant")
            try o.encode(r.origin.operatorName, forKey: "operator")
            try o.encode(r.origin.role, forKey: "role")
            try o.encode(r.origin.requestID, forKey: "request_id")
            try o.encode(r.origin.wallTime.rfc3339UTC, forKey: "wall_time")
            try o.encode(r.dispatcherTime?.seconds, forKey: "dispatcher_seconds")
        }
        let next = page.hasMore ? page.records.last.map { String($0.sequence) } : nil
        try c.encode(next, forKey: "next_cursor")
    }
}
