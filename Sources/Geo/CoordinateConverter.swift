import FanoutCore
import Foundation

/// Converts points between input CRSs and RD New, caching one PROJ transformer per CRS pair.
///
/// Owns its ``PROJContext``; one caller uses it at a time (each FanOut worker, each import has
/// its own), on any thread. Typed entry points take ``LonLat`` or ``SourcePoint`` and give ``RDPoint``, so a
/// projected point can never be passed where a geographic one is expected.
///
/// RD New is computed with RDNAPTRANS2018, NSGI's official transformation, through
/// ``RDGridTransformation``: the correction grid inside its area (50…56° N, 2…8° E, within
/// 1 mm of NSGI's validation points), the datum transformation alone outside it, and every batch
/// call reports which points were outside (``RDTransformReport``). WGS84 is taken as ETRS89, as
/// PROJ and EPSG:28992's usual transformations do; other CRSs reach ETRS89 with PROJ's own
/// choice of operation first. Without the grid file the initialiser throws, unless the caller
/// allows it (``RDGridRequirement/optional``) or asks for ``RDGridSource/withoutGrid``; then
/// ``rdAccuracy`` says so.
///
/// - Important: Not `Sendable`: it moves with its owner (one caller at a time, any thread), never
///   shared; an owner working over several calls enters ``use``.
public final class CoordinateConverter {
    /// How RD New is computed: with the correction grid (and where it is) or without it.
    public let rdAccuracy: RDAccuracy
    private let context: PROJContext
    private let rdGrid: RDGridTransformation?
    private var cache: [Pair: Transformer] = [:]

    private struct Pair: Hashable {
        var source: CRS
        var target: CRS
    }

    /// Creates a converter with its own PROJ context and the RDNAPTRANS2018 correction grid of
    /// a data directory.
    ///
    /// - Parameters:
    ///   - data: Where `rdtrans2018.gsb` is (default: the package's own files).
    ///   - rdGrid: Whether the grid must be there (default) or RD New may go without it (errors up
    ///     to 0.25 m; ``rdAccuracy`` then says `.withoutGrid`).
    /// - Throws: ``GeoError`` `.correctionGrid` when a required grid is missing, or a grid is
    ///   unreadable (the message names the file, the directory searched and how to fix it),
    ///   `.proj` when PROJ cannot make a context.
    public convenience init(data: DataDirectory = .bundled, rdGrid: RDGridRequirement = .required) throws {
        try self.init(rdGrid: .data(data, rdGrid))
    }

    /// Creates a converter with its own PROJ context and the correction grid from `rdGrid`.
    ///
    /// - Parameter rdGrid: Where the grid is, or ``RDGridSource/withoutGrid`` to use PROJ's own
    ///   datum transformation (errors up to 0.25 m; ``rdAccuracy`` is then `.withoutGrid`).
    /// - Throws: ``GeoError`` `.correctionGrid` when the grid is missing or unreadable, `.proj`
    ///   when PROJ cannot make a context.
    public init(rdGrid: RDGridSource) throws {
        let context = try PROJContext()
        self.context = context
        if let file = try RDCorrectionGrid.locate(rdGrid) {
            self.rdGrid = try RDGridTransformation(gridFile: file, context: context)
            self.rdAccuracy = .correctionGrid(path: file.path)
        } else {
            self.rdGrid = nil
            self.rdAccuracy = .withoutGrid
        }
    }

    /// The one-caller-at-a-time check of the converter's PROJ context (owners enter it around an
    /// operation; see ``ExclusiveUse``).
    package var use: ExclusiveUse { context.use }

    /// The cached transformer from `source` to `target` with the operation PROJ picks
    /// (`proj_create_crs_to_crs`), made on first use.
    ///
    /// This is PROJ's choice *without* the RDNAPTRANS2018 grid: use it to ask whether PROJ can
    /// transform a CRS or a point at all, and for pairs that do not involve RD New. Positions in
    /// RD New come from ``toRD(xs:ys:from:)`` and go back with ``toLonLat(xs:ys:from:)``.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` or `.proj`.
    package func transformer(from source: CRS, to target: CRS) throws -> Transformer {
        let key = Pair(source: source, target: target)
        if let t = cache[key] { return t }
        let t = try Transformer(from: source, to: target, context: context)
        cache[key] = t
        return t
    }

    /// Checks that `crs` can be transformed to RD New the way ``toRD(xs:ys:from:)`` does it.
    ///
    /// - Parameters:
    ///   - place: Where the CRS was named (a file's field), for the message; `nil` for the caller's own.
    ///   - location: Where it was named, as data (``ErrorLocation/field`` `crs` for the caller's own CRS).
    /// - Throws: ``GeoError`` `.unknownCRS` naming the code and `place` when PROJ does not know it
    ///   (see ``GeoError/unknownCRS(_:at:reason:location:)``).
    public func validate(_ crs: CRS, at place: String? = nil, location: ErrorLocation? = nil) throws {
        if crs == .rdNew { return }
        try context.requireKnown(crs, at: place, location: location)
        if rdGrid != nil {
            if !Self.isETRS89(crs) { _ = try transformer(from: crs, to: RDGridTransformation.etrs89) }
        } else {
            _ = try transformer(from: crs, to: .rdNew)
        }
    }

    // MARK: - To RD New

    /// Transforms coordinates given in `crs` to RD New in place (`xs`/`ys` become RD metres).
    ///
    /// When `crs` is RD New itself the values are left exactly as they are. WGS84 and ETRS89
    /// go straight into RDNAPTRANS2018; other CRSs are first transformed to ETRS89 by PROJ.
    ///
    /// - Parameters:
    ///   - xs: First coordinates (longitude for geographic CRSs), replaced by RD x.
    ///   - ys: Second coordinates (latitude for geographic CRSs), replaced by RD y.
    ///   - crs: The CRS the input is in.
    /// - Returns: Which points the correction grid did not apply to (all of them without the grid).
    /// - Throws: ``GeoError`` `.proj` naming a point that cannot be transformed at all.
    /// - Complexity: O(n), a few batched PROJ calls.
    @discardableResult
    public func toRD(xs: inout [Double], ys: inout [Double], from crs: CRS) throws -> RDTransformReport {
        precondition(xs.count == ys.count, "coordinate arrays differ in length")
        let n = xs.count
        if crs == .rdNew { return RDTransformReport(pointCount: n, uncorrected: []) }
        guard let rdGrid else {
            try transformer(from: crs, to: .rdNew).transform(xs: &xs, ys: &ys)
            return RDTransformReport(pointCount: n, uncorrected: Array(0..<n))
        }
        if !Self.isETRS89(crs) {
            try transformer(from: crs, to: RDGridTransformation.etrs89).transform(xs: &xs, ys: &ys)
        }
        return RDTransformReport(pointCount: n, uncorrected: try rdGrid.toRD(xs: &xs, ys: &ys))
    }

    /// Transforms WGS84 lon/lat points to RD New.
    ///
    /// Use ``toRD(xs:ys:from:)`` to learn which points were outside the correction grid.
    ///
    /// - Throws: ``GeoError`` `.proj` when a point cannot be transformed.
    /// - Complexity: O(n), a few batched PROJ calls.
    public func toRD(_ points: [LonLat]) throws -> [RDPoint] {
        var xs = points.map(\.lon)
        var ys = points.map(\.lat)
        try toRD(xs: &xs, ys: &ys, from: .wgs84)
        return zip(xs, ys).map { RDPoint(x: $0, y: $1) }
    }

    /// Transforms one WGS84 lon/lat point to RD New.
    ///
    /// - Throws: ``GeoError`` `.proj` when the point cannot be transformed.
    public func toRD(_ point: LonLat) throws -> RDPoint {
        var xs = [point.lon]
        var ys = [point.lat]
        try toRD(xs: &xs, ys: &ys, from: .wgs84)
        return RDPoint(x: xs[0], y: ys[0])
    }

    // MARK: - To WGS84

    /// Transforms coordinates given in `crs` to WGS84 lon/lat in place.
    ///
    /// When `crs` is WGS84 itself the values are left exactly as they are. RD New goes back
    /// through RDNAPTRANS2018 (the inverse of ``toRD(xs:ys:from:)``); other CRSs through PROJ.
    ///
    /// - Returns: For RD New input, which points the correction grid did not apply to; for other
    ///   CRSs no points (the grid plays no part).
    /// - Throws: ``GeoError`` `.proj` naming a point that cannot be transformed.
    /// - Complexity: O(n), a few batched PROJ calls.
    @discardableResult
    public func toLonLat(xs: inout [Double], ys: inout [Double], from crs: CRS) throws -> RDTransformReport {
        precondition(xs.count == ys.count, "coordinate arrays differ in length")
        let n = xs.count
        if crs == .wgs84 { return RDTransformReport(pointCount: n, uncorrected: []) }
        guard crs == .rdNew else {
            try transformer(from: crs, to: .wgs84).transform(xs: &xs, ys: &ys)
            return RDTransformReport(pointCount: n, uncorrected: [])
        }
        guard let rdGrid else {
            try transformer(from: .rdNew, to: .wgs84).transform(xs: &xs, ys: &ys)
            return RDTransformReport(pointCount: n, uncorrected: Array(0..<n))
        }
        return RDTransformReport(pointCount: n, uncorrected: try rdGrid.toETRS89(xs: &xs, ys: &ys))
    }

    /// Transforms RD New points to WGS84 lon/lat.
    ///
    /// - Throws: ``GeoError`` `.proj` when a point cannot be transformed.
    public func toLonLat(_ points: [RDPoint]) throws -> [LonLat] {
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        try toLonLat(xs: &xs, ys: &ys, from: .rdNew)
        return zip(xs, ys).map { LonLat(lon: $0, lat: $1) }
    }

    /// WGS84 and ETRS89 enter RDNAPTRANS2018 directly (WGS84 taken as ETRS89).
    private static func isETRS89(_ crs: CRS) -> Bool {
        crs == .wgs84 || crs == RDGridTransformation.etrs89
    }
}
