/// The answer of ``CountryLocator/country(at:)``: the country a point lies in, and whether that is
/// close to a call.
public struct CountryLocation: Sendable, Hashable, CustomStringConvertible {
    /// The country whose territory covers the point (its border included), the first in
    /// ``CountryBorders/precedence`` where two overlap; `nil` outside every territory in the file.
    public var country: CountryCode?
    /// Whether the answer could change if the borders moved by ``CountryLocator/toleranceMeters``:
    /// the point lies within that distance of a territory's boundary (a land border, the outer
    /// limit of the territorial sea), or inside two territories at once (the Ems-Dollart).
    public var onBorder: Bool

    /// Creates an answer.
    public init(country: CountryCode?, onBorder: Bool) {
        self.country = country
        self.onBorder = onBorder
    }

    public var description: String { (country?.description ?? "none") + (onBorder ? " (on a border)" : "") }
}

/// Answers which country an RD New point lies in, from the NL/BE/DE borders in `data/`.
///
/// Builds a GEOS prepared geometry per country from ``CountryBorders``, and a grid of the border
/// segments for "near a border", so each question is an indexed point-in-polygon test per nearby
/// country plus a few exact segment distances: about a microsecond.
///
/// Territories may overlap (NL and DE both claim about 277 km² of the Ems-Dollart); a point in
/// more than one gets the first in ``CountryBorders/precedence`` (NL, BE, DE) and `onBorder`.
///
/// ## Accuracy
/// The borders are OpenStreetMap's (via timezone-boundary-builder 2026c), which in the
/// Netherlands, Belgium and Germany follow the official cadastral borders to within a few metres
/// (vertices to 1e-6°, 0.1 m). Participants' positions are usually geocoded addresses, which can
/// sit 10–20 m from the house. ``toleranceMeters`` (25 m) covers both: within it of a border the
/// position alone cannot decide the country, so the answer says `onBorder`, and a registered
/// country is only contradicted when the position lies farther than that from its territory.
///
/// ```swift
/// let converter = try CoordinateConverter()
/// let locator = try CountryLocator(borders: try CountryBorders.load(converter: converter))
/// let here = try converter.toRD(LonLat(lon: 4.92701, lat: 51.43626))   // Baarle-Hertog, exclave H1
/// try locator.country(at: here)                                          // BE, not on a border
/// ```
///
/// - Important: Not `Sendable`: it owns a GEOS context (one caller at a time, any thread). Make one per
///   thread (the ``CountryBorders`` value can be shared).
public final class CountryLocator {
    /// How far a border may be off, in metres, before the position contradicts a country.
    ///
    /// OpenStreetMap's borders here are within a few metres of the cadastral ones; geocoded
    /// addresses add 10–20 m. Points closer than this to a territory's boundary are `onBorder`,
    /// and an import only warns about a registered country when the position lies farther than
    /// this from that country's territory.
    public static let toleranceMeters = 25.0

    /// The borders this locator answers from.
    public let borders: CountryBorders
    /// The GEOS context every geometry of this locator lives in (this thread's).
    let context: GEOSContext
    /// The prepared territories, in ``CountryBorders/precedence`` order.
    let territories: [PreparedTerritory]
    /// Every ring segment, bucketed, for the "near a border" test.
    private let borderGrid: BorderSegmentGrid

    /// One country's prepared geometries.
    struct PreparedTerritory {
        var country: CountryCode
        /// The territory (covers, distance to it).
        var area: GEOSPreparedGeometry
        /// Its rings as lines (``distanceToBoundary(from:of:)``).
        var boundary: GEOSPreparedGeometry
        /// The envelope grown by the tolerance: points outside it are neither in the territory nor
        /// near its boundary.
        var reach: Envelope
    }

    /// Builds the prepared geometries for `borders` in a new GEOS context.
    ///
    /// - Throws: ``GeoError`` `.invalidGeometry` for a ring GEOS refuses (too short, not closed),
    ///   `.geos` on a GEOS failure, `.countryBorders` for borders spanning far more than NL, BE and DE.
    /// - Complexity: O(n) in the number of vertices; the indexes are built on the first queries.
    public convenience init(borders: CountryBorders) throws {
        try self.init(borders: borders, context: try GEOSContext())
    }

    /// Builds the prepared geometries for `borders` in `context` (for callers that already own one
    /// on this thread).
    ///
    /// - Throws: ``GeoError`` `.invalidGeometry` or `.geos`, as ``init(borders:)``.
    package init(borders: CountryBorders, context: GEOSContext) throws {
        self.borders = borders
        self.context = context
        let t = Self.toleranceMeters
        territories = try borders.territories.map { territory in
            let area = try context.makeMultiPolygon(territory.polygons)
            let e = territory.envelope
            return PreparedTerritory(
                country: territory.country, area: try area.prepared(), boundary: try area.boundary().prepared(),
                reach: Envelope(minX: e.minX - t, minY: e.minY - t, maxX: e.maxX + t, maxY: e.maxY + t))
        }
        do { borderGrid = try BorderSegmentGrid(borders.territories) } catch let e as GeoError {
            throw GeoError(e.code, "\(borders.file.path): \(e.message)")
        }
    }

    // MARK: - Queries

    /// The country a point lies in, and whether it lies on a border.
    ///
    /// - Parameter rd: The point in RD New metres.
    /// - Returns: The first country in ``CountryBorders/precedence`` whose territory covers the
    ///   point (borders included), or `nil`; `onBorder` when the point is within
    ///   ``toleranceMeters`` of any territory's boundary or inside two territories.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    /// - Complexity: An indexed point-in-polygon test (`GEOSPreparedCovers_r`, O(log n) in the
    ///   vertices) per country whose envelope is within the tolerance of the point, and exact
    ///   distances to the few border segments bucketed near it (``BorderSegmentGrid``).
    public func country(at rd: RDPoint) throws -> CountryLocation {
        let point = try context.makePoint(x: rd.x, y: rd.y)
        var found: CountryCode?
        var covering = 0
        for t in territories where t.reach.contains(x: rd.x, y: rd.y) {
            if try t.area.covers(point) {
                covering += 1
                if found == nil { found = t.country }
            }
        }
        let nearBoundary = borderGrid.hasSegment(within: Self.toleranceMeters, of: rd)
        return CountryLocation(country: found, onBorder: nearBoundary || covering > 1)
    }

    /// The distance in metres from a point to a country's territory: 0 inside it or on its border.
    ///
    /// See `GEOSPreparedDistance_r`.
    ///
    /// - Parameters:
    ///   - rd: The point in RD New metres.
    ///   - country: The country.
    /// - Returns: The distance in RD New metres, or `nil` when the borders file has no territory
    ///   for `country` (it only has NL, BE and DE).
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    public func distance(from rd: RDPoint, to country: CountryCode) throws -> Double? {
        guard let t = territories.first(where: { $0.country == country }) else { return nil }
        return try t.area.distance(to: try context.makePoint(x: rd.x, y: rd.y))
    }

    /// Whether a point lies within `meters` of a country's territory (inside it counts).
    ///
    /// Much cheaper than comparing ``distance(from:to:)``: inside the territory it is one indexed
    /// point-in-polygon test (`GEOSPreparedCovers_r`), outside it one indexed test of the square
    /// of half-side `meters` around the point (`GEOSPreparedIntersects_r`), and only when that
    /// square touches the territory the exact distance (`GEOSPreparedDistanceWithin_r`).
    ///
    /// - Parameters:
    ///   - rd: The point in RD New metres.
    ///   - meters: The largest distance that counts.
    ///   - country: The country.
    /// - Returns: `nil` when the borders file has no territory for `country`.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    public func isPoint(_ rd: RDPoint, within meters: Double, of country: CountryCode) throws -> Bool? {
        guard let t = territories.first(where: { $0.country == country }) else { return nil }
        let point = try context.makePoint(x: rd.x, y: rd.y)
        if t.reach.contains(x: rd.x, y: rd.y), try t.area.covers(point) { return true }
        return try isNear(t.area, point, rd, meters)
    }

    /// The distance in metres from a point to the boundary of a country's territory (its land
    /// borders and the outer limit of its territorial sea), from inside or outside.
    ///
    /// - Returns: `nil` when the borders file has no territory for `country`.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    public func distanceToBoundary(from rd: RDPoint, of country: CountryCode) throws -> Double? {
        guard let t = territories.first(where: { $0.country == country }) else { return nil }
        return try t.boundary.distance(to: try context.makePoint(x: rd.x, y: rd.y))
    }

    // MARK: - Private

    /// Whether `geometry` lies within `meters` of the point: a cheap indexed test of the square
    /// of half-side `meters` around it first (GEOS 3.11's distance search is slow for far points),
    /// the exact distance only when the square touches the geometry.
    private func isNear(
        _ geometry: GEOSPreparedGeometry, _ point: GEOSGeometry, _ rd: RDPoint, _ meters: Double
    ) throws -> Bool {
        let square = try context.makeRectangle(
            Envelope(minX: rd.x - meters, minY: rd.y - meters, maxX: rd.x + meters, maxY: rd.y + meters))
        guard try geometry.intersects(square) else { return false }
        return try geometry.isWithin(distance: meters, of: point)
    }
}
