/// A kind of incident, such as `missing-child` or `burglary`: lower-case letters, digits and
/// hyphens, at most 40 characters.
///
/// Used by a participant's opt-out (``OptOut``) and by the `except` list of their quiet hours
/// (``QuietHours``), so both refuse the same words with the same sentence.
public struct IncidentType: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The name, lower-case.
    public let name: String

    /// Parses a name, case-insensitive, surrounding spaces and tabs ignored.
    ///
    /// - Throws: ``RegistryError`` `.input` when the name is empty, longer than 40 characters or
    ///   has anything but letters, digits and hyphens.
    public init(parsing text: some StringProtocol) throws {
        let word = Substring(text).trimmedSpaces.lowercased()
        guard !word.isEmpty else {
            throw RegistryError(.input, "empty incident type (expected TYPE[,TYPE], e.g. burglary,bike-theft)")
        }
        guard word.count <= 40, word.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw RegistryError(
                .input,
                "\(QuotedValue.describe(word)) is not an incident type (letters, digits and hyphens, e.g. burglary)")
        }
        name = word
    }

    /// The name.
    public var description: String { name }

    public static func < (a: IncidentType, b: IncidentType) -> Bool { a.name < b.name }
}
