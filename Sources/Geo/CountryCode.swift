/// An ISO 3166-1 alpha-2 country code (for example `NL`, `BE`, `DE`), packed in two bytes.
///
/// Only the shape (two ASCII letters) is checked here; stored upper-case.
public struct CountryCode: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The two ASCII letters packed as `first << 8 | second`.
    public let packed: UInt16

    /// Parses two ASCII letters, case-insensitive.
    ///
    /// - Returns: `nil` unless the text is exactly two ASCII letters.
    public init?(_ text: some StringProtocol) {
        let u = Array(text.utf8)
        guard u.count == 2 else { return nil }
        func up(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return c
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return c - 32
            default: return nil
            }
        }
        guard let a = up(u[0]), let b = up(u[1]) else { return nil }
        packed = UInt16(a) << 8 | UInt16(b)
    }

    /// Rebuilds a code from its packed form.
    public init(packed: UInt16) { self.packed = packed }

    /// The Netherlands.
    public static let nl = CountryCode(packed: 0x4E4C)
    /// Belgium.
    public static let be = CountryCode(packed: 0x4245)
    /// Germany.
    public static let de = CountryCode(packed: 0x4445)

    /// The two letters.
    public var description: String {
        String(decoding: [UInt8(packed >> 8), UInt8(packed & 0xFF)], as: UTF8.self)
    }

    public static func < (a: CountryCode, b: CountryCode) -> Bool { a.packed < b.packed }
}
