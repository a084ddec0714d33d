/// Which points of a batch the RDNAPTRANS2018 correction grid applied to.
///
/// Returned by ``CoordinateConverter/toRD(xs:ys:from:)`` and
/// ``CoordinateConverter/toLonLat(xs:ys:from:)``. Every point of the batch is transformed; the
/// report names those that were transformed *without* the correction grid:
/// - points whose RD (Bessel) position lies outside the grid's area (50…56° N, 2…8° E): they get
///   RDNAPTRANS2018's datum transformation alone, as NSGI prescribes there (within 1 mm of NSGI's
///   validation points too, but the grid did not refine them);
/// - every point, when the converter has no grid (``RDAccuracy/withoutGrid``).
///
/// Conversions that involve no RD New position (for example Belgian Lambert 2008 to WGS84) and RD
/// New input to ``CoordinateConverter/toRD(xs:ys:from:)`` (returned unchanged) list no points.
public struct RDTransformReport: Sendable, Hashable {
    /// The number of points in the batch.
    public let pointCount: Int
    /// The 0-based indices, ascending, of the points transformed without the correction grid.
    public let uncorrected: [Int]

    /// Creates a report.
    public init(pointCount: Int, uncorrected: [Int]) {
        precondition(uncorrected.allSatisfy { (0..<pointCount).contains($0) }, "index outside the batch")
        self.pointCount = pointCount
        self.uncorrected = uncorrected
    }

    /// The number of points the correction grid applied to (or that needed no transformation).
    public var correctedCount: Int { pointCount - uncorrected.count }

    /// Whether the correction grid applied to every point that needed it.
    public var allCorrected: Bool { uncorrected.isEmpty }
}
