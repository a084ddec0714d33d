import Geo

// The `--json` forms of the dispatcher's reports (docs/schemas/action-*.schema.json). Keys are
// snake_case and spelled out; times are dispatcher seconds (`…_seconds`), distances metres
// (`…_m`); counts per state, channel, result or reason list every case, 0 included. Contact
// details are never part of them.

extension ActionStatus: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(id.rawValue, forKey: "id")
        try c.encode(state, forKey: "state")
        try c.encode(included, forKey: "included")
        try c.encode(reached, forKey: "reached")
        try c.encode(isIdle, forKey: "idle")
        try c.encode(CaseCounts(alerts), forKey: "alerts")
        try c.encode(CaseCounts(endMessages), forKey: "end_messages")
        try c.encode(CaseCounts(outcomes), forKey: "outcomes")
        try c.encode(lastAlertCompletedAt?.seconds, forKey: "last_alert_completed_at_seconds")
        try c.encode(lastEndCompletedAt?.seconds, forKey: "last_end_completed_at_seconds")
        try c.encode(retries, forKey: "retries")
        try c.encode(fallbacks, forKey: "fallbacks")
        try c.encode(throttled, forKey: "throttled")
        try c.encode(CaseCounts(skipped), forKey: "skipped")
        try c.encode(areaVersions, forKey: "area_versions")
        var rates = c.nestedContainer(keyedBy: JSONKey.self, forKey: "provider_rates")
        for (channel, rate) in providerRates { try rates.encode(rate, forKey: JSONKey(channel.rawValue)) }
    }
}

extension ActionSummary: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(id.rawValue, forKey: "id")
        try c.encode(state, forKey: "state")
        try c.encode(request.incidentType, forKey: "incident_type")
        try c.encode(String(describing: request.urgency), forKey: "urgency")
        try c.encode(request.message, forKey: "message")
        try c.encode(request.channels, forKey: "channels")
        var point = c.nestedContainer(keyedBy: JSONKey.self, forKey: "incident_rd")
        try point.encode(request.incidentPoint?.x, forKey: "x")
        try point.encode(request.incidentPoint?.y, forKey: "y")
        try c.encode(result, forKey: "result")
        try c.encode(startedAt.seconds, forKey: "started_at_seconds")
        try c.encode(included, forKey: "included")
        try c.encode(reached, forKey: "reached")
        try c.encode(CaseCounts(alerts), forKey: "alerts")
        try c.encode(CaseCounts(endMessages), forKey: "end_messages")
        try c.encode(CaseCounts(alertsByChannel), forKey: "alerts_by_channel")
        try c.encode(lastAlertCompletedAt?.seconds, forKey: "last_alert_completed_at_seconds")
        try c.encode(lastEndCompletedAt?.seconds, forKey: "last_end_completed_at_seconds")
        try c.encode(rings, forKey: "rings")
    }
}

extension RingReport: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(innerMeters, forKey: "inner_m")
        try c.encode(outerMeters, forKey: "outer_m")
        try c.encode(completed, forKey: "completed")
        try c.encode(reached, forKey: "reached")
        try c.encode(firstCompletedAt.seconds, forKey: "first_completed_at_seconds")
        try c.encode(lastCompletedAt.seconds, forKey: "last_completed_at_seconds")
    }
}

extension LedgerEntry: Encodable {
    /// The message's state as the ledger holds it (not its language, plan or contact data).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(key.kind, forKey: "kind")
        try c.encode(seq, forKey: "seq")
        try c.encode(participant, forKey: "participant")
        try c.encode(channel, forKey: "channel")
        try c.encode(distanceMeters, forKey: "distance_m")
        try c.encode(state, forKey: "state")
        try c.encode(updatedAt.seconds, forKey: "updated_at_seconds")
        try c.encode(attempt, forKey: "attempt")
        try c.encode(channelAttempt, forKey: "channel_attempt")
    }
}

extension LedgerExplanation: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(participant, forKey: "participant")
        try c.encode(person, forKey: "person")
        try c.encode(alertedThrough, forKey: "alerted_through")
        try c.encode(position, forKey: "position")
        try c.encode(included, forKey: "included")
        try c.encode(alert, forKey: "alert")
        try c.encode(end, forKey: "end_message")
    }
}

extension AreaVersion: Encodable {
    /// The version with its geometry as recorded (GeoJSON of a polygon, or a circle's description).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(version, forKey: "version")
        try c.encode(at.seconds, forKey: "at_seconds")
        try c.encode(recipients, forKey: "recipients")
        try c.encode(added, forKey: "added")
        try c.encode(registryGeneration, forKey: "registry_generation")
        try c.encode(geometry, forKey: "geometry")
    }
}

extension AuditRow: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(event, forKey: "event")
        try c.encode(at.seconds, forKey: "at_seconds")
        try c.encode(participant, forKey: "participant")
        try c.encode(areaVersion, forKey: "area_version")
        try c.encode(distanceMeters, forKey: "distance_m")
        try c.encode(channel, forKey: "channel")
        try c.encode(attempt, forKey: "attempt")
        try c.encode(result.map { JSONKey.snakeCased($0.rawValue) }, forKey: "result")
        try c.encode(reason, forKey: "reason")
        try c.encode(detail, forKey: "detail")
        try c.encode(sentence, forKey: "sentence")
    }
}

extension ActionExplanation: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(action.rawValue, forKey: "action")
        try c.encode(person, forKey: "person")
        try c.encode(incidentType, forKey: "incident_type")
        try c.encode(state, forKey: "state")
        try c.encode(included, forKey: "included")
        try c.encode(areas, forKey: "areas")
        try c.encode(events, forKey: "events")
        try c.encode(alert, forKey: "alert")
        try c.encode(endMessage, forKey: "end_message")
    }
}
