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
    /// - Throws: ``GeoError`` `.parse` with message `WKT: <GEOS message>`, or naming the byte of a
    ///   NUL (which would end GEOS's C string early); `.geos` if no reader could be made.
    package func readWKT(_ text: String) throws -> GEOSGeometry {
        // GEOS takes a C string: text after a NUL byte would be silently ignored.
        if let (line, offset) = TextBytes.firstNUL(in: text.utf8) {
            throw GeoError(.parse, "WKT: line \(line): byte \(offset) is a NUL byte (0x00); WKT is text and may not contain one")
        }
        if let offset = GeometryNesting.wktExcess(text) {
            throw GeoError(
                .parse, "WKT: parentheses nested deeper than \(GeometryNesting.maxDepth) (byte \(offset))")
        }
        let reader = try GEOSIOHandle.wktReader(self)
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
        let writer = try GEOSIOHandle.wktWriter(context)
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

/// Owns one GEOS reader or writer (`GEOSWKTReader*`, `GEOSWKTWriter*`, `GEOSWKBReader*`,
/// `GEOSWKBWriter*`) made in `context`, freed exactly once with its own `_destroy_r` function.
final class GEOSIOHandle {
    /// The context the handle was made in; kept alive by this reference.
    let context: GEOSContext
    /// The owned reader or writer.
    let pointer: OpaquePointer
    private let destroy: (GEOSContextHandle_t, OpaquePointer) -> Void

    private init(
        context: GEOSContext, creator: String, create: (GEOSContextHandle_t) -> OpaquePointer?,
        destroy: @escaping (GEOSContextHandle_t, OpaquePointer) -> Void
    ) throws {
        context.assertUsable()
        guard let raw = create(context.handle) else { throw context.error(creator) }  // NULL on failure
        self.pointer = raw
        self.context = context
        self.destroy = destroy
        context.handleCreated()
    }

    deinit {
        context.assertUsable()
        destroy(context.handle, pointer)
        context.handleDestroyed()
    }

    /// A WKT reader (`GEOSWKTReader_create_r`).
    static func wktReader(_ context: GEOSContext) throws -> GEOSIOHandle {
        try GEOSIOHandle(
            context: context, creator: "GEOSWKTReader_create_r", create: { GEOSWKTReader_create_r($0) },
            destroy: { GEOSWKTReader_destroy_r($0, $1) })
    }

    /// A WKT writer (`GEOSWKTWriter_create_r`).
    static func wktWriter(_ context: GEOSContext) throws -> GEOSIOHandle {
        try GEOSIOHandle(
            context: context, creator: "GEOSWKTWriter_create_r", create: { GEOSWKTWriter_create_r($0) },
            destroy: { GEOSWKTWriter_destroy_r($0, $1) })
    }

    /// A WKB reader (`GEOSWKBReader_create_r`).
    static func wkbReader(_ context: GEOSContext) throws -> GEOSIOHandle {
        try GEOSIOHandle(
            context: context, creator: "GEOSWKBReader_create_r", create: { GEOSWKBReader_create_r($0) },
            destroy: { GEOSWKBReader_destroy_r($0, $1) })
    }

    /// A WKB writer (`GEOSWKBWriter_create_r`).
    static func wkbWriter(_ context: GEOSContext) throws -> GEOSIOHandle {
        try GEOSIOHandle(
            context: context, creator: "GEOSWKBWriter_create_r", create: { GEOSWKBWriter_create_r($0) },
            destroy: { GEOSWKBWriter_destroy_r($0, $1) })
    }
}
