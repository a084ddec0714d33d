import Foundation
import Geo

/// An OASIS CAP 1.2 alert message to write (see ``CAPWriter``).
///
/// Only the parts a fan-out action needs: the `<alert>` header, one `<info>` per language and
/// their `<area>`s. The enumerations carry CAP's exact spellings.
public struct CAPMessage: Sendable, Equatable {
    /// `<status>`.
    public enum Status: String, Sendable, CaseIterable {
        case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft"
    }
    /// `<msgType>` (Ack and Error are for acknowledgements, not written by an action).
    public enum MessageType: String, Sendable, CaseIterable {
        case alert = "Alert", update = "Update", cancel = "Cancel"
    }
    /// `<scope>`.
    public enum Scope: String, Sendable, CaseIterable {
        case `public` = "Public", restricted = "Restricted", `private` = "Private"
    }
    /// `<category>`.
    public enum Category: String, Sendable, CaseIterable {
        case geo = "Geo", met = "Met", safety = "Safety", security = "Security", rescue = "Rescue", fire = "Fire"
        case health = "Health", env = "Env", transport = "Transport", infra = "Infra", cbrne = "CBRNE"
        case other = "Other"
    }
    /// `<urgency>`.
    public enum Urgency: String, Sendable, CaseIterable {
        case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown"
    }
    /// `<severity>`.
    public enum Severity: String, Sendable, CaseIterable {
        case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown"
    }
    /// `<certainty>`.
    public enum Certainty: String, Sendable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely"
        case unknown = "Unknown"
    }

    /// An earlier message, as `<references>` names it: `sender,identifier,sent`.
    public struct Reference: Sendable, Equatable {
        public var sender: String
        public var identifier: String
        /// The earlier message's `<sent>` text, as it was written (with its offset).
        public var sent: String

        /// Creates a reference.
        public init(sender: String, identifier: String, sent: String) {
            self.sender = sender
            self.identifier = identifier
            self.sent = sent
        }

        /// Parses `sender,identifier,sent`; `nil` when it does not have three non-empty parts.
        public init?(parsing text: String) {
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && !$0.contains(where: \.isWhitespace) }) else {
                return nil
            }
            self.init(sender: parts[0], identifier: parts[1], sent: parts[2])
        }
    }

    /// An `<area>`: a description and WGS84 polygons (single closed rings; CAP has no holes)
    /// and/or circles.
    public struct Area: Sendable, Equatable {
        public var areaDesc: String
        /// Closed rings in lon/lat (written as CAP's `lat,lon` pairs).
        public var polygons: [[LonLat]]
        public var circles: [CAPCircle]

        /// Creates an area.
        public init(areaDesc: String, polygons: [[LonLat]] = [], circles: [CAPCircle] = []) {
            self.areaDesc = areaDesc
            self.polygons = polygons
            self.circles = circles
        }
    }

    /// A `<resource>`: a file that goes with an info block, by its link.
    public struct Resource: Sendable, Equatable {
        /// What the file is, for a person (`<resourceDesc>`).
        public var description: String
        /// Its MIME type, such as `image/jpeg`.
        public var mimeType: String
        /// Where it is (`<uri>`).
        public var uri: String

        /// Creates a resource.
        public init(description: String, mimeType: String, uri: String) {
            self.description = description
            self.mimeType = mimeType
            self.uri = uri
        }
    }

    /// An `<info>` block: the texts in one language.
    public struct Info: Sendable, Equatable {
        /// An RFC 3066 tag such as `nl-NL`.
        public var language: String
        public var category: Category
        public var event: String
        public var urgency: Urgency
        public var severity: Severity
        public var certainty: Certainty
        public var headline: String
        public var description: String
        public var instruction: String?
        /// `<web>`: a link to more about the event (absolute URI).
        public var web: String?
        /// `<contact>`: whom to contact, such as the number to call.
        public var contact: String?
        /// `<resource>`s: files that go with the message, such as a photo.
        public var resources: [Resource] = []
        public var areas: [Area]

        /// Creates an info block.
        public init(
            language: String, category: Category = .safety, event: String, urgency: Urgency = .immediate,
            severity: Severity = .moderate, certainty: Certainty = .observed, headline: String, description: String,
            instruction: String? = nil, areas: [Area]
        ) {
            self.language = language
            self.category = category
            self.event = event
            self.urgency = urgency
            self.severity = severity
            self.certainty = certainty
            self.headline = headline
            self.description = description
            self.instruction = instruction
            self.areas = areas
        }
    }

    public var identifier: String
    public var sender: String
    /// When the message was sent.
    public var sent: Date
    /// The UTC offset `<sent>` is written with, in seconds (a whole number of minutes).
    public var utcOffsetSeconds: Int
    public var status: Status
    public var msgType: MessageType
    public var scope: Scope
    /// Earlier messages this one updates or cancels (required for Update and Cancel).
    public var references: [Reference]
    public var infos: [Info]

    /// Creates a message.
    public init(
        identifier: String, sender: String, sent: Date, utcOffsetSeconds: Int = 0, status: Status = .actual,
        msgType: MessageType = .alert, scope: Scope = .public, references: [Reference] = [], infos: [Info]
    ) {
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.utcOffsetSeconds = utcOffsetSeconds
        self.status = status
        self.msgType = msgType
        self.scope = scope
        self.references = references
        self.infos = infos
    }

    /// `<sent>` as CAP writes it: `2026-11-29T23:40:00+01:00` (never `Z`, never `-00:00`).
    public var sentText: String { CAPWriter.dateTime(sent, utcOffsetSeconds: utcOffsetSeconds) }

    /// This message as a reference for a later Update or Cancel.
    public var reference: Reference { Reference(sender: sender, identifier: identifier, sent: sentText) }
}
