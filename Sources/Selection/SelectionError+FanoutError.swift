import FanoutCore

extension SelectionError: FanoutError {}

extension SelectionError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [SelectionError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `selection.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .invalidArea: "selection.invalidArea"
        case .invalidRadius: "selection.invalidRadius"
        case .invalidPoint: "selection.invalidPoint"
        case .noRegistry: "selection.noRegistry"
        case .closed: "selection.closed"
        }
    }
}
