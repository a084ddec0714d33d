/// Every ring segment of the territories, bucketed in a uniform grid of square cells, to answer
/// "is any border within d metres of this point?" with a few exact segment distances.
///
/// It replaces a GEOS query per territory in ``CountryLocator/country(at:)``: GEOS 3.11's
/// prepared distance search takes about 0.2 ms for a point far from every edge, and an indexed
/// test of a small square against the boundary lines still visits every ring of the territory
/// (about 30 per country). Here a point far from the borders looks at one to four cells, usually
/// empty.
///
/// A segment is listed in every cell its bounding box touches, so a segment that passes within
/// `d` of a point is found in one of the cells that the square of half-side `d` around the point
/// touches. Segments are stored by value, cell after cell, in one contiguous array.
///
/// - Complexity: Building is O(n + cells) for n segments; a query is O(k) for the k segments in
///   the one to four cells it touches (when `d` is at most the cell size).
struct BorderSegmentGrid {
    /// One segment, end points in RD New metres.
    struct Segment {
        var ax: Double
        var ay: Double
        var bx: Double
        var by: Double
    }

    /// The cell size in metres: long enough that most segments (tens of metres) fall in one cell,
    /// short enough that a cell on a winding border (Baarle) holds a few hundred.
    static let cellSizeMeters = 1_000.0

    private let minX: Double
    private let minY: Double
    private let columns: Int
    private let rows: Int
    /// `cellStart[c] ..< cellStart[c + 1]` are cell c's segments in ``segments``.
    private let cellStart: [Int32]
    private let segments: [Segment]

    /// The most cells a grid may have (16 MB of counts): borders spanning more than about
    /// 2,000 km × 2,000 km in RD New are refused rather than allocated.
    static let maxCells = 1 << 22
    /// The most segment entries (a long segment is listed in every cell its box touches).
    static let maxEntries = 1 << 24

    /// Buckets every ring segment of every territory.
    ///
    /// - Throws: ``GeoError`` `.countryBorders` when the territories span more than ``maxCells``
    ///   cells or their segments more than ``maxEntries`` entries (a position far outside the
    ///   region, as in a damaged file; libFuzzer found one asking for 2.9 GB).
    init(_ territories: [CountryBorders.Territory]) throws {
        var all: [Segment] = []
        var envelope = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for territory in territories {
            let e = territory.envelope
            envelope = Envelope(
                minX: min(envelope.minX, e.minX), minY: min(envelope.minY, e.minY), maxX: max(envelope.maxX, e.maxX),
                maxY: max(envelope.maxY, e.maxY))
            for polygon in territory.polygons {
                for ring in [polygon.shell] + polygon.holes {
                    for k in ring.indices.dropLast() {
                        all.append(Segment(ax: ring[k].x, ay: ring[k].y, bx: ring[k + 1].x, by: ring[k + 1].y))
                    }
                }
            }
        }
        let size = Self.cellSizeMeters
        guard !all.isEmpty else {
            (minX, minY, columns, rows, cellStart, segments) = (0, 0, 0, 0, [0], [])
            return
        }
        minX = envelope.minX
        minY = envelope.minY
        let width = (envelope.maxX - envelope.minX) / size
        let height = (envelope.maxY - envelope.minY) / size
        guard width.isFinite, height.isFinite, (width + 1) * (height + 1) <= Double(Self.maxCells) else {
            throw GeoError(
                .countryBorders,
                "the borders span \(Int(min(width, 1e9))) km × \(Int(min(height, 1e9))) km in RD New, more than "
                    + "\(Self.maxCells) cells of 1 km (is a position far outside NL, BE and DE?)")
        }
        columns = Int(width.rounded(.down)) + 1
        rows = Int(height.rounded(.down)) + 1
        func cells(_ s: Segment) -> (ClosedRange<Int>, ClosedRange<Int>) {
            let c0 = Int(((min(s.ax, s.bx) - envelope.minX) / size).rounded(.down))
            let c1 = Int(((max(s.ax, s.bx) - envelope.minX) / size).rounded(.down))
            let r0 = Int(((min(s.ay, s.by) - envelope.minY) / size).rounded(.down))
            let r1 = Int(((max(s.ay, s.by) - envelope.minY) / size).rounded(.down))
            return (c0...c1, r0...r1)
        }
        let buckets = try CellBuckets(
            all, columns: columns, rows: rows, maxEntries: Self.maxEntries, cells: cells,
            tooMany: { GeoError(
                    .countryBorders,
                    "the border segments would fill more than \(Self.maxEntries) grid cells (segments hundreds "
                        + "of km long?)") })
        cellStart = buckets.start
        segments = buckets.items
    }

    /// Whether any segment passes within `meters` of `p` (distance ≤ `meters`).
    ///
    /// - Complexity: O(k) in the segments of the cells the square of half-side `meters` around
    ///   `p` touches.
    func hasSegment(within meters: Double, of p: RDPoint) -> Bool {
        let size = Self.cellSizeMeters
        let c0 = max(0, Int(((p.x - meters - minX) / size).rounded(.down)))
        let c1 = min(columns - 1, Int(((p.x + meters - minX) / size).rounded(.down)))
        let r0 = max(0, Int(((p.y - meters - minY) / size).rounded(.down)))
        let r1 = min(rows - 1, Int(((p.y + meters - minY) / size).rounded(.down)))
        guard c0 <= c1, r0 <= r1 else { return false }
        let limit = meters * meters
        for r in r0...r1 {
            for c in c0...c1 {
                let cell = r * columns + c
                for k in Int(cellStart[cell])..<Int(cellStart[cell + 1])
                where Self.squaredDistance(p, segments[k]) <= limit {
                    return true
                }
            }
        }
        return false
    }

    /// The squared distance from `p` to the segment.
    @inline(__always)
    static func squaredDistance(_ p: RDPoint, _ s: Segment) -> Double {
        let dx = s.bx - s.ax
        let dy = s.by - s.ay
        let length2 = dx * dx + dy * dy
        var t = length2 == 0 ? 0 : ((p.x - s.ax) * dx + (p.y - s.ay) * dy) / length2
        t = min(1, max(0, t))
        let ex = s.ax + t * dx - p.x
        let ey = s.ay + t * dy - p.y
        return ex * ex + ey * ey
    }
}
