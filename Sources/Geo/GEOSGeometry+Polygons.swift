import CGEOS

// MARK: - Extracting polygon coordinates

extension GEOSGeometry {
    /// The coordinates of a `Polygon` or `MultiPolygon`, as plain values.
    ///
    /// Rings come out exactly as GEOS stores them (closed, orientation unchanged). Empty polygons
    /// (`POLYGON EMPTY`, or empty parts of a multipolygon) are left out, so `POLYGON EMPTY` gives
    /// `[]`; EMPTY holes are dropped too. The children read here (`GEOSGetGeometryN_r`, `GEOSGetExteriorRing_r`,
    /// `GEOSGetInteriorRingN_r`) are borrowed from this geometry and never freed.
    ///
    /// - Returns: One ``PlanarPolygon`` per non-empty polygon, in GEOS order.
    /// - Throws: ``GeoError`` `.unsupportedGeometry` ("expected a Polygon or MultiPolygon, got
    ///   <type>") for any other type; `.geos` on a GEOS failure.
    /// - Complexity: O(n) in the number of vertices.
    package func polygons() throws -> [PlanarPolygon] {
        let type = try typeID
        switch type {
        case .polygon:
            return try Self.polygon(borrowed: pointer, in: context).map { [$0] } ?? []
        case .multiPolygon:
            let count = GEOSGetNumGeometries_r(handle, pointer)  // returns -1 on exception
            guard count >= 0 else { throw context.error("GEOSGetNumGeometries_r") }
            var result: [PlanarPolygon] = []
            result.reserveCapacity(Int(count))
            for index in 0..<count {
                guard let part = GEOSGetGeometryN_r(handle, pointer, index) else {  // borrowed
                    throw context.error("GEOSGetGeometryN_r")
                }
                if let polygon = try Self.polygon(borrowed: part, in: context) {
                    result.append(polygon)
                }
            }
            return result
        default:
            throw GeoError(.unsupportedGeometry, "expected a Polygon or MultiPolygon, got \(type)")
        }
    }

    // MARK: - Private

    /// Reads a borrowed polygon, or `nil` when it is empty; the caller keeps its owner alive.
    private static func polygon(borrowed polygon: OpaquePointer, in context: GEOSContext) throws -> PlanarPolygon? {
        let handle = context.handle
        switch GEOSisEmpty_r(handle, polygon) {  // returns 1 true, 0 false, 2 exception
        case 1: return nil
        case 0: break
        default: throw context.error("GEOSisEmpty_r")
        }
        guard let shell = GEOSGetExteriorRing_r(handle, polygon) else {  // borrowed
            throw context.error("GEOSGetExteriorRing_r")
        }
        let holeCount = GEOSGetNumInteriorRings_r(handle, polygon)  // returns -1 on exception
        guard holeCount >= 0 else { throw context.error("GEOSGetNumInteriorRings_r") }
        var holes: [[XY]] = []
        holes.reserveCapacity(Int(holeCount))
        for index in 0..<holeCount {
            guard let hole = GEOSGetInteriorRingN_r(handle, polygon, index) else {  // borrowed
                throw context.error("GEOSGetInteriorRingN_r")
            }
            // An EMPTY hole (`POLYGON((…), EMPTY)`) encloses nothing: GEOS and JTS call such a
            // polygon valid, so it is dropped rather than reported as a ring of 0 points.
            switch GEOSisEmpty_r(handle, hole) {  // returns 1 true, 0 false, 2 exception
            case 1: continue
            case 0: break
            default: throw context.error("GEOSisEmpty_r")
            }
            holes.append(try coordinates(borrowedRing: hole, in: context))
        }
        return PlanarPolygon(shell: try coordinates(borrowedRing: shell, in: context), holes: holes)
    }

    /// Reads the coordinates of a borrowed ring through its borrowed coordinate sequence.
    private static func coordinates(borrowedRing ring: OpaquePointer, in context: GEOSContext) throws -> [XY] {
        let handle = context.handle
        guard let sequence = GEOSGeom_getCoordSeq_r(handle, ring) else {  // borrowed
            throw context.error("GEOSGeom_getCoordSeq_r")
        }
        var size: UInt32 = 0
        guard GEOSCoordSeq_getSize_r(handle, sequence, &size) == 1 else {  // returns 1 ok, 0 exception
            throw context.error("GEOSCoordSeq_getSize_r")
        }
        var points: [XY] = []
        points.reserveCapacity(Int(size))
        for index in 0..<size {
            var x = 0.0
            var y = 0.0
            guard GEOSCoordSeq_getXY_r(handle, sequence, index, &x, &y) == 1 else {  // 1 ok, 0 exception
                throw context.error("GEOSCoordSeq_getXY_r")
            }
            points.append(XY(x, y))
        }
        return points
    }
}
