import FanOut
import Foundation
import Logging

/// The adapter's events that can repeat thousands of times in a run, each counted by a
/// ``RepeatedEvent``: a line when it first happens, then summaries with counts.
struct KannelLogCounts: Sendable {
    /// Episodes of rejections by smsbox (overloaded or unreachable); weight: messages rejected.
    var rejections = RepeatedEvent()
    /// Messages failed (smsbox refused them, a failure report, no report in time).
    var failures = RepeatedEvent()
    /// Requests on the report listener that failed or were not delivery reports.
    var listener = RepeatedEvent()
    /// Reports the dispatcher could not record.
    var unrecorded = RepeatedEvent()
}

extension KannelCore {
    /// Time since the adapter started, the time line of its summaries.
    var elapsed: Duration { ContinuousClock.now - started }

    /// Writes a line for `line` at `level`: `first` for a first occurrence, a summary naming
    /// `what` with its counts otherwise; nothing, or `detail` at debug level, while the summary
    /// holds lines back.
    ///
    /// - Parameters:
    ///   - what: The event in words for the summary, e.g. "messages failed".
    ///   - metadata: The occurrence's metadata (ids, reasons with numbers masked: never personal data).
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
    func logRemainders(_ counts: inout KannelLogCounts, at now: Duration) {
        let events: [(WritableKeyPath<KannelLogCounts, RepeatedEvent>, Logger.Level, String)] = [
            (\.rejections, .warning, "smsbox rejecting again"), (\.failures, .error, "messages failed"),
            (\.listener, .warning, "bad requests on the report listener"),
            (\.unrecorded, .error, "reports the dispatcher could not record"),
        ]
        for (path, level, what) in events {
            if let line = counts[keyPath: path].remainder() {
                logger.log(level: level, "\(Self.summary(line, what: what, at: now))", metadata: Self.metadata(line, [:]))
            }
        }
    }

    /// `kannel: messages failed (14 times in the last 2:05, 14 messages)`.
    static func summary(_ line: RepeatedEvent.Line, what: String, at now: Duration) -> String {
        let span = max(.zero, now - line.since).dispatchTimeText.dropFirst(2)  // "T+" off: a duration
        return "kannel: \(what) (\(line.count) time\(line.count == 1 ? "" : "s") in the last \(span), "
            + "\(line.weight) message\(line.weight == 1 ? "" : "s"))"
    }

    private static func metadata(_ line: RepeatedEvent.Line, _ base: Logger.Metadata) -> Logger.Metadata {
        var m = base
        m["times"] = "\(line.count)"
        m["messages"] = "\(line.weight)"
        return m
    }
}
