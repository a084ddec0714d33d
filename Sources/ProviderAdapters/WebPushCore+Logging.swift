import FanOut
import Foundation
import Logging

/// The adapter's events that can repeat thousands of times in a run, each counted by a
/// ``RepeatedEvent``: a line when it first happens, then summaries with counts.
struct WebPushLogCounts: Sendable {
    /// Episodes of pushes not taken (429, 5xx, no connection, Retry-After); weight: messages.
    var rejections = RepeatedEvent()
    /// Pushes failed (404/410, 413, other 4xx, no subscription, no answer).
    var failures = RepeatedEvent()
    /// Reports the dispatcher could not record.
    var unrecorded = RepeatedEvent()
}

extension WebPushCore {
    /// Time since the adapter started, the time line of its summaries.
    var elapsed: Duration { ContinuousClock.now - started }

    /// Writes a line for `line` at `level`: `first` for a first occurrence, a summary naming
    /// `what` with its counts otherwise; at debug level only while the summary holds lines back.
    ///
    /// `metadata` never holds personal data: keys, results and reasons with the endpoint hidden.
    func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        at now: Duration
    ) {
        guard let line else {
            logger.debug("\(first)", metadata: metadata)
            return
        }
        if line.isFirst {
            logger.log(level: level, "\(first)", metadata: metadata)
            return
        }
        logger.log(level: level, "\(Self.summary(line, what: what, at: now))", metadata: Self.metadata(line, metadata))
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    func logRemainders(_ counts: inout WebPushLogCounts, at now: Duration) {
        let events: [(WritableKeyPath<WebPushLogCounts, RepeatedEvent>, Logger.Level, String)] = [
            (\.rejections, .warning, "pushes not taken"), (\.failures, .error, "pushes failed"),
            (\.unrecorded, .error, "reports the dispatcher could not record"),
        ]
        for (path, level, what) in events {
            if let line = counts[keyPath: path].remainder() {
                logger.log(level: level, "\(Self.summary(line, what: what, at: now))", metadata: Self.metadata(line, [:]))
            }
        }
    }

    /// `webpush: pushes failed (14 times in the last 2:05, 14 messages)`.
    static func summary(_ line: RepeatedEvent.Line, what: String, at now: Duration) -> String {
        let span = max(.zero, now - line.since).dispatchTimeText.dropFirst(2)
        return "webpush: \(what) (\(line.count) time\(line.count == 1 ? "" : "s") in the last \(span), "
            + "\(line.weight) message\(line.weight == 1 ? "" : "s"))"
    }

    private static func metadata(_ line: RepeatedEvent.Line, _ base: Logger.Metadata) -> Logger.Metadata {
        var m = base
        m["times"] = "\(line.count)"
        m["messages"] = "\(line.weight)"
        return m
    }
}
