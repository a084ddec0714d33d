import CGEOS

// MARK: - WKB reading and writing

extension GEOSContext {
    /// Parses Well-Known Binary (OGC/ISO WKB, either byte order) into a geometry.
    ///
    /// See `GEOSWKBReader_read_r`.
    ///
    /// - Parameter bytes: The WKB, for example the body of a GeoPackage geometry blob.
    /// - Returns: An owned geometry.
    /// - Throws: ``GeoError`` `.parse` with message `WKB: <GEOS message>`; `.geos` if no reader
    ///   could be made.
    package func readWKB(_ bytes: [UInt8]) throws -> GEOSGeometry {
        guard !bytes.isEmpty else { throw GeoError(.parse, "WKB: no bytes") }
        if let offset = GeometryNesting.wkbExcess(bytes) {
            throw GeoError(
                .parse, "WKB: geometries nested deeper than \(GeometryNesting.maxDepth) (byte \(offset))")
        }
        let reader = try GEOSIOHandle.wkbReader(self)
        let raw = withExtendedLifetime(reader) {
            bytes.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, reader.pointer, $0.baseAddress, $0.count) }
        }
        guard let raw else { throw error(.parse, "WKB") }  // returns NULL on a parse error
        return GEOSGeometry(owning: raw, context: self)
    }
}

extension GEOSGeometry {
    /// Writes the geometry as two-dimensional little-endian ISO WKB (no SRID).
    ///
    /// See `GEOSWKBWriter_write_r`. The buffer GEOS allocates is copied and freed with `GEOSFree_r`.
    ///
    /// - Returns: The WKB bytes, e.g. `01 03 00 00 00 …` for a polygon.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func toWKB() throws -> [UInt8] {
        let writer = try GEOSIOHandle.wkbWriter(context)
        var size = 0
        let buffer = withExtendedLifetime(writer) {
            GEOSWKBWriter_setOutputDimension_r(handle, writer.pointer, 2)
            GEOSWKBWriter_setByteOrder_r(handle, writer.pointer, Int32(GEOS_WKB_NDR.rawValue))
            GEOSWKBWriter_setFlavor_r(handle, writer.pointer, Int32(GEOS_WKB_ISO.rawValue))
            GEOSWKBWriter_setIncludeSRID_r(handle, writer.pointer, 0)
            return GEOSWKBWriter_write_r(handle, writer.pointer, pointer, &size)  // returns NULL on failure
        }
        guard let buffer else { throw context.error("GEOSWKBWriter_write_r") }
        defer { GEOSFree_r(handle, buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: size))
    }
}
