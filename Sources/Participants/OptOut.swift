import GRDB

/// The incident types a participant does not want to be alerted for, or all of them (a pause).
///
/// The stored text (column `opt_out`, CSV field `opt_out`) is `all`, or incident types separated
/// by commas:
///
/// - `all`: no alerts at all for now (on holiday, moved away, a break from the network).
/// - `burglary,bike-theft`: no alerts for these two incident types; all others as usual.
///
/// An incident type is lower-case letters, digits and hyphens (`missing-child`, `burglary`), as in
/// the dispatcher's configuration and the quiet hours' `except` list. The dispatcher skips an
/// opted-out person with the audit reason `opted-out`, before the channels and quiet hours are
/// looked at.
public struct OptOut: Sendable, Hashable, CustomStringConvertible {
    /// Whether the person opted out of every incident type.
    public let all: Bool
    /// The incident types opted out of, sorted, without repeats (empty when ``all``).
    public let incidentTypes: [IncidentType]

    /// Opted out of every incident type.
    public static let everything = OptOut(all: true, incidentTypes: [])

    private init(all: Bool, incidentTypes: [IncidentType]) {
        self.all = all
        self.incidentTypes = incidentTypes
    }

    /// Opted out of the given incident types.
    ///
    /// - Throws: ``RegistryError`` `.input` when the list is empty.
    public init(_ incidentTypes: [IncidentType]) throws {
        guard !incidentTypes.isEmpty else {
            throw RegistryError(.input, "empty incident type (expected 'all' or TYPE[,TYPE], e.g. burglary,bike-theft)")
        }
        self.init(all: false, incidentTypes: Set(incidentTypes).sorted())
    }

    /// Opted out of the incident types named.
    ///
    /// - Throws: ``RegistryError`` `.input` when the list is empty or a name is not an incident
    ///   type (``IncidentType``).
    public init(incidentTypes: [String]) throws {
        try self.init(parsing: incidentTypes.joined(separator: ","))
    }

    /// Parses the stored text.
    ///
    /// - Throws: ``RegistryError`` `.input` saying which word is wrong and why (without a file or
    ///   line: callers add where the text came from).
    public init(parsing text: String) throws {
        let words = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmedSpaces.lowercased()
        }
        if words == ["all"] {
            self.init(all: true, incidentTypes: [])
            return
        }
        var types: [IncidentType] = []
        for word in words {
            guard !word.isEmpty else {
                throw RegistryError(
                    .input, "empty incident type (expected 'all' or TYPE[,TYPE], e.g. burglary,bike-theft)")
            }
            guard word != "all" else {
                throw RegistryError(.input, "'all' cannot be combined with incident types")
            }
            types.append(try IncidentType(parsing: word))
        }
        try self.init(types)
    }

    /// Whether an action of `incidentType` must skip the person.
    public func covers(_ incidentType: String) -> Bool {
        all || incidentTypes.contains { $0.name == incidentType.lowercased() }
    }

    /// The canonical text (parses back to the same value).
    public var description: String { all ? "all" : incidentTypes.map(\.name).joined(separator: ",") }
}

extension OptOut: DatabaseValueConvertible {
    /// The canonical text.
    public var databaseValue: DatabaseValue { description.databaseValue }

    /// The opt-out a stored text holds, or `nil` when it does not parse.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> OptOut? {
        String.fromDatabaseValue(dbValue).flatMap { try? OptOut(parsing: $0) }
    }
}
