import Foundation

/// RDNAPTRANS2018 between ETRS89 and RD New (horizontal), through explicit PROJ pipelines.
///
/// Inside the correction grid's area this is NSGI's implementation variant 2, in PROJ's words
/// (the definition of "Amersfoort to ETRS89 (9)", EPSG:9282, inverted and followed by RD New's
/// projection):
///
/// ```
/// +proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad
///   +step +inv +proj=hgridshift +grids=<path>/rdtrans2018.gsb
///   +step +proj=sterea +lat_0=52.156160555555555 +lon_0=5.387638888888889 +k=0.9999079
///         +x_0=155000 +y_0=463000 +ellps=bessel
/// ```
///
/// run here as two pipelines (ETRS89 → Bessel with the grid, Bessel → RD), because the Bessel
/// position decides where the grid applies. The grid's corrections are indexed by the Bessel
/// position, so ETRS89 → Bessel is PROJ's iterative inverse grid shift and RD → ETRS89 the direct
/// one. Outside the grid's area RDNAPTRANS2018 uses the datum transformation alone: NSGI's
/// 7-parameter (coordinate frame) transformation with a fixed ellipsoidal height, 43 m in ETRS89
/// and 0 m on Bessel (as in PROJ's documentation of `+proj=set`), then the same projection.
///
/// A point gets the grid exactly when its Bessel position lies in the grid (edges included):
/// - PROJ's inverse grid shift fails when the *ETRS89* position is outside the grid. Along the
///   southern edge the Bessel position lies 0.00072…0.00074° (80 m) north of the ETRS89 one, so
///   it can be inside: those points start from the datum transformation and are iterated onto
///   the grid here.
/// - Where the Bessel position is outside but the ETRS89 one inside (along the northern, eastern
///   and western edges), PROJ's iteration leaves the grid and PROJ returns its first
///   approximation without an error, up to 16 mm off. The bounds check sends those points to the
///   datum transformation (NSGI's validation file has 89 of them at 8° E).
///
/// - Important: Not `Sendable`; it belongs to the ``PROJContext`` it was made with.
package final class RDGridTransformation {
    /// The grid file.
    package let gridFile: URL
    private let toBessel: Transformer  // ETRS89 -> Bessel, inverse grid shift (iterative)
    private let fromBessel: Transformer  // Bessel -> ETRS89, grid shift
    private let datumToBessel: Transformer  // ETRS89 -> Bessel, 7 parameters, h = 43 m
    private let datumFromBessel: Transformer  // Bessel -> ETRS89, 7 parameters, h = 0 m on Bessel
    private let project: Transformer  // Bessel -> RD New
    private let unproject: Transformer  // RD New -> Bessel

    /// Builds the pipelines and opens the grid.
    ///
    /// - Throws: ``GeoError`` `.correctionGrid` when the file is not a whole grid over the
    ///   RDNAPTRANS2018 area (``RDCorrectionGrid/checkFile(_:)``) or PROJ cannot read it (with
    ///   PROJ's message), `.proj` for other PROJ failures.
    package init(gridFile: URL, context: PROJContext) throws {
        try RDCorrectionGrid.checkFile(gridFile)
        self.gridFile = gridFile
        let correction = try Self.correctionPipeline(gridPath: gridFile.path)
        do {
            toBessel = try Transformer(pipeline: correction, from: Self.etrs89, to: Self.amersfoort, context: context)
            fromBessel = try Transformer(
                pipeline: correction, from: Self.amersfoort, to: Self.etrs89, inverse: true, context: context)
        } catch let error as GeoError {
            throw GeoError(.correctionGrid, "PROJ cannot use the correction grid \(gridFile.path): \(error.message)")
        }
        datumToBessel = try Transformer(pipeline: Self.datum, from: Self.etrs89, to: Self.amersfoort, context: context)
        datumFromBessel = try Transformer(
            pipeline: Self.datum, from: Self.amersfoort, to: Self.etrs89, inverse: true, context: context)
        project = try Transformer(pipeline: Self.projection, from: Self.amersfoort, to: .rdNew, context: context)
        unproject = try Transformer(
            pipeline: Self.projection, from: .rdNew, to: Self.amersfoort, inverse: true, context: context)
    }

    // MARK: - ETRS89 -> RD New

    /// Transforms ETRS89 longitude/latitude (degrees) to RD New metres in place.
    ///
    /// - Returns: The indices, ascending, of the points outside the grid (datum transformation alone).
    /// - Throws: ``GeoError`` `.proj` naming a point PROJ cannot transform at all.
    /// - Complexity: O(n): a few batched PROJ calls.
    package func toRD(xs: inout [Double], ys: inout [Double]) throws -> [Int] {
        let n = xs.count
        var bx = xs
        var by = ys
        var onGrid = [Bool](repeating: true, count: n)
        for i in try toBessel.transformReportingFailures(xs: &bx, ys: &by) { onGrid[i] = false }
        for i in 0..<n where onGrid[i] && !RDCorrectionGrid.contains(lon: bx[i], lat: by[i]) { onGrid[i] = false }

        let rest = (0..<n).filter { !onGrid[$0] }
        if !rest.isEmpty {
            for i in rest {  // back to the ETRS89 input (PROJ left HUGE_VAL or an off-grid approximation)
                bx[i] = xs[i]
                by[i] = ys[i]
            }
            try Self.transform(rest, with: datumToBessel, xs: &bx, ys: &by)
            // Datum-only positions within about 1 m of the grid (they are up to 0.25 m off): iterate.
            let nearGrid = rest.filter { RDCorrectionGrid.contains(lon: bx[$0], lat: by[$0], margin: 1e-5) }
            if !nearGrid.isEmpty {
                for i in try iterateOntoGrid(nearGrid, targetXs: xs, targetYs: ys, bx: &bx, by: &by) {
                    onGrid[i] = true
                }
            }
        }
        try project.transform(xs: &bx, ys: &by)
        xs = bx
        ys = by
        return (0..<n).filter { !onGrid[$0] }
    }

    /// Solves `fromBessel(b) == target` for the points `indices`, starting from `bx`/`by`.
    ///
    /// Fixed-point iteration with the forward grid shift, as PROJ's inverse does, for points whose
    /// ETRS89 position is just outside the grid. Converged positions are written to `bx`/`by`.
    ///
    /// - Returns: The indices that converged to a Bessel position inside the grid.
    private func iterateOntoGrid(
        _ indices: [Int], targetXs: [Double], targetYs: [Double], bx: inout [Double], by: inout [Double]
    ) throws -> [Int] {
        // Start from the datum transformation's position, moved onto the grid if it is just off it
        // (that position is up to 0.25 m from the answer).
        var cx = indices.map { min(max(bx[$0], RDCorrectionGrid.west), RDCorrectionGrid.east) }
        var cy = indices.map { min(max(by[$0], RDCorrectionGrid.south), RDCorrectionGrid.north) }
        var active = Array(indices.indices)
        var converged: [Int] = []
        for _ in 0..<10 where !active.isEmpty {
            var ex = active.map { cx[$0] }
            var ey = active.map { cy[$0] }
            let failed = Set(try fromBessel.transformReportingFailures(xs: &ex, ys: &ey))
            var stillActive: [Int] = []
            for (k, j) in active.enumerated() where !failed.contains(k) {
                let i = indices[j]
                let dlon = targetXs[i] - ex[k]
                let dlat = targetYs[i] - ey[k]
                cx[j] += dlon
                cy[j] += dlat
                if abs(dlon) < 1e-11 && abs(dlat) < 1e-11 {  // degrees, about 1 µm
                    converged.append(j)
                } else {
                    stillActive.append(j)
                }
            }
            active = stillActive
        }
        var onGrid: [Int] = []
        for j in converged.sorted() where RDCorrectionGrid.contains(lon: cx[j], lat: cy[j]) {
            bx[indices[j]] = cx[j]
            by[indices[j]] = cy[j]
            onGrid.append(indices[j])
        }
        return onGrid
    }

    // MARK: - RD New -> ETRS89

    /// Transforms RD New metres to ETRS89 longitude/latitude (degrees) in place.
    ///
    /// - Returns: The indices, ascending, of the points outside the grid (datum transformation alone).
    /// - Throws: ``GeoError`` `.proj` naming a point PROJ cannot transform at all.
    /// - Complexity: O(n): a few batched PROJ calls.
    package func toETRS89(xs: inout [Double], ys: inout [Double]) throws -> [Int] {
        let n = xs.count
        try unproject.transform(xs: &xs, ys: &ys)
        let inside = (0..<n).filter { RDCorrectionGrid.contains(lon: xs[$0], lat: ys[$0]) }
        var onGrid = [Bool](repeating: false, count: n)
        if !inside.isEmpty {
            var gx = inside.map { xs[$0] }
            var gy = inside.map { ys[$0] }
            let failed = Set(try fromBessel.transformReportingFailures(xs: &gx, ys: &gy))
            for (k, i) in inside.enumerated() where !failed.contains(k) {
                xs[i] = gx[k]
                ys[i] = gy[k]
                onGrid[i] = true
            }
        }
        let rest = (0..<n).filter { !onGrid[$0] }
        try Self.transform(rest, with: datumFromBessel, xs: &xs, ys: &ys)
        return rest
    }

    /// Transforms the points `indices` of `xs`/`ys` in place with `transformer`, leaving the others.
    ///
    /// - Throws: ``GeoError`` `.proj` naming the first point (its index in the whole batch) PROJ
    ///   cannot transform.
    private static func transform(
        _ indices: [Int], with transformer: Transformer, xs: inout [Double], ys: inout [Double]
    ) throws {
        if indices.isEmpty { return }
        var sx = indices.map { xs[$0] }
        var sy = indices.map { ys[$0] }
        if let k = try transformer.transformReportingFailures(xs: &sx, ys: &sy).first {
            let i = indices[k]
            throw GeoError(
                .proj,
                "point \(i) (\(xs[i]), \(ys[i])) cannot be transformed from \(transformer.source) to \(transformer.target)"
            )
        }
        for (k, i) in indices.enumerated() {
            xs[i] = sx[k]
            ys[i] = sy[k]
        }
    }

    // MARK: - The PROJ definitions

    /// ETRS89 (4258) as a label for messages.
    package static let etrs89 = CRS(epsg: 4258)
    /// Amersfoort (4289), the Bessel geographic CRS of RD New, as a label for messages.
    package static let amersfoort = CRS(epsg: 4289)

    /// RD New's projection (EPSG:28992), from Bessel degrees to metres.
    package static let stereographic =
        "+proj=sterea +lat_0=52.156160555555555 +lon_0=5.387638888888889 +k=0.9999079 +x_0=155000 +y_0=463000"
        + " +ellps=bessel"

    /// Bessel longitude/latitude in degrees to RD New x/y in metres.
    package static let projection =
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step \(stereographic)"

    /// RDNAPTRANS2018's datum transformation, ETRS89 to Bessel degrees, without the correction.
    ///
    /// NSGI's 3D similarity (coordinate frame) parameters for ETRS89 → RD, applied at a fixed
    /// ETRS89 ellipsoidal height of 43 m; inverted it starts from a Bessel height of 0 m.
    package static let datum =
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad +step +proj=set +v_3=43"
        + " +step +proj=cart +ellps=GRS80"
        + " +step +proj=helmert +x=-565.7346 +y=-50.4058 +z=-465.2895 +rx=-0.395023 +ry=0.330776"
        + " +rz=-1.876073 +s=-4.07242 +convention=coordinate_frame +exact"
        + " +step +inv +proj=cart +ellps=bessel +step +proj=set +v_3=0"
        + " +step +proj=unitconvert +xy_in=rad +xy_out=deg"

    /// The correction grid, ETRS89 to Bessel degrees (inverse grid shift).
    ///
    /// - Throws: ``GeoError`` `.correctionGrid` when the path cannot go into a PROJ string.
    package static func correctionPipeline(gridPath: String) throws -> String {
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad"
            + " +step +inv +proj=hgridshift +grids=\(try quoted(gridPath))"
            + " +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    }

    /// The whole variant-2 pipeline, ETRS89 degrees to RD New metres, as one PROJ string.
    ///
    /// Not used for transforming (see the type's description); tests check the two-part route
    /// against it.
    package static func variant2Pipeline(gridPath: String) throws -> String {
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad"
            + " +step +inv +proj=hgridshift +grids=\(try quoted(gridPath)) +step \(stereographic)"
    }

    /// The path, double-quoted, for a PROJ string.
    ///
    /// PROJ splits `+grids` at commas and has no escape for quotes, and a leading `@` would make the
    /// grid optional (silently skipped when missing): only absolute paths without those are taken.
    private static func quoted(_ path: String) throws -> String {
        guard path.hasPrefix("/"), !path.contains(","), !path.contains("\""), !path.contains("\n") else {
            throw GeoError(
                .correctionGrid,
                "the correction grid's path \(path) cannot be given to PROJ (it must be absolute and hold no comma, "
                    + "double quote or line break); move the data directory to another path")
        }
        return "\"\(path)\""
    }
}
