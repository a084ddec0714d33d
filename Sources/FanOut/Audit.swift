import GRDB
import Geo
import Participants

/// What an audit row records about a person in an action.
public enum AuditEvent: String, Sendable, Hashable, Codable {
    /// Included in an area version, with the channel chosen.
    case included
    /// Listed but not alerted (see ``SkipReason``).
    case skipped
    /// An attempt was not delivered; the next one on the same channel waits for the backoff.
    case retry
    /// An attempt was not delivered and the channel's attempts are used up; the next channel follows.
    case fallback
    /// An attempt was not delivered and none is left.
    case gaveUp = "gave-up"
    /// The end message waits for the end of the person's quiet hours on its channel.
    case deferred
}

/// One append-only audit row (table `dispatch_audit`). Never holds a phone number or e-mail address.
public struct AuditRow: Sendable, Hashable {
    /// The action.
    public var action: ActionID
    /// The person.
    public var person: Int64
    /// The participant (address) the row is about.
    public var participant: Int64
    /// What happened.
    public var event: AuditEvent
    /// The area version (included, skipped).
    public var areaVersion: Int?
    /// Distance of the participant to the incident in metres (included, skipped).
    public var distanceMeters: Double?
    /// The channel chosen (included) or of the failed attempt (retry, fallback, gave up).
    public var channel: Channel?
    /// The failed attempt's number.
    public var attempt: Int?
    /// The failed attempt's provider result.
    public var result: DeliveryResult?
    /// Why the person was skipped.
    public var reason: SkipReason?
    /// A readable detail ("same person as participant 12", "attempt 2 on voice after 60 s").
    public var detail: String?
    /// When (dispatcher clock).
    public var at: Duration

    /// Creates a row.
    public init(
        action: ActionID, person: Int64, participant: Int64, event: AuditEvent, areaVersion: Int? = nil,
        distanceMeters: Double? = nil, channel: Channel? = nil, attempt: Int? = nil, result: DeliveryResult? = nil,
        reason: SkipReason? = nil, detail: String? = nil, at: Duration
    ) {
        self.action = action
        self.person = person
        self.participant = participant
        self.event = event
        self.areaVersion = areaVersion
        self.distanceMeters = distanceMeters
        self.channel = channel
        self.attempt = attempt
        self.result = result
        self.reason = reason
        self.detail = detail
        self.at = at
    }

    /// One line for a person: "T+120 s: attempt 1 on voice: busy; attempt 2 on voice after 60 s".
    public var sentence: String {
        let when = "T+\(DispatchCore.seconds(at))"
        switch event {
        case .included:
            return "\(when): included from area version \(areaVersion ?? 0) as participant \(participant) at "
                + "\(DispatchCore.meters(distanceMeters ?? 0)), channel \(channel?.rawValue ?? "?")"
        case .skipped:
            return "\(when): skipped (\(reason?.rawValue ?? "?")) in area version \(areaVersion ?? 0) as participant "
                + "\(participant) at \(DispatchCore.meters(distanceMeters ?? 0))" + (detail.map { ": \($0)" } ?? "")
        case .retry, .fallback, .gaveUp:
            let failed = "attempt \(attempt ?? 0) on \(channel?.rawValue ?? "?"): \(result?.rawValue ?? "?")"
            let next =
                event == .gaveUp
                ? "gave up" + (detail.map { ": \($0)" } ?? "") : "\(event == .retry ? "retry" : "fallback"), \(detail ?? "")"
            return "\(when): \(failed); \(next)"
        case .deferred:
            return "\(when): deferred: \(detail ?? "")"
        }
    }
}

/// One version of an action's area as recorded.
public struct AreaVersion: Sendable, Hashable {
    /// 1 for the start, one more per enlargement.
    public var version: Int
    /// The area text (WKT or GeoJSON) as given, if given.
    public var geometry: String?
    /// The registry generation the selection was made from, if given.
    public var registryGeneration: Int64?
    /// Persons listed, and of them new, in this version.
    public var recipients: Int
    public var added: Int
    /// When (dispatcher clock).
    public var at: Duration
}

/// Why a person was or was not alerted by an action, and what happened to their messages.
public struct ActionExplanation: Sendable, Hashable, CustomStringConvertible {
    /// The action.
    public var action: ActionID
    /// The person or participant asked about.
    public var person: Int64
    /// The action's incident type and state.
    public var incidentType: String
    public var state: ActionState
    /// Every area version of the action.
    public var areas: [AreaVersion]
    /// The audit rows about the person (or participant), in order.
    public var events: [AuditRow]
    /// The alert and end message as they stand in the ledger (`nil`: none).
    public var alert: LedgerEntry?
    public var endMessage: LedgerEntry?

    /// Whether the person was included in the action.
    public var included: Bool { events.contains { $0.event == .included } }

    /// Readable lines, e.g.
    /// ```
    /// action 3 (missing-child, running), person 42
    /// area version 1 at T+0 s: 120 persons listed, 118 new; registry generation 17
    /// T+0 s: included from area version 1 as participant 42 at 1530.2 m, channel voice
    /// T+40 s: attempt 1 on voice: busy; retry, attempt 2 on voice after 60 s
    /// alert: delivered on voice, attempt 2, at T+130 s
    /// ```
    public var description: String {
        var lines = ["action \(action) (\(incidentType), \(state.rawValue)), person \(person)"]
        for a in areas {
            var line =
                "area version \(a.version) at T+\(DispatchCore.seconds(a.at)): \(a.recipients) persons listed, "
                + "\(a.added) new"
            if let g = a.registryGeneration { line += "; registry generation \(g)" }
            if let text = a.geometry { line += "; area \(text.prefix(80))\(text.count > 80 ? "…" : "")" }
            lines.append(line)
        }
        if events.isEmpty { lines.append("not listed in any area version of this action") }
        lines += events.map(\.sentence)
        func message(_ name: String, _ e: LedgerEntry) -> String {
            "\(name): \(e.state.rawValue) on \(e.channel.rawValue), attempt \(e.attempt), at T+\(DispatchCore.seconds(e.updatedAt))"
        }
        if let alert { lines.append(message("alert", alert)) }
        if let endMessage { lines.append(message("end message", endMessage)) }
        return lines.joined(separator: "\n")
    }
}

extension Ledger {
    /// Every area version of an action as recorded, in version order.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func areaVersions(of action: ActionID) throws -> [AreaVersion] {
        try read("reading the areas of action \(action)") { db in try Self.areaVersions(db, action) }
    }

    /// How many area versions `action` has (1 after its start, one more per enlargement): one
    /// indexed count, for caches keyed on the area.
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    public func areaVersionCount(of action: ActionID) throws -> Int {
        try read("counting the areas of action \(action)") { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM dispatch_area WHERE action_id = ?", arguments: [action.rawValue])
                ?? 0
        }
    }

    static func areaVersions(_ db: Database, _ action: ActionID) throws -> [AreaVersion] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT version, geometry, registry_generation, recipients, added, at_ms FROM dispatch_area
                WHERE action_id = ? ORDER BY version
                """, arguments: [action.rawValue]
        ).map { r in
            AreaVersion(
                version: r[0], geometry: r[1], registryGeneration: r[2], recipients: r[3], added: r[4],
                at: .milliseconds(r[5] as Int64))
        }
    }

    static func insert(_ row: AuditRow, _ db: Database) throws {
        let s = try db.cachedStatement(
            sql: """
                INSERT INTO dispatch_audit (action_id, person_id, participant_id, event, area_version, distance_m,
                    channel, attempt, result, reason, detail, at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        try s.execute(arguments: [
            row.action.rawValue, row.person, row.participant, row.event.rawValue, row.areaVersion, row.distanceMeters,
            row.channel?.rawValue, row.attempt, row.result?.rawValue, row.reason?.rawValue, row.detail,
            row.at.milliseconds,
        ])
    }

    /// Why `person` was or was not alerted by `action`, from the append-only audit and the
    /// message states: the action's area versions (with the registry generation each was selected
    /// from), the inclusion (area version, distance, channel) or skip (reason), every failed
    /// attempt with its retry or fallback, and the alert's and end message's states.
    ///
    /// `person` may be a person id or a participant id (an address of the person). Holds no phone
    /// numbers or e-mail addresses.
    /// - Throws: ``DispatchError`` `.unknownAction`, `.ledger`.
    public func explain(action: ActionID, person: Int64) throws -> ActionExplanation {
        try read("explaining action \(action) for \(person)") { db in
            guard
                let a = try Row.fetchOne(
                    db, sql: "SELECT incident_type, state FROM dispatch_action WHERE id = ?",
                    arguments: [action.rawValue])
            else { throw DispatchError(.unknownAction, "no action \(action) in \(path)") }
            let areas = try Self.areaVersions(db, action)
            // The persons the id stands for: itself, and the person of a participant (an address,
            // listed in the audit or, outside the area, in the registry).
            let persons = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT person_id FROM dispatch_audit WHERE action_id = ? AND participant_id = ?",
                arguments: [action.rawValue, person])
            let ids = Array(Set(persons + [person, try Self.person(of: person, in: action, db)]))
            let marks = Array(repeating: "?", count: ids.count).joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT person_id, participant_id, event, area_version, distance_m, channel, attempt, result, reason,
                        detail, at_ms
                    FROM dispatch_audit WHERE action_id = ? AND person_id IN (\(marks)) ORDER BY id
                    """, arguments: StatementArguments([action.rawValue] + ids))
            let events = rows.compactMap { r -> AuditRow? in
                guard let event = AuditEvent(rawValue: r[2]) else { return nil }
                return AuditRow(
                    action: action, person: r[0], participant: r[1], event: event, areaVersion: r[3],
                    distanceMeters: r[4], channel: (r[5] as String?).flatMap(Channel.init(rawValue:)), attempt: r[6],
                    result: (r[7] as String?).flatMap(DeliveryResult.init(rawValue:)),
                    reason: (r[8] as String?).flatMap(SkipReason.init(rawValue:)), detail: r[9],
                    at: .milliseconds(r[10] as Int64))
            }
            // The person the question is about: the one the participant was included (or skipped) as.
            let personID = events.first(where: { $0.event == .included })?.person ?? events.first?.person ?? person
            let messages = try Self.messages(db, action, person: personID)
            return ActionExplanation(
                action: action, person: person, incidentType: a[0], state: ActionState(rawValue: a[1]) ?? .running,
                areas: areas, events: events, alert: messages.first { $0.key.kind == .alert },
                endMessage: messages.first { $0.key.kind == .end })
        }
    }
}
