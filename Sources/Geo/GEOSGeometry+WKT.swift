import CGEOS

// MARK: - WKT reading and writing

extension GEOSContext {
    /// Parses Well-Known Text into a geometry.
    ///
    /// See `GEOSWKTReader_read_r`.
    /// Any geometry type is accepted; the reader rejects structurally broken input such as an
    /// unclosed ring or a ring of fewer than 4 points, with GEOS's message.
    ///
    /// - Parameter text: The WKT, for example `POLYGON ((0 0, 1 0, 1 1, 0 0))`.
    /// - Returns: An owned geometry.
    /// - Throws: ``GeoError`` `.parse` with message `WKT: <GEOS message>`; `.geos` if no reader
    ///   could be made.
    package func readWKT(_ text: String) throws -> GEOSGeometry {
        if let offset = GeometryNesting.wktExcess(text) {
            throw GeoError(
                .parse, "WKT: parentheses nested deeper than \(GeometryNesting.maxDepth) (byte \(offset))")
        }
        let reader = try GEOSWKTReaderHandle(context: self)
        // The reader must outlive the call, not just the load of its pointer.
        let raw = withExtendedLifetime(reader) { GEOSWKTReader_read_r(handle, reader.pointer, text) }
        guard let raw else { throw error(.parse, "WKT") }
        return GEOSGeometry(owning: raw, context: self)
    }
}

extension GEOSGeometry {
    /// Writes the geometry as Well-Known Text, with trailing zeros trimmed.
    ///
    /// See `GEOSWKTWriter_write_r`.
    ///
    /// - Returns: WKT such as `POLYGON ((0 0, 10 0, 10 10, 0 0))`.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package func toWKT() throws -> String {
        let writer = try GEOSWKTWriterHandle(context: context)
        let buffer = withExtendedLifetime(writer) {
            GEOSWKTWriter_setTrim_r(handle, writer.pointer, 1)
            return GEOSWKTWriter_write_r(handle, writer.pointer, pointer)
        }
        guard let buffer else { throw context.error("GEOSWKTWriter_write_r") }
        defer { GEOSFree_r(handle, buffer) }
        return String(cString: buffer)
    }
}

// MARK: - Owners of the reader and writer handles

/// Owns a `GEOSWKTReader*`, freed with `GEOSWKTReader_destroy_r`.
final class GEOSWKTReaderHandle {
    /// The context the reader was made in; kept alive by this reference.
    let context: GEOSContext
    /// The owned reader.
    let pointer: OpaquePointer

    /// Creates a reader with `GEOSWKTReader_create_r`.
    init(context: GEOSContext) throws {
        context.assertOwningThread()
        guard let raw = GEOSWKTReader_create_r(context.handle) else {
            throw context.error("GEOSWKTReader_create_r")
        }
        self.pointer = raw
        self.context = context
        context.handleCreated()
    }

    deinit {
        context.assertOwningThread()
        GEOSWKTReader_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }
}

/// Owns a `GEOSWKTWriter*`, freed with `GEOSWKTWriter_destroy_r`.
final class GEOSWKTWriterHandle {
    /// The context the writer was made in; kept alive by this reference.
    let context: GEOSContext
    /// The owned writer.
    let pointer: OpaquePointer

    /// Creates a writer with `GEOSWKTWriter_create_r`.
    init(context: GEOSContext) throws {
        context.assertOwningThread()
        guard let raw = GEOSWKTWriter_create_r(context.handle) else {
            throw context.error("GEOSWKTWriter_create_r")
        }
        self.pointer = raw
        self.context = context
        context.handleCreated()
    }

    deinit {
        context.assertOwningThread()
        GEOSWKTWriter_destroy_r(context.handle, pointer)
        context.handleDestroyed()
    }
}
