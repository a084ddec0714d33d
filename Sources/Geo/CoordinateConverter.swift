import Foundation

/// Converts points between input CRSs and RD New, caching one PROJ transformer per CRS pair.
///
/// Owns its ``PROJContext``; make one per thread (each FanOut worker, each import) and keep it
/// there. Typed entry points take ``LonLat`` or ``SourcePoint`` and give ``RDPoint``, so a
/// projected point can never be passed where a geographic one is expected.
///
/// - Important: Not `Sendable`: use it on the thread that created it.
public final class CoordinateConverter {
    private let context: PROJContext
    private var cache: [Pair: Transformer] = [:]

    private struct Pair: Hashable {
        var source: CRS
        var target: CRS
    }

    /// Creates a converter with its own PROJ context.
    ///
    /// - Throws: ``GeoError`` `.proj` when PROJ cannot make a context.
    public init() throws { context = try PROJContext() }

    /// The cached transformer from `source` to `target`, made on first use.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` or `.proj`.
    package func transformer(from source: CRS, to target: CRS) throws -> Transformer {
        let key = Pair(source: source, target: target)
        if let t = cache[key] { return t }
        let t = try Transformer(from: source, to: target, context: context)
        cache[key] = t
        return t
    }

    /// Checks that PROJ can transform from `crs` to RD New.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` naming the code when PROJ does not know it.
    public func validate(_ crs: CRS) throws { _ = try transformer(from: crs, to: .rdNew) }

    /// Transforms WGS84 lon/lat points to RD New.
    ///
    /// - Throws: ``GeoError`` `.proj` when a point cannot be transformed.
    /// - Complexity: O(n), one batched PROJ call.
    public func toRD(_ points: [LonLat]) throws -> [RDPoint] {
        var xs = points.map(\.lon)
        var ys = points.map(\.lat)
        try transformer(from: .wgs84, to: .rdNew).transform(xs: &xs, ys: &ys)
        return zip(xs, ys).map { RDPoint(x: $0, y: $1) }
    }

    /// Transforms one WGS84 lon/lat point to RD New.
    public func toRD(_ point: LonLat) throws -> RDPoint {
        let r = try transformer(from: .wgs84, to: .rdNew).transform(x: point.lon, y: point.lat)
        return RDPoint(x: r.x, y: r.y)
    }

    /// Transforms coordinates given in `crs` to RD New in place (`xs`/`ys` become RD metres).
    ///
    /// When `crs` is RD New itself the values are left exactly as they are.
    public func toRD(xs: inout [Double], ys: inout [Double], from crs: CRS) throws {
        if crs == .rdNew { return }
        try transformer(from: crs, to: .rdNew).transform(xs: &xs, ys: &ys)
    }

    /// Transforms coordinates given in `crs` to WGS84 lon/lat in place.
    ///
    /// When `crs` is WGS84 itself the values are left exactly as they are.
    public func toLonLat(xs: inout [Double], ys: inout [Double], from crs: CRS) throws {
        if crs == .wgs84 { return }
        try transformer(from: crs, to: .wgs84).transform(xs: &xs, ys: &ys)
    }

    /// Transforms RD New points to WGS84 lon/lat.
    public func toLonLat(_ points: [RDPoint]) throws -> [LonLat] {
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        try toLonLat(xs: &xs, ys: &ys, from: .rdNew)
        return zip(xs, ys).map { LonLat(lon: $0, lat: $1) }
    }
}
