import FanOut
import Foundation
import Logging

/// The adapter's events that can repeat thousands of times in a run, each counted by a
/// ``RepeatedEvent``: a line when it first happens, then summaries with counts.
struct SMTPLogCounts: Sendable {
    /// Episodes of rejections by the relay (overloaded or unreachable); weight: mails rejected.
    var rejections = RepeatedEvent()
    /// Mails failed (refused recipients, bounces, no address).
    var failures = RepeatedEvent()
    /// Connections to the relay that could not be opened.
    var connections = RepeatedEvent()
    /// Reports the dispatcher could not record.
    var unrecorded = RepeatedEvent()
}

extension SMTPCore {
    /// Time since the adapter started, the time line of its summaries.
    var elapsed: Duration { ContinuousClock.now - started }

    /// Writes a line for `line` at `level`: `first` for a first occurrence, a summary naming
    /// `what` with its counts otherwise; nothing, or `detail` at debug level, while the summary
    /// holds lines back.
    func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        debug detail: String? = nil, at now: Duration
    ) {
        guard let line else {
            if let detail { logger.debug("\(detail)", metadata: metadata) }
            return
        }
        if line.isFirst {
            logger.log(level: level, "\(first)", metadata: metadata)
            return
        }
        logger.log(level: level, "\(Self.summary(line, what: what, at: now))", metadata: Self.metadata(line, metadata))
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    func logRemainders(_ counts: inout SMTPLogCounts, at now: Duration) {
        let events: [(WritableKeyPath<SMTPLogCounts, RepeatedEvent>, Logger.Level, String)] = [
            (\.rejections, .warning, "relay rejecting again"), (\.failures, .error, "mails failed"),
            (\.connections, .warning, "connections failed"),
            (\.unrecorded, .error, "reports the dispatcher could not record"),
        ]
        for (path, level, what) in events {
            if let line = counts[keyPath: path].remainder() {
                logger.log(level: level, "\(Self.summary(line, what: what, at: now))", metadata: Self.metadata(line, [:]))
            }
        }
    }

    /// `smtp: mails failed (14 times in the last 2:05, 14 mails)`.
    static func summary(_ line: RepeatedEvent.Line, what: String, at now: Duration) -> String {
        let span = max(.zero, now - line.since).dispatchTimeText.dropFirst(2)  // "T+" off: a duration
        return "smtp: \(what) (\(line.count) time\(line.count == 1 ? "" : "s") in the last \(span), "
            + "\(line.weight) mail\(line.weight == 1 ? "" : "s"))"
    }

    private static func metadata(_ line: RepeatedEvent.Line, _ base: Logger.Metadata) -> Logger.Metadata {
        var m = base
        m["times"] = "\(line.count)"
        m["mails"] = "\(line.weight)"
        return m
    }
}
