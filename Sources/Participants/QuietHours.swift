import GRDB

/// A participant's quiet hours: when a channel may not be used, per channel and, optionally, except
/// for some incident types ("wake me for a missing child, not for a bike theft").
///
/// The stored text (column `quiet_hours`, CSV field `quiet_hours`) is one or more rules separated
/// by `;`:
///
/// ```
/// rule     = [channels " "] HH:MM "-" HH:MM [" except " types]
/// channels = channel {"," channel}        voice | sms | email | app
/// types    = incident-type {"," incident-type}
/// ```
///
/// - `23:00-07:00`: every channel, every incident type (the format before issue 6, still valid).
/// - `voice 22:00-08:00; sms,app 23:00-07:00 except missing-child`: no calls from 22:00 to 08:00;
///   no texts or pushes from 23:00 to 07:00 unless a child is missing; e-mail at any time.
/// - `voice 00:00-00:00`: equal start and end mean the whole day (never call).
///
/// Times are local wall-clock times (the dispatcher evaluates them in Europe/Amsterdam); a range
/// whose end is before its start runs past midnight. The start minute is quiet, the end minute is
/// not.
public struct QuietHours: Sendable, Hashable, CustomStringConvertible {
    /// One rule: a daily time range on some channels, with incident types it does not apply to.
    public struct Rule: Sendable, Hashable {
        /// The channels the rule covers; empty means every channel.
        public var channels: [Channel]
        /// First quiet minute of the day (0 ... 1439).
        public var startMinute: Int
        /// First minute that is no longer quiet (0 ... 1439); equal to ``startMinute`` for all day.
        public var endMinute: Int
        /// Incident types for which the rule does not hold.
        public var exceptIncidentTypes: [IncidentType]

        /// Whether `minute` (of the local day) falls in the range.
        public func covers(minute: Int) -> Bool {
            if startMinute == endMinute { return true }
            if startMinute < endMinute { return minute >= startMinute && minute < endMinute }
            return minute >= startMinute || minute < endMinute
        }
    }

    /// The rules, as given.
    public private(set) var rules: [Rule]

    /// Parses the stored text.
    ///
    /// - Throws: ``RegistryError`` `.input` saying which rule is wrong and why (without a file or
    ///   line: callers add where the text came from).
    public init(parsing text: String) throws {
        var rules: [Rule] = []
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        for (i, part) in parts.enumerated() {
            let rule = part.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            let which = parts.count > 1 ? "rule \(i + 1) " : ""
            func bad(_ why: String) -> RegistryError {
                let shown = QuotedValue.describe(part.trimmingCharacters(in: .whitespaces), limit: 60)
                return RegistryError(.input, "\(which)\(shown): \(why)")
            }
            guard !rule.isEmpty else { throw bad("empty rule (expected HH:MM-HH:MM)") }
            var words = rule[...]
            var channels: [Channel] = []
            if let first = words.first, !first.contains(":") {
                for name in first.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let c = Channel(rawValue: name.lowercased()) else {
                        throw bad(
                            "\(QuotedValue.describe(name, limit: 20)) is neither a channel (\(Channel.names)) "
                                + "nor HH:MM-HH:MM")
                    }
                    if !channels.contains(c) { channels.append(c) }
                }
                words = words.dropFirst()
            }
            guard let rangeText = words.first else { throw bad("missing the time range HH:MM-HH:MM") }
            guard let (start, end) = Self.range(rangeText) else {
                throw bad(
                    "\(QuotedValue.describe(rangeText, limit: 20)) is not a time range HH:MM-HH:MM (00:00 to 23:59)")
            }
            words = words.dropFirst()
            var except: [IncidentType] = []
            if let keyword = words.first {
                guard keyword.lowercased() == "except", words.count == 2 else {
                    throw bad(
                        "expected 'except TYPE[,TYPE]' after the time range, found "
                            + QuotedValue.describe(keyword, limit: 20))
                }
                let names = words.last?.split(separator: ",", omittingEmptySubsequences: false) ?? []
                guard !names.isEmpty else { throw bad("'except' needs at least one incident type") }
                for name in names {
                    do { except.append(try IncidentType(parsing: name)) } catch let e as RegistryError {
                        throw bad(e.message)
                    }
                }
            }
            rules.append(Rule(channels: channels, startMinute: start, endMinute: end, exceptIncidentTypes: except))
        }
        self.rules = rules
    }

    /// Whether `channel` is quiet at `minute` of the local day for an action of `incidentType`.
    public func isQuiet(channel: Channel, incidentType: String, minute: Int) -> Bool {
        rules.contains { r in
            (r.channels.isEmpty || r.channels.contains(channel))
                && !r.exceptIncidentTypes.contains { $0.name == incidentType } && r.covers(minute: minute)
        }
    }

    /// The canonical text (parses back to the same rules).
    public var description: String {
        func hm(_ m: Int) -> String {
            let h = m / 60
            let mm = m % 60
            return (h < 10 ? "0" : "") + "\(h):" + (mm < 10 ? "0" : "") + "\(mm)"
        }
        return rules.map { r in
            var s = r.channels.isEmpty ? "" : r.channels.map(\.rawValue).joined(separator: ",") + " "
            s += "\(hm(r.startMinute))-\(hm(r.endMinute))"
            if !r.exceptIncidentTypes.isEmpty {
                s += " except " + r.exceptIncidentTypes.map(\.name).joined(separator: ",")
            }
            return s
        }.joined(separator: "; ")
    }

    /// `HH:MM-HH:MM` as minutes of the day, or `nil`.
    private static func range(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = minute(parts[0]), let b = minute(parts[1]) else { return nil }
        return (a, b)
    }

    private static func minute(_ s: Substring) -> Int? {
        let hm = s.split(separator: ":", omittingEmptySubsequences: false)
        guard hm.count == 2, hm[0].count == 2, hm[1].count == 2, hm[0].allSatisfy(\.isASCII),
            hm[1].allSatisfy(\.isASCII), let h = Int(hm[0]), let m = Int(hm[1]), (0..<24).contains(h),
            (0..<60).contains(m)
        else { return nil }
        return h * 60 + m
    }
}

extension QuietHours: DatabaseValueConvertible {
    /// The canonical text.
    public var databaseValue: DatabaseValue { description.databaseValue }

    /// The quiet hours a stored text holds, or `nil` when it does not parse.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> QuietHours? {
        String.fromDatabaseValue(dbValue).flatMap { try? QuietHours(parsing: $0) }
    }
}
