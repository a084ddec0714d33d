import CGEOS

// MARK: - Building polygons from coordinates

extension GEOSContext {
    /// Makes a GEOS polygon from plain coordinates.
    ///
    /// The rings are checked before GEOS sees them, so a bad ring gives a message that names it:
    /// ring 1 is the shell and ring *k* + 1 is hole *k*. A ring needs at least 4 points, all
    /// finite, with the last equal to the first. Orientation is not checked and topology (self
    /// intersections, holes outside the shell) is not validated here: use
    /// ``GEOSGeometry/validity()`` for that.
    ///
    /// - Parameter polygon: The shell and holes, each ring closed.
    /// - Returns: An owned `Polygon`.
    /// - Throws: ``GeoError`` `.invalidGeometry` for a ring that is too short, not closed or has a
    ///   non-finite coordinate; `.geos` on a GEOS failure.
    /// - Complexity: O(n) in the number of vertices.
    package func makePolygon(_ polygon: PlanarPolygon) throws -> GEOSGeometry {
        assertUsable()
        try Self.checkRings(of: polygon, number: 1)
        return try buildPolygon(polygon)
    }

    /// Makes a GEOS multipolygon from plain coordinates.
    ///
    /// Every ring of every polygon is checked first, as in ``makePolygon(_:)``; polygons are
    /// numbered from 1 in error messages. An empty array gives `MULTIPOLYGON EMPTY`. Whether the
    /// parts overlap is not checked here (see ``GEOSGeometry/validity()``).
    ///
    /// - Parameter polygons: The parts.
    /// - Returns: An owned `MultiPolygon`.
    /// - Throws: ``GeoError`` `.invalidGeometry` for a bad ring; `.geos` on a GEOS failure.
    /// - Complexity: O(n) in the number of vertices.
    package func makeMultiPolygon(_ polygons: [PlanarPolygon]) throws -> GEOSGeometry {
        assertUsable()
        for (index, polygon) in polygons.enumerated() {
            try Self.checkRings(of: polygon, number: index + 1)
        }
        guard let count = UInt32(exactly: polygons.count) else {
            throw GeoError(.invalidGeometry, "a multipolygon of \(polygons.count) parts is too large for GEOS")
        }
        // Each part is owned by Swift until the collection takes it.
        let parts = try polygons.map { try buildPolygon($0) }
        // GEOSGeom_createCollection_r takes ownership of the parts even when it fails (GEOS 3.11.1
        // puts them in unique_ptrs first); the caller keeps the array itself.
        var pointers: [OpaquePointer?] = parts.map { $0.releaseOwnership() }
        let raw = pointers.withUnsafeMutableBufferPointer {
            GEOSGeom_createCollection_r(handle, Int32(GEOS_MULTIPOLYGON.rawValue), $0.baseAddress, count)
        }
        guard let raw else { throw error("GEOSGeom_createCollection_r") }
        return GEOSGeometry(owning: raw, context: self)
    }

    // MARK: - Private

    /// Builds a polygon whose rings were already checked.
    private func buildPolygon(_ polygon: PlanarPolygon) throws -> GEOSGeometry {
        let shell = try makeLinearRing(polygon.shell)
        let holes = try polygon.holes.map { try makeLinearRing($0) }
        guard let holeCount = UInt32(exactly: holes.count) else {
            throw GeoError(.invalidGeometry, "a polygon with \(holes.count) holes is too large for GEOS")
        }
        // GEOSGeom_createPolygon_r takes ownership of the shell and the holes, also when it fails
        // (it deletes them, see GEOS ticket #1111); the caller keeps the holes array.
        let shellPointer = shell.releaseOwnership()
        var holePointers: [OpaquePointer?] = holes.map { $0.releaseOwnership() }
        let raw = holePointers.withUnsafeMutableBufferPointer {
            GEOSGeom_createPolygon_r(handle, shellPointer, $0.baseAddress, holeCount)
        }
        guard let raw else { throw error("GEOSGeom_createPolygon_r") }
        return GEOSGeometry(owning: raw, context: self)
    }

    /// Builds a linear ring from checked coordinates.
    private func makeLinearRing(_ ring: [XY]) throws -> GEOSGeometry {
        guard let size = UInt32(exactly: ring.count) else {
            throw GeoError(.invalidGeometry, "a ring of \(ring.count) points is too large for GEOS")
        }
        guard let sequence = GEOSCoordSeq_create_r(handle, size, 2) else {
            throw error("GEOSCoordSeq_create_r")
        }
        for (index, point) in ring.enumerated() {
            // returns 1 ok, 0 exception
            guard GEOSCoordSeq_setXY_r(handle, sequence, UInt32(index), point.x, point.y) == 1 else {
                GEOSCoordSeq_destroy_r(handle, sequence)  // still ours: nothing took it yet
                throw error("GEOSCoordSeq_setXY_r")
            }
        }
        // The ring owns the sequence from here on, even on failure: GEOS 3.11.1 stores it in a
        // unique_ptr member before validating, so a failed call has already freed it, and
        // destroying it again here would be a double free (verified with valgrind).
        guard let raw = GEOSGeom_createLinearRing_r(handle, sequence) else {
            throw error(.invalidGeometry, "GEOSGeom_createLinearRing_r")
        }
        return GEOSGeometry(owning: raw, context: self)
    }

    /// Checks every ring of a polygon for length, finiteness and closure.
    ///
    /// - Parameters:
    ///   - polygon: The polygon to check.
    ///   - number: Its 1-based number, for messages.
    /// - Throws: ``GeoError`` `.invalidGeometry` naming the first bad ring.
    static func checkRings(of polygon: PlanarPolygon, number: Int) throws {
        try checkRing(polygon.shell, ring: 1, polygon: number)
        for (index, hole) in polygon.holes.enumerated() {
            try checkRing(hole, ring: index + 2, polygon: number)
        }
    }

    /// Checks one ring; `ring` and `polygon` are 1-based numbers used in the message.
    private static func checkRing(_ points: [XY], ring: Int, polygon: Int) throws {
        let name = "ring \(ring) of polygon \(polygon)"
        guard points.count >= 4 else {
            throw GeoError(
                .invalidGeometry, "\(name) has \(points.count) points; a ring needs at least 4 (closed)")
        }
        for (index, point) in points.enumerated() where !(point.x.isFinite && point.y.isFinite) {
            throw GeoError(
                .invalidGeometry,
                "\(name) has a non-finite coordinate at vertex index \(index): (\(point.x),\(point.y))")
        }
        if let first = points.first, let last = points.last, first != last {
            throw GeoError(
                .invalidGeometry,
                "\(name) is not closed: first point (\(first.x),\(first.y)) differs from last (\(last.x),\(last.y))")
        }
    }
}
