import Geo
import Participants
/// Counts an event that can repeat thousands of times (a provider throttling, a message failing)
/// and says when a log line about it is due, so that a log gets one line per change of state
/// with counts instead of one line per event.
///
/// The first occurrence is due at once. Later ones are counted, and a summary of them is due at
/// the first occurrence after the *window* has passed since the last line; each summary doubles
/// the window (1 minute, 2, 4, …). So an event that keeps repeating writes at most
/// 2 + log₂(run time / 1 minute) lines: about 17 in a month, 2 in a minute. An event that comes
/// back after a pause longer than the window is written at once (the window has passed), so a
/// new bout is never hidden; only its repeats wait. What is counted but not yet written is taken
/// with ``remainder()`` at the end of a run, so no count is lost.
///
/// A value type kept under its owner's lock (``DispatchCore``, the Kannel adapter's state).
package struct RepeatedEvent: Sendable {
    /// One line's worth of occurrences.
    package struct Line: Sendable, Equatable {
        /// Whether this is the first occurrence.
        package var isFirst: Bool
        /// Occurrences this line covers.
        package var count: Int
        /// The summed weight of those occurrences and of the weight added between them
        /// (e.g. messages rejected).
        package var weight: Int
        /// When the first occurrence (or added weight) this line covers happened.
        package var since: Duration
    }

    /// The window after the first line.
    package static let firstWindow: Duration = .seconds(60)

    private var window = RepeatedEvent.firstWindow
    private var lastLine: Duration?
    private var count = 0
    private var weight = 0
    private var since: Duration?

    /// Creates a counter that has seen nothing.
    package init() {}

    /// Counts one occurrence at `now` with `weight`.
    ///
    /// - Returns: The line to write now, or `nil` while the window holds lines back.
    package mutating func occurred(at now: Duration, weight w: Int = 1) -> Line? {
        guard let last = lastLine else {
            lastLine = now
            return Line(isFirst: true, count: 1, weight: w, since: now)
        }
        count += 1
        weight += w
        if since == nil { since = now }
        guard now - last >= window else { return nil }
        window = window * 2
        lastLine = now
        defer { clear() }
        return remainderLine()
    }

    /// Adds `w` to the weight of the next line without counting an occurrence (a rejection
    /// within an episode already counted).
    package mutating func add(weight w: Int, at now: Duration) {
        if lastLine == nil { return }  // nothing logged yet: the first line carries its own weight
        weight += w
        if since == nil { since = now }
    }

    /// The occurrences counted since the last line, to write at the end of a run; `nil` when
    /// there were none (weight added to occurrences already written is dropped).
    package mutating func remainder() -> Line? {
        defer { clear() }
        return remainderLine()
    }

    private func remainderLine() -> Line? {
        guard count > 0 else { return nil }
        return Line(isFirst: false, count: count, weight: weight, since: since ?? lastLine ?? .zero)
    }

    private mutating func clear() {
        count = 0
        weight = 0
        since = nil
    }
}
