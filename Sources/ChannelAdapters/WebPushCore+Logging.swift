import FanOut
import Foundation
import Logging
import ProviderAdapters

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

    /// The adapter's repeated-event log (``AdapterLog``).
    var adapterLog: AdapterLog { AdapterLog(logger: logger, name: "webpush", unit: "message") }

    /// Writes a line for `line` at `level` (see ``AdapterLog/log(_:level:first:what:metadata:debug:at:)``).
    func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        at now: Duration
    ) {
        adapterLog.log(line, level: level, first: first, what: what, metadata: metadata, debug: first, at: now)
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    func logRemainders(_ counts: inout WebPushLogCounts, at now: Duration) {
        adapterLog.logRemainders(
            &counts,
            [
                (\.rejections, .warning, "pushes not taken"), (\.failures, .error, "pushes failed"),
                (\.unrecorded, .error, "reports the dispatcher could not record"),
            ], at: now)
    }
}
