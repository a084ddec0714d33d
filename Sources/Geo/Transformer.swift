import CPROJ
import Foundation

/// Transforms coordinates between two CRSs with PROJ, in batches.
///
/// Made either by PROJ's own choice of operation (``init(from:to:context:)``:
/// `proj_create_crs_to_crs`, normalised with `proj_normalize_for_visualization`, so geographic
/// CRSs always take and give longitude first) or from an explicit PROJ pipeline
/// (``init(pipeline:from:to:inverse:context:)``), which runs exactly the steps it names. Batches
/// go through `proj_trans_generic`; with ``transform(xs:ys:)`` a point PROJ cannot transform makes
/// the whole call throw, naming it, and ``transformReportingFailures(xs:ys:)`` lists such points
/// instead.
///
/// - Important: Not `Sendable`. It belongs to the ``PROJContext`` it was made from and to that
///   context's thread.
package final class Transformer {
    /// Source CRS.
    package let source: CRS
    /// Target CRS.
    package let target: CRS
    /// PROJ's description of the chosen operation (for example which Helmert or grid it uses).
    package let operationDescription: String
    private let context: PROJContext
    private let pj: OpaquePointer
    private let direction: PJ_DIRECTION

    /// Creates a transformer from `source` to `target` with the operation PROJ picks
    /// (`proj_create_crs_to_crs`).
    ///
    /// PROJ picks among the operations its database knows and whose grids are installed; for WGS84
    /// to RD New that is a datum transformation without the Dutch correction grid. RD New goes
    /// through ``RDGridTransformation`` instead (see ``CoordinateConverter``).
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` when PROJ does not know either CRS, `.proj` for other
    ///   PROJ failures (with PROJ's message).
    package init(from source: CRS, to target: CRS, context: PROJContext) throws {
        context.assertUsable()
        for crs in [source, target] { try context.requireKnown(crs) }
        // returns NULL on failure
        guard let raw = proj_create_crs_to_crs(context.raw, source.description, target.description, nil) else {
            throw GeoError(.proj, "PROJ: no transformation from \(source) to \(target): \(context.takeError())")
        }
        // returns a new PJ (the old one stays ours to destroy), or NULL on failure
        guard let normalized = proj_normalize_for_visualization(context.raw, raw) else {
            let message = context.takeError()
            proj_destroy(raw)
            throw GeoError(.proj, "PROJ: cannot normalise axis order for \(source) to \(target): \(message)")
        }
        proj_destroy(raw)
        self.pj = normalized
        self.direction = PJ_FWD
        self.context = context
        self.source = source
        self.target = target
        let info = proj_pj_info(normalized)
        self.operationDescription = info.description.map { String(cString: $0) } ?? ""
    }

    /// Creates a transformer that runs an explicit PROJ pipeline, forward or inverse.
    ///
    /// The pipeline's axis order and units are exactly what its steps say (no normalisation):
    /// pipelines here take and give longitude first, in degrees, and projected coordinates as
    /// easting, northing in metres.
    ///
    /// - Parameters:
    ///   - definition: A PROJ string such as `+proj=pipeline +step ...`.
    ///   - source: The CRS the input is in (for messages; PROJ does not check it).
    ///   - target: The CRS the output is in (for messages).
    ///   - inverse: Whether to run the pipeline backwards (`PJ_INV`), from `source` to `target`.
    ///   - context: The PROJ context (and thread) the transformer belongs to.
    /// - Throws: ``GeoError`` `.proj` with PROJ's message when PROJ cannot build it, for example
    ///   when a grid the pipeline names is missing or unreadable.
    package init(
        pipeline definition: String, from source: CRS, to target: CRS, inverse: Bool = false,
        context: PROJContext
    ) throws {
        context.assertUsable()
        // returns NULL on failure (unknown operation, missing or invalid grid, ...)
        guard let raw = proj_create(context.raw, definition) else {
            throw GeoError(.proj, "PROJ: cannot build the pipeline from \(source) to \(target): \(context.takeError())")
        }
        self.pj = raw
        self.direction = inverse ? PJ_INV : PJ_FWD
        self.context = context
        self.source = source
        self.target = target
        self.operationDescription = (inverse ? "inverse of " : "") + definition
    }

    deinit { proj_destroy(pj) }

    /// Transforms the points `(xs[i], ys[i])` in place.
    ///
    /// - Parameters:
    ///   - xs: First coordinates (longitude for geographic CRSs), replaced by the results.
    ///   - ys: Second coordinates (latitude for geographic CRSs), replaced by the results.
    /// - Returns: Nothing; on success every value is finite.
    /// - Throws: ``GeoError`` `.proj` naming the first point (0-based index) PROJ could not
    ///   transform. The arrays are then left partly transformed: callers treat them as garbage.
    /// - Complexity: O(n), one C call.
    package func transform(xs: inout [Double], ys: inout [Double]) throws {
        try run(xs: &xs, ys: &ys)
        for i in xs.indices where !(xs[i].isFinite && ys[i].isFinite) {
            let message = proj_errno(pj) != 0 ? context.takeError() : "no result"
            proj_errno_reset(pj)
            throw GeoError(.proj, "point \(i) cannot be transformed from \(source) to \(target): \(message)")
        }
    }

    /// Transforms the points `(xs[i], ys[i])` in place and lists those PROJ could not transform.
    ///
    /// For a grid shift these are the points outside the grid. Their coordinates are left
    /// non-finite (PROJ's `HUGE_VAL`); every other point is transformed.
    ///
    /// - Parameters:
    ///   - xs: First coordinates (longitude for geographic CRSs), replaced by the results.
    ///   - ys: Second coordinates (latitude for geographic CRSs), replaced by the results.
    /// - Returns: The indices, ascending, of the points without a result.
    /// - Throws: ``GeoError`` `.proj` only when PROJ stops before the end of the batch.
    /// - Complexity: O(n), one C call.
    package func transformReportingFailures(xs: inout [Double], ys: inout [Double]) throws -> [Int] {
        try run(xs: &xs, ys: &ys)
        let failed = xs.indices.filter { !(xs[$0].isFinite && ys[$0].isFinite) }
        if !failed.isEmpty {
            proj_errno_reset(pj)  // also clears the context's errno; the failures are reported by index
            _ = context.takeError()
        }
        return failed
    }

    /// Runs `proj_trans_generic` over the whole batch.
    private func run(xs: inout [Double], ys: inout [Double]) throws {
        precondition(xs.count == ys.count, "coordinate arrays differ in length")
        context.assertUsable()
        let n = xs.count
        if n == 0 { return }
        proj_errno_reset(pj)
        let stride = MemoryLayout<Double>.stride
        let direction = self.direction
        let done = xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                // returns the number of points transformed; failed points are set to HUGE_VAL
                proj_trans_generic(
                    pj, direction, xb.baseAddress, stride, n, yb.baseAddress, stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        guard done == n else {
            throw GeoError(.proj, "PROJ transformed \(done) of \(n) points from \(source) to \(target)")
        }
    }

    /// Transforms one point.
    ///
    /// - Throws: ``GeoError`` `.proj` when PROJ cannot transform it.
    package func transform(x: Double, y: Double) throws -> (x: Double, y: Double) {
        var xs = [x]
        var ys = [y]
        try transform(xs: &xs, ys: &ys)
        return (xs[0], ys[0])
    }
}
