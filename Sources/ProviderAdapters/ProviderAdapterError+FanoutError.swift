import FanoutCore
import Foundation

extension ProviderAdapterError: FanoutError {}

extension ProviderAdapterError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [ProviderAdapterError.Code] { Value.allCases.map { Self(value: $0) } }

    /// The stable machine name, `provider.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch value {
        case .invalidConfiguration: "provider.invalidConfiguration"
        case .socket: "provider.socket"
        case .unreachable: "provider.unreachable"
        case .noAnswer: "provider.noAnswer"
        case .badAnswer: "provider.badAnswer"
        }
    }
}

extension ProviderAdapterError {
    /// The failed system call's `errno` as a `POSIXError`, when there is one.
    public var cause: (any Error)? { errno.flatMap { POSIXErrorCode(rawValue: $0) }.map { POSIXError($0) } }
}
