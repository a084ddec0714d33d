import FanoutCore
import Geo
/// The error type of fanout's file writers: an output that may not be written, or a write that failed.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case refused, writeFailed
        }
        let kind: Kind
        /// The target may not be written; nothing was written.
        ///
        /// It is an input of the command, a database, a directory, or a device that cannot take the output.
        public static let refused = Code(kind: .refused)
        /// Writing failed (no such directory, a full disk, an I/O error, a device that refuses bytes);
        /// a replaced file is left as it was, a FIFO or device may have received part of the output.
        public static let writeFailed = Code(kind: .writeFailed)
        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, naming the path, for a person.
    public var message: String
    /// The `errno` of a failed system call, when there was one.
    public var errno: Int32?
    /// The path refused and, when the caller named no option for it, the field `output`.
    public var location: ErrorLocation?

    /// Creates an error.
    public init(_ code: Code, _ message: String, errno: Int32? = nil, location: ErrorLocation? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
        self.location = location
    }

    public var description: String { message }
}
