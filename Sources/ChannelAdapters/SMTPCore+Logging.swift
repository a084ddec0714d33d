import FanOut
import Foundation
import Logging
import ProviderAdapters

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

    /// The adapter's repeated-event log (``AdapterLog``).
    var adapterLog: AdapterLog { AdapterLog(logger: logger, name: "smtp", unit: "mail") }

    /// Writes a line for `line` at `level` (see ``AdapterLog/log(_:level:first:what:metadata:debug:at:)``).
    func log(
        _ line: RepeatedEvent.Line?, level: Logger.Level, first: String, what: String, metadata: Logger.Metadata,
        debug detail: String? = nil, at now: Duration
    ) {
        adapterLog.log(line, level: level, first: first, what: what, metadata: metadata, debug: detail, at: now)
    }

    /// Writes what `counts` held back (at shutdown): one summary per event with counts left.
    func logRemainders(_ counts: inout SMTPLogCounts, at now: Duration) {
        adapterLog.logRemainders(
            &counts,
            [
                (\.rejections, .warning, "relay rejecting again"), (\.failures, .error, "mails failed"),
                (\.connections, .warning, "connections failed"),
                (\.unrecorded, .error, "reports the dispatcher could not record"),
            ], at: now)
    }
}
