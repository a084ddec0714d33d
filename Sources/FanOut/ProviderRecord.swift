import Foundation
import Geo
import Participants
import Synchronization

/// A **test double** at the provider edge for the kill -9 test: it stands for the provider's own
/// record of every hand-over it received.
///
/// Each ``send(_:at:)`` appends one line `action/person/kind/attempt<TAB>channel<TAB>result` (the
/// provider idempotency key, ``OutboundMessage/idempotencyKey``) to a file
/// with a single `write(2)` on an `O_APPEND` descriptor before it returns, so a line is in the
/// file (in the kernel's page cache) before the dispatcher can record the hand-over, and it
/// survives a SIGKILL of the dispatcher process. The outcome comes from an inner provider (a
/// simulation that gives a repeated key the same outcome). Every hand-over is appended, repeats
/// included: the file is the evidence the test counts losses and duplicates in.
///
/// A line holds only ids, never a phone number or address.
public final class ProviderRecordProvider: MessageProvider {
    private let file: AppendFile
    private let inner: any MessageProvider
    private let failures = Mutex(0)

    /// Opens (or creates, mode 0600) the record file at `path` for appending.
    ///
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the file and the system's reason.
    public init(path: String, answeringWith inner: any MessageProvider) throws {
        file = try AppendFile(path: path)
        self.inner = inner
    }

    /// Asks the inner provider, then appends the record line; a line that cannot be written makes
    /// the message fail (the provider never had it) and is counted in ``writeFailures``.
    public func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        let outcome = inner.send(message, at: time)
        let line = "\(message.idempotencyKey)\t\(message.channel.rawValue)\t\(outcome.result.rawValue)\n"
        if file.append(line) { return outcome }
        failures.withLock { $0 += 1 }
        return ProviderOutcome(.failed)
    }

    /// Hand-overs whose line could not be written.
    public var writeFailures: Int { failures.withLock { $0 } }
}

/// Owns one `O_WRONLY | O_APPEND` file descriptor; closes it exactly once.
private final class AppendFile: Sendable {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)  // returns -1 and sets errno on failure
        guard fd >= 0 else {
            throw DispatchError(
                .invalidRequest, "\(path): cannot open the provider record: \(String(cString: strerror(errno)))")
        }
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `line` with one `write(2)`; true when all its bytes were written.
    func append(_ line: String) -> Bool {
        var bytes = Array(line.utf8)
        let count = bytes.count
        let written = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, count) }  // returns bytes written or -1
        return written == count
    }
}

/// The provider record read back: one entry per hand-over, in the order they were appended.
public struct ProviderRecord: Sendable {
    /// One hand-over.
    public struct Entry: Sendable, Hashable {
        /// The message (action, person, kind).
        public var key: MessageKey
        /// The attempt (1 for the first; a retry is a new attempt with a new provider key).
        public var attempt: Int
        /// The channel.
        public var channel: Channel
        /// What the provider answered.
        public var result: DeliveryResult
    }

    /// Every complete line.
    public var entries: [Entry]
    /// Whether the file ended in a partial line (a write cut short), which is not counted.
    public var tornTail: Bool

    /// Reads a record file.
    ///
    /// - Throws: ``DispatchError`` `.invalidRequest` naming the file and line of a malformed entry.
    public static func read(path: String) throws -> ProviderRecord {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw DispatchError(.invalidRequest, "\(path): cannot read the provider record", cause: error)
        }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        let torn = !(lines.last?.isEmpty ?? true)
        lines.removeLast()  // after the final newline: empty, or a torn line
        var entries: [Entry] = []
        entries.reserveCapacity(lines.count)
        for (i, line) in lines.enumerated() {
            let text = String(decoding: line, as: UTF8.self)
            guard let entry = parse(text) else {
                throw DispatchError(
                    .invalidRequest, "\(path):\(i + 1): expected 'action/person/kind/attempt<TAB>channel<TAB>result'")
            }
            entries.append(entry)
        }
        return ProviderRecord(entries: entries, tornTail: torn)
    }

    private static func parse(_ line: String) -> Entry? {
        let f = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard f.count == 3, let channel = Channel(rawValue: String(f[1])),
            let result = DeliveryResult(rawValue: String(f[2]))
        else { return nil }
        let k = f[0].split(separator: "/", omittingEmptySubsequences: false)
        guard k.count == 4, let action = Int64(k[0]), let person = Int64(k[1]),
            let kind = MessageKind(rawValue: String(k[2])), let attempt = Int(k[3]), attempt >= 1
        else { return nil }
        return Entry(
            key: MessageKey(action: ActionID(rawValue: action), person: person, kind: kind), attempt: attempt,
            channel: channel, result: result)
    }
}
