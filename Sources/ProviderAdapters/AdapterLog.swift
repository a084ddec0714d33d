import FanOut
import Foundation
import Logging

/// How a channel adapter logs events that can repeat thousands of times in a run (each counted by
/// a ``RepeatedEvent``): a line when one first happens, then summaries with counts, and at
/// shutdown what is left. One for every adapter (Kannel, SMTP, Web Push).
package struct AdapterLog: Sendable {
    /// Where the lines go.
    let logger: Logger
    /// The adapter's word at the start of a summary: `kannel`, `smtp`, `webpush`.
    let name: String
    /// What a summary counts: `message`, `mail`.
    let unit: String

    /// Creates the log of one adapter.
    package init(logger: Logger, name: String, unit: String) {
        self.logger = logger
        self.name = name
        self.unit = unit
    }

    /// Writes a line for `line` at `level`: `first` for a first occurrence, a summary naming
    /// `what` with its counts otherwise; while the summary holds lines back, `detail` at debug
    /// level (nothing without one).
    ///
    /// - Parameters:
    ///   - what: The event in words for the summary, e.g. "messages failed".
    ///   - metadata: The occurrence's metadata (ids, reasons with numbers masked: never personal data).
    package func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        debug detail: String?, at now: Duration
    ) {
        guard let line else {
            if let detail { logger.debug("\(detail)", metadata: metadata) }
            return
        }
        if line.isFirst {
            logger.log(level: level, "\(first)", metadata: metadata)
            return
        }
        logger.log(level: level, "\(summary(line, what: what, at: now))", metadata: self.metadata(line, metadata))
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    package func logRemainders<Counts>(
        _ counts: inout Counts, _ events: [(WritableKeyPath<Counts, RepeatedEvent>, Logger.Level, String)],
        at now: Duration
    ) {
        for (path, level, what) in events {
            if let line = counts[keyPath: path].remainder() {
                logger.log(level: level, "\(summary(line, what: what, at: now))", metadata: metadata(line, [:]))
            }
        }
    }

    /// `kannel: messages failed (14 times in the last 2:05, 14 messages)`.
    package func summary(_ line: RepeatedEvent.Line, what: String, at now: Duration) -> String {
        let span = max(.zero, now - line.since).dispatchTimeText.dropFirst(2)  // "T+" off: a duration
        return "\(name): \(what) (\(line.count) time\(line.count == 1 ? "" : "s") in the last \(span), "
            + "\(line.weight) \(unit)\(line.weight == 1 ? "" : "s"))"
    }

    private func metadata(_ line: RepeatedEvent.Line, _ base: Logger.Metadata) -> Logger.Metadata {
        var m = base
        m["times"] = "\(line.count)"
        m["\(unit)s"] = "\(line.weight)"
        return m
    }
}
