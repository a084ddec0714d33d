import CGEOS

/// The kind of a GEOS geometry, from `GEOSGeomTypeId_r`.
package enum GeometryType: Int32, Sendable, CaseIterable, CustomStringConvertible {
    /// `GEOS_POINT`.
    case point = 0
    /// `GEOS_LINESTRING`.
    case lineString = 1
    /// `GEOS_LINEARRING`.
    case linearRing = 2
    /// `GEOS_POLYGON`.
    case polygon = 3
    /// `GEOS_MULTIPOINT`.
    case multiPoint = 4
    /// `GEOS_MULTILINESTRING`.
    case multiLineString = 5
    /// `GEOS_MULTIPOLYGON`.
    case multiPolygon = 6
    /// `GEOS_GEOMETRYCOLLECTION`.
    case geometryCollection = 7

    /// The type name as in WKT, such as `Polygon` or `MultiPolygon`.
    package var description: String {
        switch self {
        case .point: "Point"
        case .lineString: "LineString"
        case .linearRing: "LinearRing"
        case .polygon: "Polygon"
        case .multiPoint: "MultiPoint"
        case .multiLineString: "MultiLineString"
        case .multiPolygon: "MultiPolygon"
        case .geometryCollection: "GeometryCollection"
        }
    }
}

/// An owned GEOS geometry (`GEOSGeometry*`), freed exactly once with `GEOSGeom_destroy_r`.
///
/// Instances come from a ``GEOSContext`` (``GEOSContext/makePolygon(_:)``,
/// ``GEOSContext/readWKT(_:)``, ...). Each keeps a strong reference to its context, so the
/// context cannot be finished while a geometry is alive. Children reached through
/// `GEOSGetGeometryN_r` or the ring accessors are borrowed: they are only used inside a method of
/// their parent and never wrapped or freed.
///
/// All operations that call GEOS can throw ``GeoError`` with code `.geos` and the GEOS message,
/// even those that practically never fail (`area`, `typeID`), because every C result is checked.
///
/// - Important: Use a geometry only on the thread of its context (asserted in debug builds).
package final class GEOSGeometry {
    /// The context that made the geometry and must be passed to every GEOS call on it.
    package let context: GEOSContext
    /// The owned pointer, valid while `isOwned` is true.
    let pointer: OpaquePointer
    /// False once ownership moved to GEOS (``releaseOwnership()``), so `deinit` must not free it.
    private var isOwned = true

    /// Takes ownership of a geometry GEOS just returned.
    ///
    /// - Parameters:
    ///   - pointer: A `GEOSGeometry*` returned by GEOS that nobody else owns.
    ///   - context: The context the pointer was made in.
    init(owning pointer: OpaquePointer, context: GEOSContext) {
        self.pointer = pointer
        self.context = context
        context.handleCreated()
    }

    deinit {
        guard isOwned else { return }
        context.assertUsable()
        GEOSGeom_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }

    /// Hands the pointer over to GEOS, as for a ring given to `GEOSGeom_createPolygon_r`.
    ///
    /// After this call the object must not be used again; its `deinit` frees nothing.
    ///
    /// - Returns: The pointer, now owned by whoever receives it.
    func releaseOwnership() -> OpaquePointer {
        precondition(isOwned, "GEOSGeometry ownership released twice")
        isOwned = false
        context.handleDestroyed()
        return pointer
    }

    /// The context handle, after checking that no other thread is inside the context.
    var handle: GEOSContextHandle_t {
        context.assertUsable()
        return context.handle
    }

    // MARK: - Type and emptiness

    /// The geometry's type.
    ///
    /// See `GEOSGeomTypeId_r`.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure, `.unsupportedGeometry` for a type this
    ///   enum does not know (for example curves in a newer GEOS).
    package var typeID: GeometryType {
        get throws {
            let raw = GEOSGeomTypeId_r(handle, pointer)  // returns -1 on exception
            guard raw >= 0 else { throw context.error("GEOSGeomTypeId_r") }
            guard let type = GeometryType(rawValue: raw) else {
                throw GeoError(.unsupportedGeometry, "GEOS geometry type id \(raw) is not supported")
            }
            return type
        }
    }

    /// Whether the geometry has no points, like `POLYGON EMPTY`.
    ///
    /// See `GEOSisEmpty_r`.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package var isEmpty: Bool {
        get throws {
            switch GEOSisEmpty_r(handle, pointer) {  // returns 1 true, 0 false, 2 exception
            case 1: return true
            case 0: return false
            default: throw context.error("GEOSisEmpty_r")
            }
        }
    }

    // MARK: - Measures

    /// The area in squared coordinate units (0 for points and lines).
    ///
    /// See `GEOSArea_r`. The value is only meaningful for valid geometries: a bowtie's area is 0.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package var area: Double {
        get throws {
            var value = 0.0
            guard GEOSArea_r(handle, pointer, &value) == 1 else {  // returns 1 ok, 0 exception
                throw context.error("GEOSArea_r")
            }
            return value
        }
    }

    /// The length in coordinate units; for areas, the perimeter of all rings.
    ///
    /// See `GEOSLength_r`.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package var length: Double {
        get throws {
            var value = 0.0
            guard GEOSLength_r(handle, pointer, &value) == 1 else {  // returns 1 ok, 0 exception
                throw context.error("GEOSLength_r")
            }
            return value
        }
    }

    /// The centroid.
    ///
    /// See `GEOSGetCentroid_r`.
    ///
    /// - Returns: The centre of mass of the highest-dimension components.
    /// - Throws: ``GeoError`` `.unsupportedGeometry` for an empty geometry, `.geos` on a GEOS failure.
    package func centroid() throws -> XY {
        guard try !isEmpty else {
            throw GeoError(.unsupportedGeometry, "centroid: the geometry is empty")
        }
        guard let raw = GEOSGetCentroid_r(handle, pointer) else { throw context.error("GEOSGetCentroid_r") }
        let point = GEOSGeometry(owning: raw, context: context)
        return try point.pointXY()
    }

    /// The bounding box.
    ///
    /// See `GEOSGeom_getXMin_r` and its siblings.
    ///
    /// - Returns: The smallest axis-aligned rectangle containing the geometry.
    /// - Throws: ``GeoError`` `.unsupportedGeometry` for an empty geometry (it has no envelope),
    ///   `.geos` on a GEOS failure.
    package func envelope() throws -> Envelope {
        guard try !isEmpty else {
            throw GeoError(.unsupportedGeometry, "envelope: the geometry is empty")
        }
        var minX = 0.0
        var minY = 0.0
        var maxX = 0.0
        var maxY = 0.0
        // Each returns 1 ok, 0 exception (or empty geometry, excluded above).
        guard GEOSGeom_getXMin_r(handle, pointer, &minX) == 1 else { throw context.error("GEOSGeom_getXMin_r") }
        guard GEOSGeom_getYMin_r(handle, pointer, &minY) == 1 else { throw context.error("GEOSGeom_getYMin_r") }
        guard GEOSGeom_getXMax_r(handle, pointer, &maxX) == 1 else { throw context.error("GEOSGeom_getXMax_r") }
        guard GEOSGeom_getYMax_r(handle, pointer, &maxY) == 1 else { throw context.error("GEOSGeom_getYMax_r") }
        return Envelope(minX: minX, minY: minY, maxX: maxX, maxY: maxY)
    }

    // MARK: - Predicates

    /// Whether the geometry covers the point: no point of it lies outside (boundary counts).
    ///
    /// Not prepared: use ``GEOSPreparedGeometry/covers(x:y:)`` for many points against one
    /// geometry. See `GEOSCovers_r`.
    ///
    /// - Parameters:
    ///   - x: The point's first coordinate.
    ///   - y: The point's second coordinate.
    /// - Returns: `true` if the point is inside or on the boundary.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception.
    package func covers(x: Double, y: Double) throws -> Bool {
        let point = try context.makePoint(x: x, y: y)
        let result = withExtendedLifetime(point) { GEOSCovers_r(handle, pointer, point.pointer) }
        switch result {  // returns 1 true, 0 false, 2 exception
        case 1: return true
        case 0: return false
        default: throw context.error("GEOSCovers_r")
        }
    }

    // MARK: - Internal helpers

    /// The coordinates of a non-empty point geometry.
    func pointXY() throws -> XY {
        var x = 0.0
        var y = 0.0
        guard GEOSGeomGetX_r(handle, pointer, &x) == 1 else { throw context.error("GEOSGeomGetX_r") }
        guard GEOSGeomGetY_r(handle, pointer, &y) == 1 else { throw context.error("GEOSGeomGetY_r") }
        return XY(x, y)
    }
}

extension GEOSContext {
    /// Makes a point geometry.
    ///
    /// See `GEOSGeom_createPointFromXY_r`.
    ///
    /// - Parameters:
    ///   - x: First coordinate.
    ///   - y: Second coordinate.
    /// - Returns: An owned point.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func makePoint(x: Double, y: Double) throws -> GEOSGeometry {
        assertUsable()
        guard let raw = GEOSGeom_createPointFromXY_r(handle, x, y) else {
            throw error("GEOSGeom_createPointFromXY_r")
        }
        return GEOSGeometry(owning: raw, context: self)
    }
}
