import FanoutCore
import Geo
import Participants

extension DispatchError: FanoutError {}

extension DispatchError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [DispatchError.Code] { Value.allCases.map { Self(value: $0) } }

    /// The stable machine name, `dispatch.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch value {
        case .invalidTransition: "dispatch.invalidTransition"
        case .unknownAction: "dispatch.unknownAction"
        case .invalidRequest: "dispatch.invalidRequest"
        case .invalidConfig: "dispatch.invalidConfig"
        case .confirmationRequired: "dispatch.confirmationRequired"
        case .ledger: "dispatch.ledger"
        case .ledgerBusy: "dispatch.ledgerBusy"
        }
    }
}
