import Geo
import Logging
import Participants

extension Duration {
    /// Dispatcher time as log lines show it: `T+H:MM:SS.s` (hours not wrapped into days), e.g.
    /// `T+0:00:05.0` and `T+720:24:46.0`.
    package var dispatchTimeText: String {
        let tenths = max(0, Int64((seconds * 10).rounded(.down)))
        let s = tenths / 10
        let minutes = (s / 60) % 60
        let secs = s % 60
        return "T+\(s / 3600):\(minutes < 10 ? "0" : "")\(minutes):\(secs < 10 ? "0" : "")\(secs).\(tenths % 10)"
    }
}

extension Logger {
    /// The metadata key of dispatcher time.
    package static let dispatchTimeKey = "t"

    /// This logger with the dispatcher time of `clock` (`t=T+1:23:45.6`) in every line it writes.
    ///
    /// Done with the handler's metadata provider, which the handler calls when it writes a line,
    /// so the time is right on any thread and in any task (a Kannel report thread, a desk's run
    /// loop). Dispatcher time is the time of the ledger and of `fanout action status`; on virtual
    /// time it is the only time that means anything, as the wall clock runs far slower. A provider
    /// the handler already had is kept. A handler that does not support metadata providers
    /// ignores it.
    ///
    /// - Parameter clock: The dispatcher's clock.
    /// - Returns: A copy of this logger whose lines carry `t`.
    package func stampingDispatchTime(of clock: any DispatchClock) -> Logger {
        let time = Logger.MetadataProvider { [Logger.dispatchTimeKey: .string(clock.now.dispatchTimeText)] }
        var logger = self
        logger.handler.metadataProvider = metadataProvider.map { .multiplex([$0, time]) } ?? time
        return logger
    }
}
