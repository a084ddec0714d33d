import Foundation

/// Answers which country a WGS84 lon/lat position lies in, in tens of nanoseconds, from the
/// NL/BE/DE borders file: for generating millions of positions.
///
/// The borders file's rings, in lon/lat as the file has them, are bucketed in a uniform grid of
/// cells of ``cellDegrees``. A cell no border passes through lies wholly inside the same
/// territories, so its answer is computed once, when the grid is built (a horizontal ray across
/// each row of cells, counting ring crossings per territory). A position in such a cell costs one
/// array read. A position in a cell a border passes through is decided exactly by the ray from
/// the nearest border-free cell to its left: the parity of the crossings per territory, with the
/// segments of the cells in between (one to a few).
///
/// The answer is the one ``CountryLocator/country(at:)`` gives for the same position, except
/// within millimetres of a border: this grid takes the border's edges as straight in lon/lat
/// (as the file and GIS tools do), the locator as straight in RD New; the two differ by at most a
/// few millimetres on these short segments (see ``CountryBorders``). Where territories overlap
/// (the Ems-Dollart), the first in ``CountryBorders/precedence`` wins, as for the locator.
///
/// ```swift
/// let grid = try LonLatCountryGrid.load()
/// grid.country(lon: 4.92701, lat: 51.43626)   // BE: Baarle-Hertog, exclave H1
/// ```
///
/// A value, `Sendable`: build it once and share it between threads.
public struct LonLatCountryGrid: Sendable {
    /// One ring segment in lon/lat, with the index of its territory in ``countries``.
    struct Segment {
        var ax: Double
        var ay: Double
        var bx: Double
        var by: Double
        var territory: Int
    }

    /// The side of a cell in degrees (about 1.1 km × 1.7 km here): a power of two, so cell edges
    /// are exact in binary.
    public static let cellDegrees = 1.0 / 64
    /// The most territories a grid handles (one bit each in a cell's answer).
    static let maxTerritories = 32
    /// The most cells (the grid refuses borders spanning much more than NL, BE and DE).
    static let maxCells = 1 << 22
    /// The most segment entries (a long segment is listed in every cell its box touches).
    static let maxEntries = 1 << 24

    /// The countries of the territories, in ``CountryBorders/precedence`` order; bit `i` of a
    /// membership set stands for `countries[i]`.
    public let countries: [CountryCode]
    /// The file the borders were read from.
    public let file: URL
    private let minLon: Double
    private let minLat: Double
    private let columns: Int
    private let rows: Int
    /// `cellStart[c] ..< cellStart[c + 1]` are cell c's segments in ``segments``.
    private let cellStart: [Int32]
    private let segments: [Segment]
    /// For a cell no border passes through: the territories covering it (bit per territory).
    private let cellMembership: [UInt32]
    /// For each cell: the column of the nearest border-free cell at or left of it in its row, or -1.
    private let freeToTheLeft: [Int32]

    // MARK: - Loading

    /// Reads the borders file (the same one ``CountryBorders/load(_:converter:)`` reads) and builds
    /// the grid.
    ///
    /// - Parameter source: Where the file is (default: the package's own files).
    /// - Throws: ``GeoError`` `.countryBorders` when the file is missing or not of the borders
    ///   file's shape (naming the file and what is wrong), or spans far more than NL, BE and DE.
    /// - Complexity: O(n + cells) for n vertices (tens of milliseconds for the package's file).
    public static func load(_ source: CountryBordersSource = .data(.bundled)) throws -> LonLatCountryGrid {
        let url = try CountryBorders.locate(source)
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw GeoError(
                .countryBorders, "\(url.path): cannot read the country borders: \(error.localizedDescription)")
        }
        var countries: [CountryCode] = []
        var segments: [Segment] = []
        for (country, feature, at) in try CountryBorders.countryFeatures(data, file: url) {
            do { try feature.checkRings() } catch let e as GeoError {
                throw GeoError(.countryBorders, "\(at) (\(country)): \(e.message)")
            }
            let territory = countries.count
            countries.append(country)
            var k = 0
            for n in feature.ringSizes {
                for j in k..<k + n - 1 {
                    segments.append(
                        Segment(
                            ax: feature.lons[j], ay: feature.lats[j], bx: feature.lons[j + 1], by: feature.lats[j + 1],
                            territory: territory))
                }
                k += n
            }
        }
        guard countries.count <= maxTerritories else {
            throw GeoError(.countryBorders, "\(url.path): \(countries.count) countries; at most \(maxTerritories)")
        }
        do { return try LonLatCountryGrid(countries: countries, segments: segments, file: url) } catch let e
            as GeoError
        {
            throw GeoError(e.code, "\(url.path): \(e.message)")
        }
    }

    /// Buckets the segments and computes the answer of every border-free cell.
    init(countries: [CountryCode], segments all: [Segment], file: URL) throws {
        self.countries = countries
        self.file = file
        let size = Self.cellDegrees
        guard !all.isEmpty else {
            (minLon, minLat, columns, rows, cellStart, segments) = (0, 0, 0, 0, [0], [])
            (cellMembership, freeToTheLeft) = ([], [])
            return
        }
        var e = Envelope(minX: .infinity, minY: .infinity, maxX: -.infinity, maxY: -.infinity)
        for s in all {
            e = Envelope(
                minX: min(e.minX, s.ax, s.bx), minY: min(e.minY, s.ay, s.by), maxX: max(e.maxX, s.ax, s.bx),
                maxY: max(e.maxY, s.ay, s.by))
        }
        let width = (e.maxX - e.minX) / size
        let height = (e.maxY - e.minY) / size
        guard width.isFinite, height.isFinite, (width + 1) * (height + 1) <= Double(Self.maxCells) else {
            throw GeoError(
                .countryBorders, "the borders span \(e.maxX - e.minX)° × \(e.maxY - e.minY)°, too many grid cells")
        }
        minLon = e.minX
        minLat = e.minY
        columns = Int(width.rounded(.down)) + 1
        rows = Int(height.rounded(.down)) + 1
        let (minLon, minLat, columns) = (minLon, minLat, columns)
        func cells(_ s: Segment) -> (ClosedRange<Int>, ClosedRange<Int>) {
            let c0 = Int(((min(s.ax, s.bx) - minLon) / size).rounded(.down))
            let c1 = Int(((max(s.ax, s.bx) - minLon) / size).rounded(.down))
            let r0 = Int(((min(s.ay, s.by) - minLat) / size).rounded(.down))
            let r1 = Int(((max(s.ay, s.by) - minLat) / size).rounded(.down))
            return (c0...c1, r0...r1)
        }
        let buckets = try CellBuckets(
            all, columns: columns, rows: rows, maxEntries: Self.maxEntries, cells: cells,
            tooMany: { GeoError(.countryBorders, "the border segments would fill more than \(Self.maxEntries) cells") })
        cellStart = buckets.start
        segments = buckets.items
        // Each row: walk a ray along the row's middle from the grid's left edge (outside every
        // territory: no vertex lies left of it), toggling a territory's bit at each of its crossings.
        var membership = [UInt32](repeating: 0, count: columns * rows)
        var free = [Int32](repeating: -1, count: columns * rows)
        for r in 0..<rows {
            let y = minLat + (Double(r) + 0.5) * size
            var inside: UInt32 = 0
            var lastFree: Int32 = -1
            for c in 0..<columns {
                let cell = r * columns + c
                let (from, to) = (Int(buckets.start[cell]), Int(buckets.start[cell + 1]))
                if from == to {
                    membership[cell] = inside
                    lastFree = Int32(c)
                } else {
                    inside ^= Self.crossings(
                        buckets.items[from..<to], y: y, column: c, before: .infinity,
                        minLon: minLon)
                }
                free[cell] = lastFree
            }
        }
        cellMembership = membership
        freeToTheLeft = free
    }

    // MARK: - Queries

    /// The country a WGS84 position lies in: the first in ``CountryBorders/precedence`` whose
    /// territory (land and territorial waters) holds it, or `nil` outside them all.
    ///
    /// - Complexity: One array read for a position in a cell no border passes through; otherwise
    ///   O(k) for the k segments of the cells between it and the nearest border-free cell to its
    ///   left in its row.
    @inline(__always)
    public func country(lon: Double, lat: Double) -> CountryCode? {
        let set = territories(lon: lon, lat: lat)
        guard set != 0 else { return nil }
        return countries[set.trailingZeroBitCount]
    }

    /// The index in ``countries`` of the country ``country(lon:lat:)`` answers, or `nil`.
    @inline(__always)
    public func countryIndex(lon: Double, lat: Double) -> Int? {
        let set = territories(lon: lon, lat: lat)
        return set == 0 ? nil : set.trailingZeroBitCount
    }

    /// The set of territories holding a position, bit `i` for `countries[i]`.
    func territories(lon: Double, lat: Double) -> UInt32 {
        let size = Self.cellDegrees
        let fc = ((lon - minLon) / size).rounded(.down)
        let fr = ((lat - minLat) / size).rounded(.down)
        // Outside the grid lies outside every ring (NaN fails both tests too).
        guard fc >= 0, fc < Double(columns), fr >= 0, fr < Double(rows) else { return 0 }
        let (c, r) = (Int(fc), Int(fr))
        let cell = r * columns + c
        if cellStart[cell] == cellStart[cell + 1] { return cellMembership[cell] }
        let free = Int(freeToTheLeft[cell])
        var inside = free >= 0 ? cellMembership[r * columns + free] : 0
        for column in (free + 1)...c {
            let k = r * columns + column
            inside ^= Self.crossings(
                segments[Int(cellStart[k])..<Int(cellStart[k + 1])], y: lat, column: column, before: lon,
                minLon: minLon)
        }
        return inside
    }

    /// The territories whose rings cross the horizontal line at `y` left of `before`, counting
    /// only crossings that lie in `column` (a segment is listed in every cell its box touches, and
    /// each crossing must count once), as a bit set of odd counts.
    ///
    /// A segment crosses when one end lies above `y` and the other not (the half-open rule: a
    /// vertex exactly at `y` counts once, a horizontal segment never).
    @inline(__always)
    private static func crossings(
        _ cell: ArraySlice<Segment>, y: Double, column: Int, before: Double, minLon: Double
    ) -> UInt32 {
        var toggled: UInt32 = 0
        for s in cell where (s.ay > y) != (s.by > y) {
            var x = s.ax + (y - s.ay) * (s.bx - s.ax) / (s.by - s.ay)
            // Rounding may put x a hair outside the segment's box, hence into a cell not listing it.
            x = min(max(x, min(s.ax, s.bx)), max(s.ax, s.bx))
            guard x < before, Int(((x - minLon) / cellDegrees).rounded(.down)) == column else { continue }
            toggled ^= 1 << UInt32(s.territory)
        }
        return toggled
    }
}
