import Geo
import Participants

/// A closed disc in RD New: every point at distance ≤ `radiusMeters` from `center`.
///
/// Inclusion is decided by ``RDPoint/squaredDistance(to:)`` `<= radiusMeters * radiusMeters`,
/// so a point exactly on the circle is inside.
public struct CircleArea: Sendable, Hashable {
    /// Largest radius accepted: 500 km covers the Netherlands many times over.
    public static let maxRadiusMeters = 500_000.0

    /// The centre (also the incident point).
    public let center: RDPoint
    /// The radius in metres.
    public let radiusMeters: Double

    /// Creates a circle, checking the radius.
    ///
    /// - Throws: ``SelectionError`` `.invalidRadius` unless 0 < radius ≤ 500 km and finite.
    public init(center: RDPoint, radiusMeters: Double) throws {
        guard radiusMeters.isFinite, radiusMeters > 0 else {
            throw SelectionError(.invalidRadius, "radius \(radiusMeters) m: must be a positive number of metres")
        }
        guard radiusMeters <= Self.maxRadiusMeters else {
            throw SelectionError(
                .invalidRadius,
                "radius \(radiusMeters) m is absurd for an action area (at most \(Int(Self.maxRadiusMeters)) m)")
        }
        guard center.x.isFinite, center.y.isFinite else {
            throw SelectionError(.invalidPoint, "circle centre \(center) is not finite")
        }
        self.center = center
        self.radiusMeters = radiusMeters
    }

    /// Creates a circle without checking the radius (for internal candidate searches).
    package init(unchecked center: RDPoint, radiusMeters: Double) {
        self.center = center
        self.radiusMeters = radiusMeters
    }

    /// The bounding box of the disc.
    public var envelope: Envelope {
        Envelope(
            minX: center.x - radiusMeters, minY: center.y - radiusMeters, maxX: center.x + radiusMeters,
            maxY: center.y + radiusMeters)
    }

    /// Whether `(x, y)` lies in the closed disc.
    @inlinable
    public func contains(x: Double, y: Double) -> Bool {
        RDPoint(x: x, y: y).squaredDistance(to: center) <= radiusMeters * radiusMeters
    }
}

/// A validated polygon area in RD New, prepared for fast point tests.
///
/// - Important: Not `Sendable`: it holds GEOS handles of one ``GEOSContext``; use it with that
///   context's caller.
package final class PolygonArea {
    /// The polygons in RD New.
    package let polygons: [PlanarPolygon]
    /// The GEOS geometry in RD New.
    package let geometry: GEOSGeometry
    /// The prepared geometry, for `covers` tests.
    package let prepared: GEOSPreparedGeometry
    /// Bounding box in RD New.
    package let envelope: Envelope
    /// Area in m².
    package let areaSquareMeters: Double

    /// Builds and validates the RD polygon.
    ///
    /// - Parameters:
    ///   - source: Polygons as given, with their CRS.
    ///   - converter: Transforms vertices to RD New.
    ///   - context: The GEOS context of this thread.
    /// - Throws: ``SelectionError`` `.invalidArea` with GEOS's reason and the location of the
    ///   defect (in the source CRS), or when a vertex lies outside the ``ServiceRegion`` (with the
    ///   likely mix-up: degrees given in a projected CRS, metres given as degrees, swapped axes);
    ///   ``GeoError`` for rings GEOS cannot even build.
    package init(_ source: AreaGeometry, converter: CoordinateConverter, context: GEOSContext) throws {
        try Self.validate(try context.makeMultiPolygon(source.polygons), what: "\(source.source) (\(source.crs))")
        let vertices = source.polygons.distinctVertices
        if let misplaced = ServiceRegion.misplacement(
            of: vertices, in: source.crs, notation: source.notation, converter: converter) {
            throw SelectionError(
                .invalidArea, "\(source.source) (\(source.crs)): \(misplaced.message(noun: "vertices"))",
                remedies: misplaced.remedies)
        }
        var rd: [PlanarPolygon] = []
        for p in source.polygons {
            rd.append(
                PlanarPolygon(
                    shell: try Self.toRD(p.shell, from: source.crs, converter),
                    holes: try p.holes.map { try Self.toRD($0, from: source.crs, converter) }))
        }
        let geometry = try rd.count == 1 ? context.makePolygon(rd[0]) : context.makeMultiPolygon(rd)
        try Self.validate(geometry, what: "\(source.source) after transformation to RD New")
        self.polygons = rd
        self.geometry = geometry
        self.prepared = try GEOSPreparedGeometry(geometry)
        self.envelope = try geometry.envelope()
        self.areaSquareMeters = try geometry.area
    }

    private static func validate(_ g: GEOSGeometry, what: String) throws {
        if try g.isEmpty { throw SelectionError(.invalidArea, "\(what): the polygon is empty") }
        if case .invalid(let reason, let location) = try g.validity() {
            let at = location.map { " at \($0.x),\($0.y)" } ?? ""
            throw SelectionError(.invalidArea, "\(what): invalid polygon: \(reason)\(at); it is refused, not repaired")
        }
    }

    private static func toRD(_ ring: [XY], from crs: CRS, _ converter: CoordinateConverter) throws -> [XY] {
        var xs = ring.map(\.x)
        var ys = ring.map(\.y)
        try converter.toRD(xs: &xs, ys: &ys, from: crs)
        return zip(xs, ys).map { XY($0, $1) }
    }

    /// The centroid in RD New.
    package func centroid() throws -> RDPoint {
        let c = try geometry.centroid()
        return RDPoint(x: c.x, y: c.y)
    }

    /// Whether the point lies in the polygon or on its boundary (GEOS prepared `covers`).
    package func covers(x: Double, y: Double) throws -> Bool { try prepared.covers(x: x, y: y) }
}
