/// Where in an input an error is: the file (or another input's name), line, column and field,
/// each where it applies.
///
/// Lines and columns are 1-based, as editors count them. `field` is the name the input uses for
/// the value: a CSV column (`quiet_hours`), a GeoJSON member (`crs.properties.name`), a
/// configuration key. A location never holds the value itself (it may be personal data).
public struct ErrorLocation: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The file path or input name (`participants.csv`, `record 2`), if known.
    public var input: String?
    /// The 1-based line, if known.
    public var line: Int?
    /// The 1-based column, if known.
    public var column: Int?
    /// The field, column or key name, if known.
    public var field: String?

    /// Creates a location; give what applies.
    public init(input: String? = nil, line: Int? = nil, column: Int? = nil, field: String? = nil) {
        self.input = input
        self.line = line
        self.column = column
        self.field = field
    }

    /// The same location with `field` set.
    public func with(field: String?) -> ErrorLocation {
        var copy = self
        copy.field = field
        return copy
    }

    /// `input:line:column: field 'name'`, leaving out what is not known.
    public var description: String {
        var text = input ?? ""
        if let line { text += (text.isEmpty ? "line " : ":") + "\(line)" }
        if let column { text += (text.isEmpty ? "column " : ":") + "\(column)" }
        if let field { text += (text.isEmpty ? "" : ": ") + "field '\(field)'" }
        return text
    }

    private enum CodingKeys: String, CodingKey { case input, line, column, field }
}
