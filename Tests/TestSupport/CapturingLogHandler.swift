import Logging
import Synchronization

/// A **test double** log handler: keeps every record in memory, so tests can check what was
/// logged (and that no phone number or e-mail address reached the logs).
public final class CapturingLogHandler: LogHandler, Sendable {
    /// One record, its metadata values as text.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    private let store = Mutex<[Entry]>([])
    private let provider = Mutex<Logger.MetadataProvider?>(nil)

    /// Creates an empty handler.
    public init() {}

    /// Every record, in order.
    public var entries: [Entry] { store.withLock { $0 } }

    /// Every record as one line: level, message, metadata (`key=value`, sorted by key).
    public var lines: [String] {
        entries.map { e in
            let meta = e.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return "\(e.level) \(e.message) \(meta.joined(separator: " "))"
        }
    }

    /// A logger writing here.
    public func logger() -> Logger { Logger(label: "test") { _ in self } }

    public var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    /// Kept and applied, as a real handler does (a dispatcher adds its time `t` through one); shared
    /// by every logger writing here.
    public var metadataProvider: Logger.MetadataProvider? {
        get { provider.withLock { $0 } }
        set { provider.withLock { $0 = newValue } }
    }
    public var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    public func log(event: LogEvent) {
        var metadata = metadataProvider?.get() ?? [:]
        metadata.merge(event.metadata ?? [:]) { _, explicit in explicit }
        let entry = Entry(level: event.level, message: "\(event.message)", metadata: metadata.mapValues { "\($0)" })
        store.withLock { $0.append(entry) }
    }
}
