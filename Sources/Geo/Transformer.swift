import CPROJ
import Foundation

/// Transforms coordinates between two CRSs with PROJ, in batches.
///
/// Built with `proj_create_crs_to_crs` and normalised with `proj_normalize_for_visualization`, so
/// geographic CRSs always take and give longitude first. Batches go through
/// `proj_trans_generic`; a point PROJ cannot transform makes the whole call throw, naming it.
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

    /// Creates a transformer from `source` to `target`.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` when PROJ does not know either CRS, `.proj` for other
    ///   PROJ failures (with PROJ's message).
    package init(from source: CRS, to target: CRS, context: PROJContext) throws {
        context.assertOwningThread()
        for crs in [source, target] {
            // returns NULL when the definition is unknown
            guard let probe = proj_create(context.raw, crs.description) else {
                throw GeoError(
                    .unknownCRS, "\(crs) is not a coordinate reference system PROJ knows (\(context.takeError()))")
            }
            proj_destroy(probe)
        }
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
        self.context = context
        self.source = source
        self.target = target
        let info = proj_pj_info(normalized)
        self.operationDescription = info.description.map { String(cString: $0) } ?? ""
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
        precondition(xs.count == ys.count, "coordinate arrays differ in length")
        context.assertOwningThread()
        let n = xs.count
        if n == 0 { return }
        proj_errno_reset(pj)
        let stride = MemoryLayout<Double>.stride
        let done = xs.withUnsafeMutableBufferPointer { xb in
            ys.withUnsafeMutableBufferPointer { yb in
                // returns the number of points transformed; failed points are set to HUGE_VAL
                proj_trans_generic(
                    pj, PJ_FWD, xb.baseAddress, stride, n, yb.baseAddress, stride, n, nil, 0, 0, nil, 0, 0)
            }
        }
        guard done == n else {
            throw GeoError(.proj, "PROJ transformed \(done) of \(n) points from \(source) to \(target)")
        }
        for i in 0..<n where !(xs[i].isFinite && ys[i].isFinite) {
            let message = proj_errno(pj) != 0 ? context.takeError() : "no result"
            proj_errno_reset(pj)
            throw GeoError(.proj, "point \(i) cannot be transformed from \(source) to \(target): \(message)")
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
