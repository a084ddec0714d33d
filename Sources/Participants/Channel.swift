import GRDB

/// A way of reaching a participant.
///
/// Defined here, beside the participant record whose channel preference lists them, and used as
/// is by the dispatcher (FanOut re-exports it).
public enum Channel: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case voice, sms, email, app

    /// Channels are ordered as declared (voice first), for stable reports.
    public static func < (a: Channel, b: Channel) -> Bool {
        allCases.firstIndex(of: a) ?? 0 < allCases.firstIndex(of: b) ?? 0
    }

    /// The names accepted in text, for messages: `voice, sms, email, app`.
    static let names = allCases.map(\.rawValue).joined(separator: ", ")

    /// Parses a channel name (case-insensitive, surrounding spaces and tabs ignored).
    ///
    /// - Throws: ``RegistryError`` `.input` with the sentence used for every channel field.
    init(parsing text: Substring) throws {
        let name = text.trimmedSpaces.lowercased()
        guard let channel = Channel(rawValue: name) else {
            throw RegistryError(.input, "\(QuotedValue.describe(name, limit: 20)) is not a channel (\(Self.names))")
        }
        self = channel
    }
}

/// A participant's channels in order of preference: the first is tried first, the others are the
/// fallbacks. Never empty, never a channel twice.
///
/// The stored text (column and CSV field `channels`) is the names separated by commas, such as
/// `voice,sms`; parsing is case-insensitive, ignores spaces around names and drops a repeated
/// channel (`voice,sms,voice` is `voice,sms`).
public struct ChannelPreference: Sendable, Hashable, CustomStringConvertible {
    /// The channels, most preferred first.
    public let channels: [Channel]

    /// A preference of these channels, in this order.
    ///
    /// - Throws: ``RegistryError`` `.input` when `channels` is empty.
    public init(_ channels: [Channel]) throws {
        guard !channels.isEmpty else {
            throw RegistryError(.input, "an empty list is not a channel preference (voice, sms, email, app)")
        }
        var seen: [Channel] = []
        for c in channels where !seen.contains(c) { seen.append(c) }
        self.channels = seen
    }

    /// Parses the stored text, such as `"SMS, voice"`.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the first word that is not a channel (a value
    ///   that looks like a phone number or an e-mail address is described, not quoted).
    public init(parsing text: String) throws {
        try self.init(try text.split(separator: ",", omittingEmptySubsequences: false).map(Channel.init(parsing:)))
    }

    /// The canonical text: `voice,sms`.
    public var description: String { channels.map(\.rawValue).joined(separator: ",") }
}

extension ChannelPreference: DatabaseValueConvertible {
    /// The canonical text.
    public var databaseValue: DatabaseValue { description.databaseValue }

    /// The preference a stored text holds, or `nil` when it does not parse.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> ChannelPreference? {
        String.fromDatabaseValue(dbValue).flatMap { try? ChannelPreference(parsing: $0) }
    }
}
