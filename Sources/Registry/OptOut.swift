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
    public var all: Bool
    /// The incident types opted out of, sorted, without repeats (empty when ``all``).
    public var incidentTypes: [String]

    /// Opted out of every incident type.
    public static let everything = OptOut(all: true, incidentTypes: [])

    private init(all: Bool, incidentTypes: [String]) {
        self.all = all
        self.incidentTypes = incidentTypes
    }

    /// Opted out of the given incident types.
    ///
    /// - Throws: ``RegistryError`` `.input` when the list is empty or a type is not
    ///   letters, digits and hyphens.
    public init(incidentTypes: [String]) throws {
        try self.init(parsing: incidentTypes.joined(separator: ","))
    }

    /// Parses the stored text.
    ///
    /// - Throws: ``RegistryError`` `.input` saying which word is wrong and why (without a file or
    ///   line: callers add where the text came from).
    public init(parsing text: String) throws {
        let words = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        if words == ["all"] {
            self.init(all: true, incidentTypes: [])
            return
        }
        var types: Set<String> = []
        for word in words {
            guard !word.isEmpty else {
                throw RegistryError(.input, "empty incident type (expected 'all' or TYPE[,TYPE], e.g. burglary,bike-theft)")
            }
            guard word != "all" else {
                throw RegistryError(.input, "'all' cannot be combined with incident types")
            }
            guard word.count <= 40, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw RegistryError(
                    .input,
                    "\(QuotedValue.describe(word)) is not an incident type (letters, digits and hyphens, e.g. burglary)")
            }
            types.insert(word)
        }
        self.init(all: false, incidentTypes: types.sorted())
    }

    /// Whether an action of `incidentType` must skip the person.
    public func covers(_ incidentType: String) -> Bool {
        all || incidentTypes.contains(incidentType.lowercased())
    }

    /// The canonical text (parses back to the same value).
    public var description: String { all ? "all" : incidentTypes.joined(separator: ",") }
}
