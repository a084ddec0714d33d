/// Masking of personal data in texts that go to logs (answers and reasons a provider sends back).
package enum PersonalData {
    /// `text` with every run of 6 or more digits (a phone number, with or without `+`) replaced by
    /// `<number>`, cut to `limit` characters and put on one line.
    package static func masked(_ text: String, limit: Int = 200) -> String {
        var out = ""
        var digits = ""
        func flush() {
            out += digits.count >= 6 ? "<number>" : digits
            digits = ""
        }
        for ch in text {
            if ch.isASCII, ch.isNumber {
                digits.append(ch)
                continue
            }
            flush()
            out.append(ch.isNewline ? " " : ch)
        }
        flush()
        return out.count > limit ? String(out.prefix(limit)) + "…" : out
    }

    /// A phone number shown as its country prefix and last two digits: `+31•••••••78`.
    package static func maskedPhone(_ phone: String) -> String {
        let chars = Array(phone)
        guard chars.count > 5 else { return String(repeating: "•", count: chars.count) }
        let head = chars.first == "+" ? 3 : 0
        return String(chars[..<head]) + String(repeating: "•", count: chars.count - head - 2) + String(chars.suffix(2))
    }
}
