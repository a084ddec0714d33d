import Geo
import Participants

// The JSON forms of the ledger's and the audit's explanations (docs/schemas/action-explain.schema.json),
// for `fanout action explain --json` and for a service that sends them: `Codable`, with the same
// snake_case field names whatever the coder's key strategy. Derived fields (`alerted_through`,
// `included`, an audit row's `sentence`) are written for the reader and recomputed when decoded.
//
// What the JSON leaves out, and so a decoded value lacks: a ledger entry's scheduling state (plan,
// due time, language, quiet hours, area version) and its key's action and person (0), which the
// explanation around it fills in where it knows them (the ledger explanation's person, the action
// explanation's action); an audit row's action and person (the action explanation's action; the
// person 0).

extension LedgerEntry: Codable {
    private enum CodingKeys: String, CodingKey {
        case kind, seq, participant, channel
        case distanceMeters = "distance_m"
        case state
        case updatedAt = "updated_at_seconds"
        case attempt
        case channelAttempt = "channel_attempt"
    }

    /// The message's state as the ledger holds it (not its language, plan or contact data).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key.kind, forKey: .kind)
        try c.encode(seq, forKey: .seq)
        try c.encode(participant, forKey: .participant)
        try c.encode(channel, forKey: .channel)
        try c.encode(distanceMeters, forKey: .distanceMeters)
        try c.encode(state, forKey: .state)
        try c.encode(updatedAt.seconds, forKey: .updatedAt)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(channelAttempt, forKey: .channelAttempt)
    }

    /// Decodes an entry: its key's action and person are 0 (see the note at the top of this file).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            key: MessageKey(action: ActionID(rawValue: 0), person: 0, kind: try c.decode(MessageKind.self, forKey: .kind)),
            seq: try c.decode(Int64.self, forKey: .seq), channel: try c.decode(Channel.self, forKey: .channel),
            distanceMeters: try c.decode(Double.self, forKey: .distanceMeters),
            state: try c.decode(MessageState.self, forKey: .state),
            updatedAt: Duration.decoded(try c.decode(Double.self, forKey: .updatedAt)),
            attempt: try c.decode(Int.self, forKey: .attempt), channelAttempt: try c.decode(Int.self, forKey: .channelAttempt),
            participant: try c.decodeIfPresent(Int64.self, forKey: .participant))
    }

    /// This entry with its key's action and person set.
    func keyed(action: ActionID? = nil, person: Int64? = nil) -> LedgerEntry {
        var copy = self
        if let action { copy.key.action = action }
        if let person { copy.key.person = person }
        return copy
    }
}

extension LedgerExplanation: Codable {
    private enum CodingKeys: String, CodingKey {
        case participant, person
        case alertedThrough = "alerted_through"
        case position, included, alert
        case end = "end_message"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(participant, forKey: .participant)
        try c.encode(person, forKey: .person)
        try c.encode(alertedThrough, forKey: .alertedThrough)
        try c.encode(position, forKey: .position)
        try c.encode(included, forKey: .included)
        try c.encode(alert, forKey: .alert)
        try c.encode(end, forKey: .end)
    }

    /// Decodes an explanation; its entries' keys get ``person`` (the ledger keys them by person).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let person = try c.decode(Int64.self, forKey: .person)
        self.init(
            participant: try c.decode(Int64.self, forKey: .participant), person: person,
            alert: try c.decodeIfPresent(LedgerEntry.self, forKey: .alert)?.keyed(person: person),
            end: try c.decodeIfPresent(LedgerEntry.self, forKey: .end)?.keyed(person: person),
            position: try c.decodeIfPresent(Int.self, forKey: .position), included: try c.decode(Int.self, forKey: .included))
    }
}

extension AreaVersion: Codable {
    private enum CodingKeys: String, CodingKey {
        case version
        case at = "at_seconds"
        case recipients, added
        case registryGeneration = "registry_generation"
        case geometry
    }

    /// The version with its geometry as recorded (GeoJSON of a polygon, or a circle's description).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(at.seconds, forKey: .at)
        try c.encode(recipients, forKey: .recipients)
        try c.encode(added, forKey: .added)
        try c.encode(registryGeneration, forKey: .registryGeneration)
        try c.encode(geometry, forKey: .geometry)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            version: try c.decode(Int.self, forKey: .version), geometry: try c.decodeIfPresent(String.self, forKey: .geometry),
            registryGeneration: try c.decodeIfPresent(Int64.self, forKey: .registryGeneration),
            recipients: try c.decode(Int.self, forKey: .recipients), added: try c.decode(Int.self, forKey: .added),
            at: Duration.decoded(try c.decode(Double.self, forKey: .at)))
    }
}

extension AuditRow: Codable {
    private enum CodingKeys: String, CodingKey {
        case event
        case at = "at_seconds"
        case participant
        case areaVersion = "area_version"
        case distanceMeters = "distance_m"
        case channel, attempt, result, reason, detail, sentence
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(event, forKey: .event)
        try c.encode(at.seconds, forKey: .at)
        try c.encode(participant, forKey: .participant)
        try c.encode(areaVersion, forKey: .areaVersion)
        try c.encode(distanceMeters, forKey: .distanceMeters)
        try c.encode(channel, forKey: .channel)
        try c.encode(attempt, forKey: .attempt)
        try c.encode(result.map { JSONKey.snakeCased($0.rawValue) }, forKey: .result)
        try c.encode(reason, forKey: .reason)
        try c.encode(detail, forKey: .detail)
        try c.encode(sentence, forKey: .sentence)
    }

    /// Decodes a row: its action and person are 0 (see the note at the top of this file).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var result: DeliveryResult?
        if let name = try c.decodeIfPresent(String.self, forKey: .result) {
            guard let r = DeliveryResult.allCases.first(where: { JSONKey.snakeCased($0.rawValue) == name }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .result, in: c, debugDescription: "'\(name)' is not a delivery result")
            }
            result = r
        }
        self.init(
            action: ActionID(rawValue: 0), person: 0, participant: try c.decode(Int64.self, forKey: .participant),
            event: try c.decode(AuditEvent.self, forKey: .event), areaVersion: try c.decodeIfPresent(Int.self, forKey: .areaVersion),
            distanceMeters: try c.decodeIfPresent(Double.self, forKey: .distanceMeters),
            channel: try c.decodeIfPresent(Channel.self, forKey: .channel), attempt: try c.decodeIfPresent(Int.self, forKey: .attempt),
            result: result, reason: try c.decodeIfPresent(SkipReason.self, forKey: .reason),
            detail: try c.decodeIfPresent(String.self, forKey: .detail),
            at: Duration.decoded(try c.decode(Double.self, forKey: .at)))
    }
}

extension ActionExplanation: Codable {
    private enum CodingKeys: String, CodingKey {
        case action, person
        case incidentType = "incident_type"
        case state, included, areas, events, alert
        case endMessage = "end_message"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(action.rawValue, forKey: .action)
        try c.encode(person, forKey: .person)
        try c.encode(incidentType, forKey: .incidentType)
        try c.encode(state, forKey: .state)
        try c.encode(included, forKey: .included)
        try c.encode(areas, forKey: .areas)
        try c.encode(events, forKey: .events)
        try c.encode(alert, forKey: .alert)
        try c.encode(endMessage, forKey: .endMessage)
    }

    /// Decodes an explanation; its audit rows and ledger entries get ``action``.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let action = ActionID(rawValue: try c.decode(Int64.self, forKey: .action))
        self.init(
            action: action, person: try c.decode(Int64.self, forKey: .person),
            incidentType: try c.decode(String.self, forKey: .incidentType),
            state: try c.decode(ActionState.self, forKey: .state), areas: try c.decode([AreaVersion].self, forKey: .areas),
            events: try c.decode([AuditRow].self, forKey: .events).map { row in
                var r = row
                r.action = action
                return r
            },
            alert: try c.decodeIfPresent(LedgerEntry.self, forKey: .alert)?.keyed(action: action),
            endMessage: try c.decodeIfPresent(LedgerEntry.self, forKey: .endMessage)?.keyed(action: action))
    }
}
