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
        let reader = try GEOSWKBReaderHandle(context: self)
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
        let writer = try GEOSWKBWriterHandle(context: context)
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

// MARK: - Owners of the reader and writer handles

/// Owns a `GEOSWKBReader*`, freed with `GEOSWKBReader_destroy_r`.
final class GEOSWKBReaderHandle {
    /// The context the reader was made in; kept alive by this reference.
    let context: GEOSContext
    /// The owned reader.
    let pointer: OpaquePointer

    /// Creates a reader with `GEOSWKBReader_create_r`.
    init(context: GEOSContext) throws {
        context.assertOwningThread()
        guard let raw = GEOSWKBReader_create_r(context.handle) else {  // returns NULL on failure
            throw context.error("GEOSWKBReader_create_r")
        }
        self.pointer = raw
        self.context = context
        context.handleCreated()
    }

    deinit {
        context.assertOwningThread()
        GEOSWKBReader_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }
}

/// Owns a `GEOSWKBWriter*`, freed with `GEOSWKBWriter_destroy_r`.
final class GEOSWKBWriterHandle {
    /// The context the writer was made in; kept alive by this reference.
    let context: GEOSContext
    /// The owned writer.
    let pointer: OpaquePointer

    /// Creates a writer with `GEOSWKBWriter_create_r`.
    init(context: GEOSContext) throws {
        context.assertOwningThread()
        guard let raw = GEOSWKBWriter_create_r(context.handle) else {  // returns NULL on failure
            throw context.error("GEOSWKBWriter_create_r")
        }
        self.pointer = raw
        self.context = context
        context.handleCreated()
    }

    deinit {
        context.assertOwningThread()
        GEOSWKBWriter_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }
}
