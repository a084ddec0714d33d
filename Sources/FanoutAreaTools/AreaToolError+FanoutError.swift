import FanoutCore

extension AreaToolError: FanoutError {}

extension AreaToolError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [AreaToolError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `areaTool.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .travelTable: "areaTool.travelTable"
        case .unknownIncidentType: "areaTool.unknownIncidentType"
        case .unknownMode: "areaTool.unknownMode"
        case .badArgument: "areaTool.badArgument"
        case .output: "areaTool.output"
        case .unwritable: "areaTool.unwritable"
        }
    }
}
