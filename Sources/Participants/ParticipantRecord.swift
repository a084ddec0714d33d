import Geo

/// One participant: the single shape the registry reads, writes and hands out.
///
/// Every field is typed and checked when the record is made, by ``init(id:position:country:phone:email:channels:quietHours:language:person:optOut:)``
/// for typed values or ``init(id:position:fields:)`` for text; the CSV import parses its rows
/// through the same column conversions (``ParticipantColumn``), so a value is refused with the
/// same sentence however it arrives. A record in hand is valid: ``Registry/upsert(_:)`` only
/// places its position.
///
/// The record holds what the person registered; the registry adds the derived WGS84 and RD New
/// positions when it stores it (``Registry/Participant``).
public struct ParticipantRecord: Sendable, Hashable {
    /// The participant id (positive): one address of a person.
    public internal(set) var id: Int64
    /// The position as given, with its CRS.
    public internal(set) var position: SourcePoint
    /// ISO 3166-1 alpha-2 country, officially assigned; `nil` when unknown (the registry derives
    /// it from the position when it stores the record).
    public internal(set) var country: CountryCode?
    /// Phone number (personal data).
    public internal(set) var phone: PhoneNumber?
    /// E-mail address (personal data).
    public internal(set) var email: EmailAddress?
    /// Preferred channels in order; `nil` means the action's default.
    public internal(set) var channels: ChannelPreference?
    /// When channels may not be used; `nil` for never.
    public internal(set) var quietHours: QuietHours?
    /// Language for the action's texts; `nil` for the default text.
    public internal(set) var language: Language?
    /// The person this address belongs to (positive); `nil` means the id itself.
    public internal(set) var person: Int64?
    /// Incident types the person does not want alerts for, or all; `nil` for none.
    public internal(set) var optOut: OptOut?

    /// The person alerted for this address: ``person``, or the id itself.
    public var personID: Int64 { person ?? id }

    /// Creates a record from typed values, checking what their types cannot: a positive id and
    /// person, finite coordinates, an officially assigned country code.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the field (`field 'country': 'XX' is not an ISO
    ///   3166-1 alpha-2 code (e.g. NL, BE, DE)`), with ``RegistryError/field`` set.
    public init(
        id: Int64, position: SourcePoint, country: CountryCode? = nil, phone: PhoneNumber? = nil,
        email: EmailAddress? = nil, channels: ChannelPreference? = nil, quietHours: QuietHours? = nil,
        language: Language? = nil, person: Int64? = nil, optOut: OptOut? = nil
    ) throws {
        self.init(unchecked: id, position: position)
        (self.country, self.phone, self.email, self.channels) = (country, phone, email, channels)
        (self.quietHours, self.language, self.person, self.optOut) = (quietHours, language, person, optOut)
        try ParticipantColumn.check(self)
    }

    /// Creates a record from text fields keyed by their CSV column names (`country`, `phone`,
    /// `email`, `channels`, `quiet_hours`, `language`, `person`, `opt_out`): the parsing the CSV
    /// import does, for a caller whose data arrives as text (a form, a message). Empty or blank
    /// values are absent.
    ///
    /// - Throws: ``RegistryError`` `.input` naming the field, for the first field in table order
    ///   that is refused or not a participant field; the sentence is the CSV import's.
    public init(id: Int64, position: SourcePoint, fields: [String: String]) throws {
        self.init(unchecked: id, position: position)
        for name in fields.keys.sorted() where ParticipantColumn(csvName: name)?.isAttribute != true {
            throw RegistryError(
                .input,
                "field \(QuotedValue.describe(name, limit: 20)): not a participant field (\(ParticipantColumn.attributes.map(\.sqlName).joined(separator: ", ")))",
                field: name)
        }
        for column in ParticipantColumn.attributes {
            guard let text = fields[column.sqlName]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else {
                continue
            }
            try column.assign(text, to: &self)
        }
        try ParticipantColumn.check(self)
    }

    /// A record with nothing checked yet: the start of the parsers, which check every field they set.
    init(unchecked id: Int64, position: SourcePoint) {
        self.id = id
        self.position = position
    }
}
