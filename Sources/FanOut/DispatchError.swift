import Geo
import Participants
/// The dispatcher's error: a code, a message a person understands, and an optional cause.
public struct DispatchError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Value: String, Sendable, CaseIterable {
            case invalidTransition, unknownAction, invalidRequest, invalidConfig, confirmationRequired, ledger, ledgerBusy
        }
        let value: Value
        /// An action's state does not allow the operation (such as enlarging after the end).
        public static let invalidTransition = Code(value: .invalidTransition)
        /// No action with that id.
        public static let unknownAction = Code(value: .unknownAction)
        /// The request itself is bad (empty message, no channel, ...).
        public static let invalidRequest = Code(value: .invalidRequest)
        /// The provider configuration file is bad.
        public static let invalidConfig = Code(value: .invalidConfig)
        /// The recipient count exceeds the incident type's threshold and no confirmation was given.
        public static let confirmationRequired = Code(value: .confirmationRequired)
        /// The SQLite ledger failed.
        public static let ledger = Code(value: .ledger)
        /// Another process runs the ledger's dispatcher and did not take the command (or this one
        /// cannot take a command it must run itself, such as a second `run`).
        public static let ledgerBusy = Code(value: .ledgerBusy)
        /// The code's name.
        public var description: String { value.rawValue }
        /// The code of a name as ``description`` gives it (read back from the ledger's inbox).
        public init?(named name: String) {
            guard let value = Value(rawValue: name) else { return nil }
            self.value = value
        }
        init(value: Value) { self.value = value }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The underlying error, if any (its text is part of ``description``).
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message, followed by the cause when there is one.
    public var description: String {
        cause.map { "\(message): \($0)" } ?? message
    }
}
