import Geo
import Participants

// The JSON forms of the dispatcher's reports (docs/schemas/action-*.schema.json), for the
// `--json` documents and for a service that sends them: `Codable`, with the same field names
// whatever the coder's key strategy (each key is spelled out in snake_case; `convertToSnakeCase`
// leaves it as it is). Times are dispatcher seconds (`…_seconds`), distances metres (`…_m`);
// counts per state, channel, result or reason list every case, 0 included (decoded, a count of 0
// is left out of the dictionary). Contact details are never part of them. The explanations'
// forms are in Explanations+JSON.swift.

extension ActionStatus: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, state, included, reached
        case isIdle = "idle"
        case alerts
        case endMessages = "end_messages"
        case outcomes
        case lastAlertCompletedAt = "last_alert_completed_at_seconds"
        case lastEndCompletedAt = "last_end_completed_at_seconds"
        case retries, fallbacks, throttled, skipped
        case areaVersions = "area_versions"
        case providerRates = "provider_rates"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.rawValue, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(included, forKey: .included)
        try c.encode(reached, forKey: .reached)
        try c.encode(isIdle, forKey: .isIdle)
        try c.encode(CaseCounts(alerts), forKey: .alerts)
        try c.encode(CaseCounts(endMessages), forKey: .endMessages)
        try c.encode(CaseCounts(outcomes), forKey: .outcomes)
        try c.encode(lastAlertCompletedAt?.seconds, forKey: .lastAlertCompletedAt)
        try c.encode(lastEndCompletedAt?.seconds, forKey: .lastEndCompletedAt)
        try c.encode(retries, forKey: .retries)
        try c.encode(fallbacks, forKey: .fallbacks)
        try c.encode(throttled, forKey: .throttled)
        try c.encode(CaseCounts(skipped), forKey: .skipped)
        try c.encode(areaVersions, forKey: .areaVersions)
        var rates = c.nestedContainer(keyedBy: JSONKey.self, forKey: .providerRates)
        for (channel, rate) in providerRates { try rates.encode(rate, forKey: JSONKey(channel.rawValue)) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: ActionID(rawValue: try c.decode(Int64.self, forKey: .id)), state: try c.decode(ActionState.self, forKey: .state),
            included: try c.decode(Int.self, forKey: .included),
            alerts: try c.decode(CaseCounts<MessageState>.self, forKey: .alerts).counts,
            endMessages: try c.decode(CaseCounts<MessageState>.self, forKey: .endMessages).counts,
            outcomes: try c.decode(CaseCounts<DeliveryResult>.self, forKey: .outcomes).counts,
            reached: try c.decode(Int.self, forKey: .reached),
            lastAlertCompletedAt: try c.decodeIfPresent(Double.self, forKey: .lastAlertCompletedAt).map(Duration.decoded),
            lastEndCompletedAt: try c.decodeIfPresent(Double.self, forKey: .lastEndCompletedAt).map(Duration.decoded),
            isIdle: try c.decode(Bool.self, forKey: .isIdle), retries: try c.decode(Int.self, forKey: .retries),
            fallbacks: try c.decode(Int.self, forKey: .fallbacks), throttled: try c.decode(Int.self, forKey: .throttled),
            skipped: try c.decode(CaseCounts<SkipReason>.self, forKey: .skipped).counts,
            areaVersions: try c.decode(Int.self, forKey: .areaVersions),
            providerRates: try Self.rates(c.nestedContainer(keyedBy: JSONKey.self, forKey: .providerRates)))
    }

    /// The provider rates keyed by channel name; a key that names no channel is a data error.
    private static func rates(_ c: KeyedDecodingContainer<JSONKey>) throws -> [Channel: Double] {
        var rates: [Channel: Double] = [:]
        for key in c.allKeys {
            guard let channel = Channel(rawValue: key.stringValue) else {
                throw DecodingError.dataCorruptedError(
                    forKey: key, in: c, debugDescription: "'\(key.stringValue)' is not a channel (\(Channel.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            rates[channel] = try c.decode(Double.self, forKey: key)
        }
        return rates
    }
}

extension ActionSummary: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, state
        case incidentType = "incident_type"
        case urgency, message, channels
        case incidentRD = "incident_rd"
        case result
        case startedAt = "started_at_seconds"
        case included, reached, alerts
        case endMessages = "end_messages"
        case alertsByChannel = "alerts_by_channel"
        case lastAlertCompletedAt = "last_alert_completed_at_seconds"
        case lastEndCompletedAt = "last_end_completed_at_seconds"
        case rings, answers
    }

    private enum PointKeys: String, CodingKey { case x, y }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id.rawValue, forKey: .id)
        try c.encode(state, forKey: .state)
        try c.encode(request.incidentType, forKey: .incidentType)
        try c.encode(String(describing: request.urgency), forKey: .urgency)
        try c.encode(request.message, forKey: .message)
        try c.encode(request.channels, forKey: .channels)
        var point = c.nestedContainer(keyedBy: PointKeys.self, forKey: .incidentRD)
        try point.encode(request.incidentPoint?.x, forKey: .x)
        try point.encode(request.incidentPoint?.y, forKey: .y)
        try c.encode(result, forKey: .result)
        try c.encode(startedAt.seconds, forKey: .startedAt)
        try c.encode(included, forKey: .included)
        try c.encode(reached, forKey: .reached)
        try c.encode(CaseCounts(alerts), forKey: .alerts)
        try c.encode(CaseCounts(endMessages), forKey: .endMessages)
        try c.encode(CaseCounts(alertsByChannel), forKey: .alertsByChannel)
        try c.encode(lastAlertCompletedAt?.seconds, forKey: .lastAlertCompletedAt)
        try c.encode(lastEndCompletedAt?.seconds, forKey: .lastEndCompletedAt)
        try c.encode(rings, forKey: .rings)
        try c.encode(CaseCounts(answers), forKey: .answers)
    }

    /// Decodes a summary. Its JSON carries the request's incident type, urgency, message, channels
    /// and incident point; the decoded request has no photo URL and no texts per language, and is
    /// confirmed (as every started action is).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let urgencyName = try c.decode(String.self, forKey: .urgency)
        guard let urgency = Urgency.allCases.first(where: { String(describing: $0) == urgencyName }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .urgency, in: c, debugDescription: "'\(urgencyName)' is not an urgency (low, normal, high, critical)")
        }
        let point = try c.nestedContainer(keyedBy: PointKeys.self, forKey: .incidentRD)
        var incident: RDPoint?
        if let x = try point.decodeIfPresent(Double.self, forKey: .x),
            let y = try point.decodeIfPresent(Double.self, forKey: .y)
        {
            incident = RDPoint(x: x, y: y)
        }
        let request = ActionRequest(
            incidentPoint: incident, incidentType: try c.decode(String.self, forKey: .incidentType), urgency: urgency,
            message: try c.decode(String.self, forKey: .message), channels: try c.decode([Channel].self, forKey: .channels),
            confirmed: true)
        self.init(
            id: ActionID(rawValue: try c.decode(Int64.self, forKey: .id)), request: request,
            state: try c.decode(ActionState.self, forKey: .state), result: try c.decodeIfPresent(String.self, forKey: .result),
            startedAt: Duration.decoded(try c.decode(Double.self, forKey: .startedAt)),
            alerts: try c.decode(CaseCounts<MessageState>.self, forKey: .alerts).counts,
            endMessages: try c.decode(CaseCounts<MessageState>.self, forKey: .endMessages).counts,
            alertsByChannel: try c.decode(CaseCounts<Channel>.self, forKey: .alertsByChannel).counts,
            included: try c.decode(Int.self, forKey: .included), reached: try c.decode(Int.self, forKey: .reached),
            lastAlertCompletedAt: try c.decodeIfPresent(Double.self, forKey: .lastAlertCompletedAt).map(Duration.decoded),
            lastEndCompletedAt: try c.decodeIfPresent(Double.self, forKey: .lastEndCompletedAt).map(Duration.decoded),
            rings: try c.decode([RingReport].self, forKey: .rings))
        answers = try c.decodeIfPresent(CaseCounts<AnswerKind>.self, forKey: .answers)?.counts ?? [:]
    }
}

extension RingReport: Codable {
    private enum CodingKeys: String, CodingKey {
        case innerMeters = "inner_m"
        case outerMeters = "outer_m"
        case completed, reached
        case firstCompletedAt = "first_completed_at_seconds"
        case lastCompletedAt = "last_completed_at_seconds"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(innerMeters, forKey: .innerMeters)
        try c.encode(outerMeters, forKey: .outerMeters)
        try c.encode(completed, forKey: .completed)
        try c.encode(reached, forKey: .reached)
        try c.encode(firstCompletedAt.seconds, forKey: .firstCompletedAt)
        try c.encode(lastCompletedAt.seconds, forKey: .lastCompletedAt)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            innerMeters: try c.decode(Double.self, forKey: .innerMeters),
            outerMeters: try c.decode(Double.self, forKey: .outerMeters), completed: try c.decode(Int.self, forKey: .completed),
            reached: try c.decode(Int.self, forKey: .reached),
            firstCompletedAt: Duration.decoded(try c.decode(Double.self, forKey: .firstCompletedAt)),
            lastCompletedAt: Duration.decoded(try c.decode(Double.self, forKey: .lastCompletedAt)))
    }
}

extension Duration {
    /// A dispatcher time read back from its JSON seconds, at the dispatcher's resolution (whole
    /// nanoseconds; the ledger stores milliseconds, which come back exactly).
    static func decoded(_ seconds: Double) -> Duration { .seconds(fractional: seconds) }
}
