/// When one distance ring of an action was reached: outside-in in time.
public struct RingReport: Sendable, Hashable {
    /// Inner radius in metres (inclusive).
    public var innerMeters: Double
    /// Outer radius in metres (exclusive).
    public var outerMeters: Double
    /// Alerts that completed in this ring (delivered or not).
    public var completed: Int
    /// Alerts delivered (answered) in this ring.
    public var reached: Int
    /// When the first alert of the ring completed.
    public var firstCompletedAt: Duration
    /// When the last alert of the ring completed (the ring was reached).
    public var lastCompletedAt: Duration
}

/// Accumulates per-ring completion times.
struct RingTracker {
    let widthMeters: Double
    private var rings: [Int: RingReport] = [:]

    init(widthMeters: Double) { self.widthMeters = widthMeters }

    mutating func record(distanceMeters: Double, reached: Bool, at time: Duration) {
        let index = Int((max(0, distanceMeters) / widthMeters).rounded(.down))
        var r =
            rings[index]
            ?? RingReport(
                innerMeters: Double(index) * widthMeters, outerMeters: Double(index + 1) * widthMeters, completed: 0,
                reached: 0, firstCompletedAt: time, lastCompletedAt: time)
        r.completed += 1
        if reached { r.reached += 1 }
        r.firstCompletedAt = min(r.firstCompletedAt, time)
        r.lastCompletedAt = max(r.lastCompletedAt, time)
        rings[index] = r
    }

    /// The rings from the outermost in.
    var report: [RingReport] { rings.keys.sorted(by: >).compactMap { rings[$0] } }
}
