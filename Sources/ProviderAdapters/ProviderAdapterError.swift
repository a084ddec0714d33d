#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The provider adapters' error: a code, a message a person understands, and the C `errno` when
/// a system call failed.
///
/// Messages never contain a phone number or a message text.
public struct ProviderAdapterError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Value: String, Sendable, CaseIterable {
            case invalidConfiguration, socket, unreachable, noAnswer, badAnswer
        }
        let value: Value
        /// The adapter's configuration is bad (a URL that is not `http://host:port/path`, a zero timeout...).
        public static let invalidConfiguration = Code(value: .invalidConfiguration)
        /// A socket call failed (`errno` in ``ProviderAdapterError/errno``).
        public static let socket = Code(value: .socket)
        /// The provider could not be reached: nothing was handed over.
        public static let unreachable = Code(value: .unreachable)
        /// The request was sent but no complete answer came: whether it was taken over is unknown.
        public static let noAnswer = Code(value: .noAnswer)
        /// The answer was not HTTP.
        public static let badAnswer = Code(value: .badAnswer)
        /// The code's name.
        public var description: String { value.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The C `errno` of the failed system call, if any.
    public var errno: Int32?

    /// Creates an error.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    /// The message, with the `errno` text when there is one.
    public var description: String {
        guard let errno else { return message }
        return "\(message): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}
