import FanoutCore

extension SyntheticError: FanoutError {}

extension SyntheticError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [SyntheticError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `synthetic.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .invalidPlaceTable: "synthetic.invalidPlaceTable"
        case .missingResource: "synthetic.missingResource"
        case .invalidArgument: "synthetic.invalidArgument"
        case .io: "synthetic.io"
        }
    }
}

extension SyntheticError {
    /// The file, line and field of an input error, when there are any.
    public var location: ErrorLocation? {
        guard file != nil || line != nil || field != nil else { return nil }
        return ErrorLocation(input: file, line: line, field: field)
    }
}
