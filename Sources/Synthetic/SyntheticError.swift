/// The error type of the `Synthetic` module: bad place tables, bad arguments and I/O failures.
///
/// Carries a ``Code``, a message for a person and, for input errors, where the problem is:
/// the file, the 1-based line and the field (column name). ``description`` joins them as
/// `places.csv:12: field 'lon': not a number: "abc"`.
public struct SyntheticError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case invalidPlaceTable, missingResource, invalidArgument, io
        }
        let kind: Kind

        /// The place table is malformed: a missing column, a bad number, a short row, ...
        public static let invalidPlaceTable = Code(kind: .invalidPlaceTable)
        /// The bundled place table could not be found.
        public static let missingResource = Code(kind: .missingResource)
        /// An argument is out of its range (a negative count, an empty place list, ...).
        public static let invalidArgument = Code(kind: .invalidArgument)
        /// Reading or writing a file failed; ``SyntheticError/message`` has the system's reason.
        public static let io = Code(kind: .io)

        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The file the problem is in, if any.
    public var file: String?
    /// The 1-based line of the problem, if any.
    public var line: Int?
    /// The field (column name) of the problem, if any.
    public var field: String?

    /// Creates an error.
    ///
    /// - Parameters:
    ///   - code: The failure kind.
    ///   - message: What went wrong, for a person.
    ///   - file: The file the problem is in.
    ///   - line: The 1-based line of the problem.
    ///   - field: The field (column name) of the problem.
    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        var prefix = ""
        if let file { prefix += file + ":" }
        if let line { prefix += (prefix.isEmpty ? "line " : "") + "\(line):" }
        if let field { prefix += (prefix.isEmpty ? "" : " ") + "field '\(field)':" }
        return prefix.isEmpty ? message : prefix + " " + message
    }
}
