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

    /// The adapter's repeated-event log (``AdapterLog``).
    var adapterLog: AdapterLog { AdapterLog(logger: logger, name: "kannel", unit: "message") }

    /// Writes a line for `line` at `level` (see ``AdapterLog/log(_:level:first:what:metadata:debug:at:)``).
    func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        debug detail: String? = nil, at now: Duration
    ) {
        adapterLog.log(line, level: level, first: first, what: what, metadata: metadata, debug: detail, at: now)
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    func logRemainders(_ counts: inout KannelLogCounts, at now: Duration) {
        adapterLog.logRemainders(
            &counts,
            [
                (\.rejections, .warning, "smsbox rejecting again"), (\.failures, .error, "messages failed"),
                (\.listener, .warning, "bad requests on the report listener"),
                (\.unrecorded, .error, "reports the dispatcher could not record"),
            ], at: now)
    }
}
