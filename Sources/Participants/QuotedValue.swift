/// How a registry error shows a value from the input: quoted, unless it may be personal data.
///
/// With shifted columns a phone number or an e-mail address lands in any field (`country`,
/// `lon`, `id`…), so every quoted value in an import or upsert error goes through
/// ``describe(_:limit:)``: a value that looks like a phone number or an e-mail address is
/// described by its kind and length, never shown.
enum QuotedValue {
    /// `'abc'` (cut to `limit` characters, control characters as `?`), or for a value that looks
    /// like a phone number or an e-mail address, `a phone number-like value (12 characters)` or
    /// `an e-mail address-like value (17 characters)`.
    static func describe(_ value: some StringProtocol, limit: Int = 40) -> String {
        let count = value.count
        if looksLikeEmailAddress(value) { return "an e-mail address-like value (\(count) characters)" }
        if looksLikePhoneNumber(value) { return "a phone number-like value (\(count) characters)" }
        let safe = String(
            value.prefix(limit).unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return "'\(safe)'"
    }

    /// Whether `value` could be a phone number: digits with spaces, hyphens, slashes or
    /// parentheses between them, at least 9 digits, or at least 6 after a leading `+` or `0`.
    ///
    /// Deliberately wide (a large id without a sign counts too): it decides only whether a value
    /// is quoted in a message, and saying less is always safe.
    static func looksLikePhoneNumber(_ value: some StringProtocol) -> Bool {
        let text = value.trimmingPrefix(while: { $0 == " " || $0 == "\t" })
        var digits = 0
        for (i, c) in text.enumerated() {
            if c.isASCII && c.isNumber {
                digits += 1
            } else if c == "+" && i == 0 {
                continue
            } else if !" -/()\t".contains(c) {
                return false
            }
        }
        let prefixed = text.first == "+" || text.first == "0" || text.first == "("
        return digits >= 9 || (prefixed && digits >= 6)
    }

    /// Whether `value` could be an e-mail address: an `@` with something on both sides.
    static func looksLikeEmailAddress(_ value: some StringProtocol) -> Bool {
        guard let at = value.firstIndex(of: "@") else { return false }
        return at != value.startIndex && value.index(after: at) != value.endIndex
    }

    /// Why `text` is not an id: `nil` when it is a plain positive integer (ASCII digits, no sign,
    /// no leading zero, at most `Int64.max`), else the sentence for the message.
    ///
    /// `+31612345678` and `0612345678` parse as integers, but they are phone numbers in the wrong
    /// column: refused, and described rather than quoted.
    static func idProblem(_ text: Substring) -> String? {
        let plain = !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && text.first != "0"
        if plain, Int64(text) != nil { return nil }
        var problem = "\(describe(text)) is not a positive integer (digits only, without a sign or leading zeros)"
        if looksLikePhoneNumber(text) {
            problem += "; it looks like a phone number: are the columns in the header's order?"
        }
        if looksLikeEmailAddress(text) { problem += "; are the columns in the header's order?" }
        return problem
    }
}
