import Geo
import Participants
/// A real clock that runs `speed` times as fast as the wall clock, from a given start.
///
/// `speed` 1 is the production clock continued from `start` (so ledger times stay continuous over
/// restarts); a larger speed replays an action faster while it still waits on real time, for
/// demonstrations and the kill -9 test.
public struct ScaledClock: DispatchClock {
    private let epoch: ContinuousClock.Instant
    /// Dispatcher time at the clock's creation.
    public let start: Duration
    /// Dispatcher seconds per wall-clock second.
    public let speed: Double

    /// Creates a clock standing at `start` that advances `speed` times as fast as real time.
    public init(start: Duration = .zero, speed: Double = 1) {
        precondition(speed > 0 && speed.isFinite, "ScaledClock speed must be positive and finite")
        epoch = ContinuousClock.now
        self.start = start
        self.speed = speed
    }

    /// `start` plus the wall time since creation times `speed`, in whole nanoseconds (the
    /// dispatcher's event resolution: a time between two nanoseconds made the dispatcher re-arm a
    /// channel-ready event at the same truncated instant forever).
    public var now: Duration { .nanoseconds((start + (ContinuousClock.now - epoch) * speed).nanoseconds) }

    /// Sleeps on the continuous clock until dispatcher time `deadline`.
    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: wallInstant(for: deadline), tolerance: nil)
    }

    /// The wall-clock instant at which dispatcher time reaches `deadline`.
    public func wallInstant(for deadline: Duration) -> ContinuousClock.Instant {
        epoch.advanced(by: max(.zero, deadline - start) / speed)
    }
}
