import CGEOS

/// A GEOS STR-tree (`GEOSSTRtree*`) over points identified by their index in the input arrays.
///
/// All points are inserted in `init`, because a GEOS STR-tree is built on its first query and
/// takes no inserts after that (GEOS 3.11 has no public `GEOSSTRtree_build`). Each item is stored
/// as the pointer-sized integer `index + 1`, so a null item pointer never appears; no Swift
/// memory is referenced from the tree.
///
/// Inserting copies the point's envelope into the tree node (GEOS 3.11.1:
/// `GEOSSTRtree_insert_r` calls `TemplateSTRtree<void*>::insert(*g->getEnvelopeInternal(), item)`,
/// and the leaf node stores `bounds(env)` by value), so the temporary point geometry is freed
/// right after each insert.
///
/// Points with a NaN coordinate have a null envelope, which GEOS skips: they are never returned,
/// which matches ``Envelope/contains(x:y:)`` being false for them.
///
/// - Important: Use only on the thread of its context (asserted in debug builds).
package final class GEOSPointSTRtree {
    /// The context the tree was made in; kept alive by this reference.
    package let context: GEOSContext
    /// The owned tree.
    private let pointer: OpaquePointer
    /// How many points were given to `init` (including any skipped NaN points).
    package let count: Int

    /// The node capacity passed to `GEOSSTRtree_create_r`.
    package static let nodeCapacity = 10

    /// Creates an empty tree with `GEOSSTRtree_create_r`.
    private init(context: GEOSContext, count: Int) throws {
        context.assertUsable()
        guard let raw = GEOSSTRtree_create_r(context.handle, Self.nodeCapacity) else {
            throw context.error("GEOSSTRtree_create_r")
        }
        self.pointer = raw
        self.context = context
        self.count = count
        context.handleCreated()
    }

    /// Builds a tree over the points `(xs[i], ys[i])`.
    ///
    /// - Parameters:
    ///   - context: The context to build in.
    ///   - xs: First coordinates.
    ///   - ys: Second coordinates; must have the same count as `xs`.
    /// - Precondition: `xs.count == ys.count` and the count fits in `Int32`.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    /// - Complexity: O(n) to insert; the tree is sorted (O(n log n)) on the first query.
    package convenience init(
        context: GEOSContext, xs: UnsafeBufferPointer<Double>, ys: UnsafeBufferPointer<Double>
    ) throws {
        precondition(xs.count == ys.count, "GEOSPointSTRtree: \(xs.count) x values but \(ys.count) y values")
        precondition(xs.count < Int(Int32.max), "GEOSPointSTRtree: too many points for Int32 indices")
        try self.init(context: context, count: xs.count)
        try insertAll(xs: xs, ys: ys)
    }

    /// Builds a tree over the points `(xs[i], ys[i])` given as arrays; see the buffer initializer.
    ///
    /// - Precondition: `xs.count == ys.count` and the count fits in `Int32`.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    package convenience init(context: GEOSContext, xs: [Double], ys: [Double]) throws {
        precondition(xs.count == ys.count, "GEOSPointSTRtree: \(xs.count) x values but \(ys.count) y values")
        precondition(xs.count < Int(Int32.max), "GEOSPointSTRtree: too many points for Int32 indices")
        try self.init(context: context, count: xs.count)
        try xs.withUnsafeBufferPointer { xs in
            try ys.withUnsafeBufferPointer { ys in try insertAll(xs: xs, ys: ys) }
        }
    }

    /// Inserts every point, identified by `index + 1`; only called from `init`.
    private func insertAll(xs: UnsafeBufferPointer<Double>, ys: UnsafeBufferPointer<Double>) throws {
        let handle = context.handle
        _ = context.takeLastError()  // insert reports failure only through the message handler
        for index in 0..<xs.count {
            let point = try context.makePoint(x: xs[index], y: ys[index])
            guard let item = UnsafeMutableRawPointer(bitPattern: index + 1) else { continue }
            withExtendedLifetime(point) {
                GEOSSTRtree_insert_r(handle, pointer, point.pointer, item)  // copies the envelope
            }
            if let message = context.takeLastError() {
                throw GeoError(.geos, "GEOSSTRtree_insert_r: \(message)")
            }
        }
    }

    deinit {
        context.assertUsable()
        GEOSSTRtree_destroy_r(context.handle, pointer)  // items are integers: nothing else to free
        context.handleDestroyed()
    }

    /// Appends the indices of all points inside or on the edge of an envelope.
    ///
    /// The query geometry is a two-point line from `(minX, minY)` to `(maxX, maxY)`, whose
    /// envelope is exactly `envelope`; GEOS's envelope test is inclusive, so points on the edges
    /// are found. An envelope with `minX > maxX`, `minY > maxY` or a NaN bound matches nothing.
    /// Indices are appended in the tree's order, not sorted. See `GEOSSTRtree_query_r`.
    ///
    /// - Parameters:
    ///   - envelope: The rectangle to search.
    ///   - result: Receives the matching indices (existing contents are kept).
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    /// - Complexity: O(log n + k) for k results, after an O(n log n) build on the first call.
    package func query(_ envelope: Envelope, into result: inout [Int32]) throws {
        guard envelope.minX <= envelope.maxX, envelope.minY <= envelope.maxY else { return }
        let line = try context.makeLine(
            from: XY(envelope.minX, envelope.minY), to: XY(envelope.maxX, envelope.maxY))
        let handle = context.handle
        _ = context.takeLastError()  // query reports failure only through the message handler
        withExtendedLifetime(line) {
            withUnsafeMutablePointer(to: &result) { resultPointer in
                GEOSSTRtree_query_r(
                    handle, pointer, line.pointer,
                    { item, userData in
                        guard let userData else { return }
                        let indices = userData.assumingMemoryBound(to: [Int32].self)
                        indices.pointee.append(Int32(truncatingIfNeeded: Int(bitPattern: item) - 1))
                    },
                    resultPointer)
            }
        }
        if let message = context.takeLastError() {
            throw GeoError(.geos, "GEOSSTRtree_query_r: \(message)")
        }
    }
}

extension GEOSContext {
    /// Makes a two-point line string.
    func makeLine(from start: XY, to end: XY) throws -> GEOSGeometry {
        assertUsable()
        guard let sequence = GEOSCoordSeq_create_r(handle, 2, 2) else { throw error("GEOSCoordSeq_create_r") }
        // returns 1 ok, 0 exception
        guard GEOSCoordSeq_setXY_r(handle, sequence, 0, start.x, start.y) == 1,
            GEOSCoordSeq_setXY_r(handle, sequence, 1, end.x, end.y) == 1
        else {
            GEOSCoordSeq_destroy_r(handle, sequence)  // still ours
            throw error("GEOSCoordSeq_setXY_r")
        }
        // The line owns the sequence from here on, also on failure (as for linear rings).
        guard let raw = GEOSGeom_createLineString_r(handle, sequence) else {
            throw error("GEOSGeom_createLineString_r")
        }
        return GEOSGeometry(owning: raw, context: self)
    }
}
