import Geo
import Participants

extension GridIndex {
    /// Appends the points of rows `range` that pass `inside`, with their distance to `incident`.
    @inline(__always)
    private func scan(
        _ range: Range<Int>, incident: RDPoint, into result: inout [SelectedParticipant],
        where inside: (Double, Double) throws -> Bool
    ) rethrows {
        try columns.xs.withUnsafeBufferPointer { xs in
            try columns.ys.withUnsafeBufferPointer { ys in
                for r in range {
                    let x = xs[r]
                    let y = ys[r]
                    guard try inside(x, y) else { continue }
                    result.append(columns.selected(row: r, x: x, y: y, incident: incident))
                }
            }
        }
    }

    /// Circle: per grid row, the run of cells under the circle's chord, every point tested.
    func collectCircle(_ c: CircleArea, incident: RDPoint, into result: inout [SelectedParticipant]) {
        let r = c.radiusMeters
        let r2 = r * r
        let cx = c.center.x
        let cy = c.center.y
        let iy0 = Self.cell(cy - r, origin: originY, size: cellSize, count: ny)
        let iy1 = Self.cell(cy + r, origin: originY, size: cellSize, count: ny)
        var runs: [Range<Int>] = []
        var candidates = 0
        for iy in iy0...iy1 {
            // The widest part of the circle within this row's band (plus 1 mm for rounding).
            let bandLow = originY + Double(iy) * cellSize - 0.001
            let bandHigh = originY + Double(iy + 1) * cellSize + 0.001
            let dy = cy < bandLow ? bandLow - cy : cy > bandHigh ? cy - bandHigh : 0
            if dy > r { continue }
            let half = (r2 - dy * dy).squareRoot() + 0.001
            let ix0 = Self.cell(cx - half, origin: originX, size: cellSize, count: nx)
            let ix1 = Self.cell(cx + half, origin: originX, size: cellSize, count: nx)
            let run = Int(cellStart[iy * nx + ix0])..<Int(cellStart[iy * nx + ix1 + 1])
            runs.append(run)
            candidates += run.count
        }
        // The chord runs hold at most 4/π times the points inside: reserve once, never regrow.
        result.reserveCapacity(result.count + candidates)
        for run in runs {
            scan(run, incident: incident, into: &result) { x, y in
                let dx = x - cx
                let dy = y - cy
                return dx * dx + dy * dy <= r2
            }
        }
    }

    /// Polygon: every occupied cell in the bounding box, classified by GEOS.
    ///
    /// (Classifying 8×8 subcells of boundary cells as well was measured and is slower: a GEOS
    /// rectangle test costs more than the per-point tests it saves.)
    func collectPolygon(_ p: PolygonArea, incident: RDPoint, into result: inout [SelectedParticipant]) throws {
        let e = p.envelope
        let ix0 = Self.cell(e.minX, origin: originX, size: cellSize, count: nx)
        let ix1 = Self.cell(e.maxX, origin: originX, size: cellSize, count: nx)
        let iy0 = Self.cell(e.minY, origin: originY, size: cellSize, count: ny)
        let iy1 = Self.cell(e.maxY, origin: originY, size: cellSize, count: ny)
        for iy in iy0...iy1 {
            for ix in ix0...ix1 {
                let c = iy * nx + ix
                let range = Int(cellStart[c])..<Int(cellStart[c + 1])
                if range.isEmpty { continue }
                switch try p.prepared.relation(of: cellRect(ix: ix, iy: iy)) {
                case .outside: continue
                case .inside: scan(range, incident: incident, into: &result) { _, _ in true }
                case .boundary: try scan(range, incident: incident, into: &result) { x, y in try p.covers(x: x, y: y) }
                }
            }
        }
    }
}
