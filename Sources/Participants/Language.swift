import GRDB

/// A participant's language: an ISO 639 code of two or three letters (`nl`, `fr`, `de`, `fry`),
/// stored lower-case.
///
/// Only the shape is checked (ASCII letters, two or three of them); the action's texts are keyed
/// by ``code``.
public struct Language: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The code, lower-case.
    public let code: String

    /// Parses a code, case-insensitive (`NL` is `nl`).
    ///
    /// - Throws: ``RegistryError`` `.input` when the text is not two or three ASCII letters.
    public init(parsing text: some StringProtocol) throws {
        guard (2...3).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw RegistryError(.input, "\(QuotedValue.describe(text, limit: 10)) is not an ISO 639 code (e.g. nl)")
        }
        code = text.lowercased()
    }

    /// Dutch.
    public static let nl = Language(checked: "nl")
    /// French.
    public static let fr = Language(checked: "fr")
    /// German.
    public static let de = Language(checked: "de")

    private init(checked code: String) { self.code = code }

    /// The code.
    public var description: String { code }

    public static func < (a: Language, b: Language) -> Bool { a.code < b.code }
}

extension Language: DatabaseValueConvertible {
    /// The code as text.
    public var databaseValue: DatabaseValue { code.databaseValue }

    /// The language a stored text names, or `nil` when it is not a code.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> Language? {
        String.fromDatabaseValue(dbValue).flatMap { try? Language(parsing: $0) }
    }
}
