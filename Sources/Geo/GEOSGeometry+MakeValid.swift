import CGEOS

/// How GEOS MakeValid rebuilds an invalid geometry (`enum GEOSMakeValidMethods`).
public enum MakeValidMethod: String, Sendable, CaseIterable {
    /// `GEOS_MAKE_VALID_LINEWORK`: the original algorithm; keeps every edge, so collapsed parts
    /// come back as lines or points, and a bowtie becomes two triangles.
    case linework
    /// `GEOS_MAKE_VALID_STRUCTURE` (GEOS ≥ 3.10): rebuilds shells and holes separately
    /// (shells unioned, holes subtracted); collapsed parts are dropped, so the result of a polygon
    /// is always polygonal.
    case structure
}

// MARK: - MakeValid

extension GEOSGeometry {
    /// A valid geometry covering the same points as this one, made by GEOS MakeValid.
    ///
    /// See `GEOSMakeValidWithParams_r`, `GEOSMakeValidParams_setMethod_r` and
    /// `GEOSMakeValidParams_setKeepCollapsed_r`. The parameter object is freed before returning.
    ///
    /// - Parameters:
    ///   - method: The algorithm.
    ///   - keepCollapsed: For ``MakeValidMethod/structure`` only: keep parts that collapse to
    ///     lines or points (`false`, the default, drops them).
    /// - Returns: An owned geometry; it may be of another type (a `GeometryCollection` holding a
    ///   `LineString` for a spike under the linework method, `POLYGON EMPTY` for a ring of two
    ///   distinct points under the structure method).
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func makeValid(method: MakeValidMethod, keepCollapsed: Bool = false) throws -> GEOSGeometry {
        guard let params = GEOSMakeValidParams_create_r(handle) else {
            throw context.error("GEOSMakeValidParams_create_r")
        }
        defer { GEOSMakeValidParams_destroy_r(handle, params) }
        let cMethod = method == .linework ? GEOS_MAKE_VALID_LINEWORK : GEOS_MAKE_VALID_STRUCTURE
        // Both setters return 1 on success, 0 on exception.
        guard GEOSMakeValidParams_setMethod_r(handle, params, cMethod) == 1 else {
            throw context.error("GEOSMakeValidParams_setMethod_r")
        }
        guard GEOSMakeValidParams_setKeepCollapsed_r(handle, params, keepCollapsed ? 1 : 0) == 1 else {
            throw context.error("GEOSMakeValidParams_setKeepCollapsed_r")
        }
        guard let raw = GEOSMakeValidWithParams_r(handle, pointer, params) else {
            throw context.error("GEOSMakeValidWithParams_r")
        }
        return GEOSGeometry(owning: raw, context: context)
    }

    // MARK: - Components

    /// The number of parts: 1 for a single geometry, the member count of a collection.
    ///
    /// See `GEOSGetNumGeometries_r`.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package var partCount: Int {
        get throws {
            let count = GEOSGetNumGeometries_r(handle, pointer)  // returns -1 on exception
            guard count >= 0 else { throw context.error("GEOSGetNumGeometries_r") }
            return Int(count)
        }
    }

    /// The polygons of this geometry, looking into collections, and the types of everything else.
    ///
    /// A `Polygon` or `MultiPolygon` gives its non-empty polygons; a `GeometryCollection` gives the
    /// polygons of its polygonal members (recursively) and names the others, in order. Children
    /// are borrowed (`GEOSGetGeometryN_r`) and copied out as coordinates.
    ///
    /// - Returns: The polygons, and the types of the non-polygonal parts that were left out
    ///   (empty parts are not listed).
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    /// - Complexity: O(n) in the number of vertices.
    package func polygonalParts() throws -> (polygons: [PlanarPolygon], dropped: [GeometryType]) {
        var polygons: [PlanarPolygon] = []
        var dropped: [GeometryType] = []
        try Self.collectPolygonalParts(borrowed: pointer, in: context, into: &polygons, dropped: &dropped)
        return (polygons, dropped)
    }

    private static func collectPolygonalParts(
        borrowed geometry: OpaquePointer, in context: GEOSContext, into polygons: inout [PlanarPolygon],
        dropped: inout [GeometryType]
    ) throws {
        let handle = context.handle
        let raw = GEOSGeomTypeId_r(handle, geometry)  // returns -1 on exception
        guard raw >= 0 else { throw context.error("GEOSGeomTypeId_r") }
        guard let type = GeometryType(rawValue: raw) else {
            throw GeoError(.unsupportedGeometry, "GEOS geometry type id \(raw) is not supported")
        }
        switch type {
        case .polygon, .multiPolygon:
            // Borrowed: wrap in a clone so that polygons() can be reused without taking ownership.
            guard let copy = GEOSGeom_clone_r(handle, geometry) else { throw context.error("GEOSGeom_clone_r") }
            polygons += try GEOSGeometry(owning: copy, context: context).polygons()
        case .geometryCollection:
            let count = GEOSGetNumGeometries_r(handle, geometry)  // returns -1 on exception
            guard count >= 0 else { throw context.error("GEOSGetNumGeometries_r") }
            for index in 0..<count {
                guard let part = GEOSGetGeometryN_r(handle, geometry, index) else {  // borrowed
                    throw context.error("GEOSGetGeometryN_r")
                }
                try collectPolygonalParts(borrowed: part, in: context, into: &polygons, dropped: &dropped)
            }
        default:
            switch GEOSisEmpty_r(handle, geometry) {  // returns 1 true, 0 false, 2 exception
            case 1: break
            case 0: dropped.append(type)
            default: throw context.error("GEOSisEmpty_r")
            }
        }
    }
}
