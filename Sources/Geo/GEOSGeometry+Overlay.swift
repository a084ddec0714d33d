import CGEOS

// MARK: - Overlay and label points

extension GEOSGeometry {
    /// The part of this geometry that lies in `other` as well.
    ///
    /// See `GEOSIntersection_r`. Both must be valid for a meaningful answer; GEOS raises an
    /// exception (a `TopologyException`) for some invalid inputs.
    ///
    /// - Parameter other: A geometry made in the same context.
    /// - Returns: An owned geometry (possibly empty, possibly a collection of lower dimension where
    ///   the two only touch).
    /// - Throws: ``GeoError`` `.geos` with GEOS's message when the overlay fails.
    package func intersection(_ other: GEOSGeometry) throws -> GEOSGeometry {
        context.assertUsable()
        let raw = withExtendedLifetime(other) { GEOSIntersection_r(handle, pointer, other.pointer) }
        guard let raw else { throw context.error("GEOSIntersection_r") }  // returns NULL on exception
        return GEOSGeometry(owning: raw, context: context)
    }

    /// A point guaranteed to lie in the interior of the geometry (a good place for a label).
    ///
    /// See `GEOSPointOnSurface_r`.
    ///
    /// - Returns: The point, or `nil` for an empty geometry.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func pointOnSurface() throws -> XY? {
        guard try !isEmpty else { return nil }
        guard let raw = GEOSPointOnSurface_r(handle, pointer) else {  // returns NULL on exception
            throw context.error("GEOSPointOnSurface_r")
        }
        let point = GEOSGeometry(owning: raw, context: context)
        guard try !point.isEmpty else { return nil }
        return try point.pointXY()
    }
}

// MARK: - Union

extension GEOSGeometry {
    /// The union of all parts of this geometry, dissolving the boundaries between parts that
    /// overlap or touch.
    ///
    /// See `GEOSUnaryUnion_r`. For a multipolygon whose parts overlap (not valid as a
    /// multipolygon, but each part a valid polygon) the result is valid: a `Polygon` or a
    /// `MultiPolygon`. Invalid parts (a self-intersecting ring) may make GEOS raise a
    /// `TopologyException`; check the parts with ``validity()`` first.
    ///
    /// - Returns: An owned geometry.
    /// - Throws: ``GeoError`` `.geos` with GEOS's message when the union fails.
    package func unaryUnion() throws -> GEOSGeometry {
        guard let raw = GEOSUnaryUnion_r(handle, pointer) else {  // returns NULL on exception
            throw context.error("GEOSUnaryUnion_r")
        }
        return GEOSGeometry(owning: raw, context: context)
    }
}
