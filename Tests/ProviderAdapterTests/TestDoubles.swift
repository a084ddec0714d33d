import Logging
import Synchronization

/// A **test double** log handler: keeps every record (message and metadata as text) in memory,
/// so tests can check that no phone number reaches the logs.
final class CapturingLogHandler: LogHandler, Sendable {
    private let store = Mutex<[String]>([])

    /// Every record as one line: level, message, metadata.
    var lines: [String] { store.withLock { $0 } }

    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let meta = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        let line = "\(event.level) \(event.message) \(meta.joined(separator: " "))"
        store.withLock { $0.append(line) }
    }

    /// A logger writing here.
    func logger() -> Logger { Logger(label: "test") { _ in self } }
}
