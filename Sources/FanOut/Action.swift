import Geo
import Selection

/// One person to alert, in outside-in order within an action.
public struct Recipient: Sendable, Hashable {
    /// The person (participant id; one id is one person).
    public var id: Int64
    /// Distance to the incident point in metres (for the ring report).
    public var distanceMeters: Double
    /// Preferred channels in order (the registry's `channels`); empty means the action's default.
    public var channels: [Channel]

    /// Creates a recipient.
    public init(id: Int64, distanceMeters: Double, channels: [Channel] = []) {
        self.id = id
        self.distanceMeters = distanceMeters
        self.channels = channels
    }

    /// A recipient from a selected participant (no channel preference).
    public init(_ participant: SelectedParticipant, channels: [Channel] = []) {
        self.init(id: participant.id, distanceMeters: participant.distanceMeters, channels: channels)
    }
}

/// What the control room asks for when it starts an action.
public struct ActionRequest: Sendable, Hashable {
    /// The incident point (RD New), for the record.
    public var incidentPoint: RDPoint
    /// The kind of incident, such as `"missing-child"` or `"burglary"` (keys the confirmation thresholds).
    public var incidentType: String
    /// Urgency: sets the action's share of the channels.
    public var urgency: Urgency
    /// The alert text.
    public var message: String
    /// A photo of the person or vehicle sought.
    public var photoURL: String?
    /// Channels this action may use, in order of preference; a recipient gets the first of their
    /// own preferences that is in this list, or else the first of this list.
    public var channels: [Channel]
    /// Confirms an action larger than its incident type's threshold (the safety interlock).
    public var confirmed: Bool

    /// Creates a request.
    ///
    /// Without `channels`, time-critical actions use SMS and others e-mail.
    public init(
        incidentPoint: RDPoint, incidentType: String, urgency: Urgency, message: String, photoURL: String? = nil,
        channels: [Channel]? = nil, confirmed: Bool = false
    ) {
        self.incidentPoint = incidentPoint
        self.incidentType = incidentType
        self.urgency = urgency
        self.message = message
        self.photoURL = photoURL
        self.channels = channels ?? (urgency.isTimeCritical ? [.sms] : [.email])
        self.confirmed = confirmed
    }

    /// The channel used for `recipient`.
    func channel(for recipient: Recipient) -> Channel {
        recipient.channels.first(where: channels.contains) ?? channels[0]
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
}
