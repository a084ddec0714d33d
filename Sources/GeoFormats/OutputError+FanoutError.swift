import FanoutCore
import Geo
import Foundation

extension OutputError: FanoutError {}

extension OutputError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [OutputError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `output.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .refused: "output.refused"
        case .writeFailed: "output.writeFailed"
        }
    }
}

extension OutputError {
    /// The failed system call's `errno` as a `POSIXError`, when there is one.
    public var cause: (any Error)? { errno.flatMap { POSIXErrorCode(rawValue: $0) }.map { POSIXError($0) } }
}
