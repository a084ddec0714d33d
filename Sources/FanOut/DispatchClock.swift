import Geo
import Participants
import Synchronization

/// The time source of the dispatcher, injected so that a whole action can run on virtual time.
///
/// Time is a `Duration` since the clock's own epoch (its creation), so virtual and real clocks
/// share one representation and ledger timestamps stay small integers of milliseconds.
public protocol DispatchClock: Sendable {
    /// The current time since the clock's epoch.
    var now: Duration { get }

    /// Waits until `deadline` (since the clock's epoch); returns at once if it has passed.
    ///
    /// A ``VirtualClock`` does not wait: it jumps to `deadline`.
    /// - Throws: `CancellationError` when the task is cancelled while waiting (real clock).
    func sleep(until deadline: Duration) async throws

    /// Whether the clock only moves when told to (``VirtualClock``): a run loop then never waits
    /// but jumps to each next event.
    var isVirtual: Bool { get }
}

extension DispatchClock {
    /// A real clock (the default).
    public var isVirtual: Bool { false }
}

/// A clock that only moves when told to: tests and load tests run a 30-minute action in
/// milliseconds of wall time.
///
/// `sleep(until:)` advances the clock to the deadline immediately, so a driver loop written for
/// the real clock (`sleep` to the next event, then process) runs unchanged on virtual time.
public final class VirtualClock: DispatchClock {
    private let current: Mutex<Duration>

    /// Creates a clock standing at `start` (zero by default).
    public init(start: Duration = .zero) {
        current = Mutex(start)
    }

    /// The current virtual time.
    public var now: Duration { current.withLock { $0 } }

    /// Moves the clock forward by `interval` (a negative interval is ignored: time never runs back).
    public func advance(by interval: Duration) {
        current.withLock { $0 = $0 + max(.zero, interval) }
    }

    /// Moves the clock to `instant` if that is later than now.
    public func advance(to instant: Duration) {
        current.withLock { $0 = max($0, instant) }
    }

    /// Always: the clock moves only when told to.
    public var isVirtual: Bool { true }

    /// Jumps to `deadline` without waiting.
    public func sleep(until deadline: Duration) async throws {
        try Task.checkCancellation()
        advance(to: deadline)
    }
}

/// The production clock: monotonic (`ContinuousClock`), measured from its creation.
public struct SystemDispatchClock: DispatchClock {
    private let epoch: ContinuousClock.Instant

    /// Creates a clock whose epoch is now.
    public init() {
        epoch = ContinuousClock.now
    }

    /// Time elapsed since the clock was created.
    public var now: Duration { ContinuousClock.now - epoch }

    /// Sleeps on the continuous clock until `deadline`.
    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: epoch.advanced(by: deadline), tolerance: nil)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    package var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) * 1e-18
    }

    /// The duration in whole milliseconds (rounded toward zero), as stored in the ledger.
    var milliseconds: Int64 {
        let (s, atto) = components
        return s * 1000 + atto / 1_000_000_000_000_000
    }

    /// A duration of `seconds` (fractional) seconds, saturating at ±``longestSeconds`` (NaN is zero).
    ///
    /// Durations come from configured rates and waits (`batch / perSecond`, a retry's backoff); a
    /// value beyond the range of whole nanoseconds must not trap the dispatcher, and about 31 years
    /// is "never" for an alert.
    package static func seconds(fractional seconds: Double) -> Duration {
        guard !seconds.isNaN else { return .zero }
        let clamped = min(max(seconds, -longestSeconds), longestSeconds)
        return .nanoseconds(Int64((clamped * 1e9).rounded()))
    }

    /// The longest duration ``seconds(fractional:)`` gives: 10⁹ s (about 31.7 years), far from the
    /// limit of whole nanoseconds in an `Int64` (about 292 years), so sums of a few stay exact.
    static let longestSeconds = 1e9
}
