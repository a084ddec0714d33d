// `Channel` is defined in Participants, beside the participant record that lists the channels a
// person prefers; FanoutEngine names it for a service.
import Geo
import Participants

/// How urgent an action is: sets its share of the channels when actions run at the same time.
///
/// Higher urgency gets a larger weight in the weighted round robin (``weight``) but never all of
/// the capacity, so a burglary still progresses while an abduction runs.
public enum Urgency: Int, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case low = 0, normal = 1, high = 2, critical = 3

    /// The round-robin weight: 1, 2, 4, 8.
    public var weight: Int { 1 << rawValue }

    /// Whether the action is time-critical (voice, SMS, app) rather than a mail.
    public var isTimeCritical: Bool { self >= .normal }

    public static func < (a: Urgency, b: Urgency) -> Bool { a.rawValue < b.rawValue }
}

/// Which message of an action a ledger entry is.
public enum MessageKind: String, Sendable, Hashable, Codable {
    /// The alert itself ("look out for ...").
    case alert
    /// The end message with the result ("suspect arrested").
    case end
}

/// A message's state in the ledger.
///
/// `queued → sent → delivered | failed`, or `queued → cancelled` (stop). For voice, `sent` means
/// the call was placed and `delivered` that it was answered.
public enum MessageState: String, Sendable, Hashable, Codable, CaseIterable {
    case queued, sent, delivered, failed, cancelled
}

/// The idempotency key of a message: at most one message of a kind per person per action.
public struct MessageKey: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The action.
    public var action: ActionID
    /// The person (participant id).
    public var person: Int64
    /// Alert or end message.
    public var kind: MessageKind

    /// Creates a key.
    public init(action: ActionID, person: Int64, kind: MessageKind) {
        self.action = action
        self.person = person
        self.kind = kind
    }

    /// `"<action>/<person>/<kind>"`, as passed to providers.
    public var description: String { "\(action.rawValue)/\(person)/\(kind.rawValue)" }
}

/// An action's identifier (stable across restarts: it is the ledger's primary key).
public struct ActionID: RawRepresentable, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// The number.
    public var rawValue: Int64
    /// Wraps a number.
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static func < (a: ActionID, b: ActionID) -> Bool { a.rawValue < b.rawValue }
    /// The number as text.
    public var description: String { String(rawValue) }
}
