import Geo
import Participants
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

extension RingReport {
    /// The ring widths a report may have, in metres: 1 m to 100 km.
    public static let widthRange: ClosedRange<Double> = 1...100_000

    /// Checks a ring width.
    /// - Throws: ``DispatchError`` `.invalidRequest` naming `name` (`--ring-width`, `ringWidthMeters`).
    public static func checkWidth(_ meters: Double, named name: String = "ringWidthMeters") throws {
        guard widthRange.contains(meters) else {
            throw DispatchError(.invalidRequest, "\(name) must be 1 to 100000 metres, got \(meters)")
        }
    }
}

/// Accumulates per-ring completion times.
struct RingTracker {
    let widthMeters: Double
    private var rings: [Int: RingReport] = [:]

    /// A tracker of rings `widthMeters` wide, kept within ``RingReport/widthRange`` (a width of
    /// 1e-300 m made the ring index overflow and trap).
    init(widthMeters: Double) {
        self.widthMeters =
            widthMeters.isNaN
            ? 500 : min(max(widthMeters, RingReport.widthRange.lowerBound), RingReport.widthRange.upperBound)
    }

    mutating func record(distanceMeters: Double, reached: Bool, at time: Duration) {
        // Distances are finite and below the Earth's size; the bound only keeps a bad one from trapping.
        let index = Int(min((max(0, distanceMeters) / widthMeters).rounded(.down), 1e9))
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
