import CGEOS

/// A GEOS prepared geometry (`GEOSPreparedGeometry*`) for fast repeated predicates.
///
/// Preparing builds indexes over the base geometry's edges on first use, so testing many points
/// against one area is much cheaper than calling ``GEOSGeometry/covers(x:y:)`` each time. The
/// prepared geometry points into its base, so it keeps a strong reference to it. Freed with
/// `GEOSPreparedGeom_destroy_r`.
///
/// - Important: Use only on the thread of the base geometry's context (asserted in debug builds).
///   Prepared geometries build their indexes lazily and are not safe to share.
package final class GEOSPreparedGeometry {
    /// The geometry this was prepared from; kept alive because GEOS borrows it.
    package let base: GEOSGeometry
    /// The owned prepared geometry.
    let pointer: OpaquePointer

    /// Prepares a geometry.
    ///
    /// See `GEOSPrepare_r`.
    ///
    /// - Parameter base: The geometry to prepare (typically a polygon or multipolygon).
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package init(_ base: GEOSGeometry) throws {
        let context = base.context
        guard let raw = GEOSPrepare_r(base.handle, base.pointer) else {
            throw context.error("GEOSPrepare_r")
        }
        self.pointer = raw
        self.base = base
        context.handleCreated()
    }

    deinit {
        let context = base.context
        context.assertUsable()
        GEOSPreparedGeom_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }

    /// Whether the geometry covers the point: inside or on the boundary.
    ///
    /// See `GEOSPreparedCovers_r`. GEOS 3.11 has no `GEOSPreparedContainsXY`, so each call makes
    /// (and frees) a point geometry.
    ///
    /// - Parameters:
    ///   - x: The point's first coordinate.
    ///   - y: The point's second coordinate.
    /// - Returns: `true` if the point is inside or on the boundary.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    package func covers(x: Double, y: Double) throws -> Bool {
        let context = base.context
        let point = try context.makePoint(x: x, y: y)
        let result = withExtendedLifetime(point) {
            GEOSPreparedCovers_r(context.handle, pointer, point.pointer)
        }
        switch result {  // returns 1 true, 0 false, 2 exception
        case 1: return true
        case 0: return false
        default: throw context.error("GEOSPreparedCovers_r")
        }
    }
}

extension GEOSGeometry {
    /// Prepares this geometry for repeated predicates; same as ``GEOSPreparedGeometry/init(_:)``.
    ///
    /// - Returns: A prepared geometry that keeps this one alive.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func prepared() throws -> GEOSPreparedGeometry {
        try GEOSPreparedGeometry(self)
    }
}

/// How a rectangle relates to an area.
package enum RectangleRelation: Sendable, Equatable {
    /// Every point of the closed rectangle is in the area (interior or boundary).
    case inside
    /// No point of the closed rectangle is in the area.
    case outside
    /// Some points may be in, some not: test them one by one.
    case boundary
}

extension GEOSPreparedGeometry {
    /// Classifies a closed rectangle against the area: wholly covered, disjoint, or neither.
    ///
    /// See `GEOSPreparedCovers_r` and `GEOSPreparedIntersects_r` (robust predicates: exact for
    /// the rectangle's corners and edges as given).
    ///
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    package func relation(of rect: Envelope) throws -> RectangleRelation {
        let context = base.context
        let ring = [
            XY(rect.minX, rect.minY), XY(rect.maxX, rect.minY), XY(rect.maxX, rect.maxY), XY(rect.minX, rect.maxY),
            XY(rect.minX, rect.minY),
        ]
        let box = try context.makePolygon(PlanarPolygon(shell: ring))
        let covers = withExtendedLifetime(box) { GEOSPreparedCovers_r(context.handle, pointer, box.pointer) }
        switch covers {  // returns 1 true, 0 false, 2 exception
        case 1: return .inside
        case 0: break
        default: throw context.error("GEOSPreparedCovers_r")
        }
        let intersects = withExtendedLifetime(box) { GEOSPreparedIntersects_r(context.handle, pointer, box.pointer) }
        switch intersects {  // returns 1 true, 0 false, 2 exception
        case 1: return .boundary
        case 0: return .outside
        default: throw context.error("GEOSPreparedIntersects_r")
        }
    }
}
