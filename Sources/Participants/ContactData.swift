import GRDB

/// A participant's phone number: 6 to 20 digits, optionally a leading `+`, spaces and hyphens
/// allowed between them. Stored as given.
///
/// - Important: Personal data. ``description``, `debugDescription` and `dump` show only that a
///   number is there; ``text`` is the number itself, for the provider that calls or texts it.
public struct PhoneNumber: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The number as registered.
    public let text: String

    /// Checks a phone number.
    ///
    /// - Throws: ``RegistryError`` `.input` (the value is never quoted).
    public init(_ text: String) throws {
        var digits = 0
        for (i, c) in text.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if (c == "+" && i == 0) || c == " " || c == "-" {
                continue
            } else {
                digits = -1
                break
            }
        }
        guard (6...20).contains(digits) else {
            throw RegistryError(.input, "not a phone number (expected 6 to 20 digits, optionally a leading +)")
        }
        self.text = text
    }

    /// `phone number`: never the number.
    public var description: String { "phone number" }
    /// `PhoneNumber(…)`: never the number.
    public var debugDescription: String { "PhoneNumber(…)" }
    /// No children: `dump` does not show the number.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// A participant's e-mail address: `name@domain`, the domain with a dot inside it, no white
/// space. Stored as given.
///
/// - Important: Personal data, shown like ``PhoneNumber``: never in a description.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The address as registered.
    public let text: String

    /// Checks an e-mail address.
    ///
    /// - Throws: ``RegistryError`` `.input` (the value is never quoted).
    public init(_ text: String) throws {
        let u = Array(text.utf8)
        let at = u.firstIndex(of: UInt8(ascii: "@"))
        let domain = at.map { u[($0 + 1)...] } ?? []
        guard let at, at > 0, u.lastIndex(of: UInt8(ascii: "@")) == at, let first = domain.first,
            let last = domain.last, first != UInt8(ascii: "."), last != UInt8(ascii: "."),
            domain.contains(UInt8(ascii: ".")),
            !u.contains(where: { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D })
        else {
            throw RegistryError(.input, "not an e-mail address (expected name@domain)")
        }
        self.text = text
    }

    /// `e-mail address`: never the address.
    public var description: String { "e-mail address" }
    /// `EmailAddress(…)`: never the address.
    public var debugDescription: String { "EmailAddress(…)" }
    /// No children: `dump` does not show the address.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

extension PhoneNumber: DatabaseValueConvertible {
    /// The number as text.
    public var databaseValue: DatabaseValue { text.databaseValue }

    /// The number a stored text holds, or `nil` when it is not one.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> PhoneNumber? {
        String.fromDatabaseValue(dbValue).flatMap { try? PhoneNumber($0) }
    }
}

extension EmailAddress: DatabaseValueConvertible {
    /// The address as text.
    public var databaseValue: DatabaseValue { text.databaseValue }

    /// The address a stored text holds, or `nil` when it is not one.
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> EmailAddress? {
        String.fromDatabaseValue(dbValue).flatMap { try? EmailAddress($0) }
    }
}
