import FanoutCore

extension RegistryError: FanoutError {}

extension RegistryError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [RegistryError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `registry.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .input: "registry.input"
        case .notADatabase: "registry.notADatabase"
        case .foreignSchema: "registry.foreignSchema"
        case .newerSchema: "registry.newerSchema"
        case .olderSchema: "registry.olderSchema"
        case .database: "registry.database"
        }
    }
}
