import Geo
import Participants
import Selection

/// One person to alert, in outside-in order within an action.
public struct Recipient: Sendable, Hashable {
    /// The participant (one address of a person).
    public var id: Int64
    /// Distance to the incident point in metres (for the ring report).
    public var distanceMeters: Double
    /// Preferred channels in order (the registry's `channels`); empty means the action's default.
    public var channels: [Channel]
    /// The person this address belongs to: one person is alerted once per action, however many of
    /// their addresses lie inside (at the first of them in the given order, the farthest).
    /// The registry's `person` column; the participant id by default.
    public var person: Int64
    /// Quiet hours (per channel, optionally per incident type); `nil` for none.
    public var quietHours: QuietHours?
    /// Language for the action's text; `nil` for the default text.
    public var language: Language?
    /// Incident types the person does not want alerts for, or all; `nil` for none.
    public var optOut: OptOut?
    /// Channels the registry holds no contact data for (voice and SMS: no phone number; e-mail: no
    /// address): left out of the person's plan, so neither the first attempt nor a fallback is
    /// made on them. Empty: every channel (app push needs no registry data here).
    public var noContact: [Channel]

    /// Creates a recipient (in this package: the library builds recipients through a
    /// ``RecipientSource``, so that a caller cannot leave out the registry by accident).
    package init(
        id: Int64, distanceMeters: Double, channels: [Channel] = [], person: Int64? = nil,
        quietHours: QuietHours? = nil, language: Language? = nil, optOut: OptOut? = nil, noContact: [Channel] = []
    ) {
        self.optOut = optOut
        self.noContact = noContact
        self.id = id
        self.distanceMeters = distanceMeters
        self.channels = channels
        self.person = person ?? id
        self.quietHours = quietHours
        self.language = language
    }

    /// A recipient for a participant's registry record: its person, channel preference, quiet
    /// hours, language and opt-out, taken as they are (typed, checked when the record was made).
    public init(record: ParticipantRecord, distanceMeters: Double, noContact: [Channel] = []) {
        self.init(
            id: record.id, distanceMeters: distanceMeters, channels: record.channels?.channels ?? [],
            person: record.personID, quietHours: record.quietHours, language: record.language,
            optOut: record.optOut, noContact: noContact)
    }

    /// A recipient from a selected participant (no channel preference).
    package init(_ participant: SelectedParticipant, channels: [Channel] = []) {
        self.init(id: participant.id, distanceMeters: participant.distanceMeters, channels: channels)
    }
}

/// One version of an action's area, for the audit: the start is version 1 and each enlargement
/// adds one.
///
/// Built by the library from the selection the action starts or grows on (`SelectionResult.areaRecord`
/// in `FanoutEngine`), so that every caller records the same audit.
public struct AreaRecord: Sendable, Hashable {
    /// The area as selected: a polygon as GeoJSON in its own CRS, or the circle as
    /// `circle around POINT (lon lat), radius r m` (`nil` when unknown or over 1 MB of text).
    public internal(set) var geometry: String?
    /// The registry generation (see `Registry.generation()`) the selection was made from.
    public internal(set) var registryGeneration: Int64?

    /// Creates an area record (in this package only: see the type's summary).
    package init(geometry: String?, registryGeneration: Int64? = nil) {
        self.geometry = geometry
        self.registryGeneration = registryGeneration
    }
}

/// Why a listed person is not alerted by an action (recorded in the audit).
public enum SkipReason: String, Sendable, Hashable, Codable, CaseIterable {
    /// Another address of the same person was included (the person is alerted once).
    case deduplicated
    /// Every channel the action could use is in the person's quiet hours now.
    case quietHours = "quiet-hours"
    /// None of the action's channels can reach the person.
    case noChannel = "no-channel"
    /// The person opted out of alerts for this incident type, or of all alerts (registry `opt_out`).
    case optedOut = "opted-out"
}

/// What the control room asks for when it starts an action.
///
/// The incident point is not part of the request: it comes from the selection the action starts
/// on (the selection request's `incident`, or the circle's centre or the polygon's centroid).
public struct ActionRequest: Sendable, Hashable {
    /// The incident point (RD New) of the started action, from its selection: `nil` until the
    /// dispatcher starts the action (it is recorded in the ledger then).
    public package(set) var incidentPoint: RDPoint?
    /// The kind of incident, such as `"missing-child"` or `"burglary"` (keys the confirmation thresholds).
    public var incidentType: String
    /// Urgency: sets the action's share of the channels.
    public var urgency: Urgency
    /// The alert text in the default language (used for persons whose language has no text in
    /// ``texts``).
    public var message: String
    /// The alert text per language (ISO 639: `nl`, `fr`, `de`, `en`, ...). A person gets the text
    /// in their registered language when there is one here, and ``message`` otherwise.
    public var texts: [String: String]
    /// A photo of the person or vehicle sought.
    public var photoURL: String?
    /// Channels this action may use, in order of preference; a recipient gets the first of their
    /// own preferences that is in this list, or else the first of this list.
    public var channels: [Channel]
    /// Confirms an action larger than its incident type's threshold (the safety interlock).
    public var confirmed: Bool

    /// Whether ``channels`` were left to the default (then channels without a provider are
    /// dropped when the action starts instead of refusing it).
    public internal(set) var channelsDefaulted: Bool

    /// Creates a request.
    ///
    /// Without `channels`, time-critical actions (urgency normal and up) use SMS, voice and app
    /// push, each person on the first of these they prefer (SMS for those without a preference),
    /// and other actions e-mail.
    public init(
        incidentType: String, urgency: Urgency, message: String, photoURL: String? = nil,
        channels: [Channel]? = nil, confirmed: Bool = false, texts: [String: String] = [:]
    ) {
        self.init(
            incidentPoint: nil, incidentType: incidentType, urgency: urgency, message: message, photoURL: photoURL,
            channels: channels, confirmed: confirmed, texts: texts)
    }

    /// Creates a request with its incident point already known (a request read back from the
    /// ledger, and tests in this package).
    package init(
        incidentPoint: RDPoint?, incidentType: String, urgency: Urgency, message: String, photoURL: String? = nil,
        channels: [Channel]? = nil, confirmed: Bool = false, texts: [String: String] = [:]
    ) {
        self.incidentPoint = incidentPoint
        self.incidentType = incidentType
        self.urgency = urgency
        self.message = message
        self.texts = texts
        self.photoURL = photoURL
        self.channels = channels ?? Self.defaultChannels(urgency)
        channelsDefaulted = channels == nil
        self.confirmed = confirmed
    }

    /// The default channels of an urgency: SMS, voice, app for time-critical actions, else e-mail.
    public static func defaultChannels(_ urgency: Urgency) -> [Channel] {
        urgency.isTimeCritical ? [.sms, .voice, .app] : [.email]
    }

    /// The text for a person of `language`: ``texts``[language] when present, else ``message``.
    public func text(for language: String?) -> String {
        guard let language, !texts.isEmpty else { return message }
        return texts[language] ?? message
    }

    /// The channels tried for `recipient`, in order: their preferences that the action allows (or,
    /// when none is, the action's channels), without channels they have no contact data for, and
    /// without channels in quiet hours at local `minute`.
    func plan(for recipient: Recipient, minute: Int?) -> ChannelPlan {
        var plan = ChannelPlan([])
        for c in recipient.channels where channels.contains(c) { plan.append(c) }
        if plan.isEmpty { for c in channels { plan.append(c) } }
        if !recipient.noContact.isEmpty {
            var reachable = ChannelPlan([])
            for c in plan.channels where !recipient.noContact.contains(c) { reachable.append(c) }
            plan = reachable
        }
        guard let quiet = recipient.quietHours, let minute else { return plan }
        var open = ChannelPlan([])
        for c in plan.channels where !quiet.isQuiet(channel: c, incidentType: incidentType, minute: minute) {
            open.append(c)
        }
        return open
    }

    /// The channel used for `recipient` (the first of their plan, ignoring quiet hours), or `nil`
    /// when the person is skipped (opted out of this incident type, or no channel with contact data).
    func channel(for recipient: Recipient) -> Channel? {
        if let optOut = recipient.optOut, optOut.covers(incidentType) { return nil }
        return plan(for: recipient, minute: nil)[0]
    }
}

/// An action's lifecycle state.
public enum ActionState: String, Sendable, Hashable, Codable {
    /// Alerts are going out.
    case running
    /// Stopped: queued alerts cancelled; it may still be ended.
    case stopped
    /// Ended: end messages go to everyone reached. Final.
    case ended
}

/// An action's progress.
public struct ActionStatus: Sendable, Hashable {
    /// The action.
    public var id: ActionID
    /// Its lifecycle state.
    public var state: ActionState
    /// Distinct persons included (alerted or queued), over all enlargements.
    public var included: Int
    /// Alert messages per state.
    public var alerts: [MessageState: Int]
    /// End messages per state.
    public var endMessages: [MessageState: Int]
    /// Provider outcomes of the alerts completed by this process (voice: answered, busy, no
    /// answer, failed).
    public var outcomes: [DeliveryResult: Int]
    /// Persons reached by the alert (delivered / answered).
    public var reached: Int
    /// Time the last alert completed (delivered or failed), if any.
    public var lastAlertCompletedAt: Duration?
    /// Time the last end message completed, if any.
    public var lastEndCompletedAt: Duration?
    /// Whether nothing of this action is queued or in flight.
    public var isIdle: Bool
    /// Alert attempts repeated on the same channel after busy, no answer or failure.
    public var retries: Int = 0
    /// Alerts moved to the person's next channel after the attempts on one were used up.
    public var fallbacks: Int = 0
    /// Hand-overs a provider rejected as overloaded (put back at the head of the queue; not attempts).
    public var throttled: Int = 0
    /// Persons listed but not alerted, by reason.
    public var skipped: [SkipReason: Int] = [:]
    /// Area versions (1 after the start, one more per enlargement).
    public var areaVersions: Int = 0
    /// Each channel's current hand-over rate (messages per second; voice: lines) after back-pressure.
    public var providerRates: [Channel: Double] = [:]
}
