import Geo
// MARK: - libxml2's errors, said in words

extension CAPReader {
    /// The first error libxml2 reported while parsing, and where.
    struct XMLError: Sendable, Equatable {
        /// The 1-based line libxml2 was on.
        var line: Int
        /// The 1-based column libxml2 was at.
        var column: Int
        /// libxml2's error number (`xmlParserErrors`, which `XMLParser.ErrorCode` repeats).
        var code: Int

        /// What the error means.
        var reason: String { Self.reason(code: code) }

        /// libxml2's error number in words (its own wording for the common ones).
        static func reason(code: Int) -> String {
            let known: [Int: String] = [
                4: "the document is empty", 5: "extra content at the end of the document",
                9: "invalid character", 23: "an entity reference lacks its ';'", 26: "undeclared entity",
                34: "an attribute value is not closed", 38: "'<' in an attribute value",
                39: "an attribute value must start with \" or '", 40: "an attribute value is not closed",
                41: "an attribute has no value", 42: "an attribute appears twice in one element",
                45: "a comment is not closed", 63: "a CDATA section is not closed",
                65: "a space is required here", 68: "a name is required here ('&' must be written &amp;)",
                73: "'>' is required here", 74: "'</' is required here", 75: "'=' is required here",
                76: "the end tag does not match the open element",
                77: "the document ends inside a tag or element", 85: "the elements are not well balanced",
                86: "extra content at the end of the document",
            ]
            return known[code] ?? "libxml2 error \(code)"
        }
    }
}
