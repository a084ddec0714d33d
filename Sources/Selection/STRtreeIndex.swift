import Geo
import Participants

/// The in-memory spatial index: a GEOS STRtree over every participant's RD New position.
///
/// A query takes the STRtree's candidates inside the shape's bounding box, tests each exactly
/// (circle: squared distance; polygon: GEOS prepared `covers`) and sorts the result outside-in
/// with a comparison sort: the engine as first designed, kept as the comparison peer for the grid.
///
/// - Important: Not `Sendable`: the tree belongs to one ``GEOSContext`` and its one caller at a
///   time. Build one index per thread that selects.
public final class STRtreeIndex: ParticipantSelector {
    /// The participants, in the same row order as the tree's items.
    public let columns: ParticipantColumns
    package let context: GEOSContext
    private let tree: GEOSPointSTRtree

    /// Builds the tree: inserts every point, then runs one empty query, because GEOS builds the
    /// tree lazily on its first query and that cost belongs to building, not to the first action.
    ///
    /// - Throws: ``GeoError`` `.geos` when GEOS fails.
    /// - Complexity: O(n log n).
    public init(columns: ParticipantColumns) throws {
        self.columns = columns
        context = try GEOSContext()
        tree = try GEOSPointSTRtree(context: context, xs: columns.xs, ys: columns.ys)
        var none: [Int32] = []
        try tree.query(Envelope(minX: .infinity, minY: .infinity, maxX: .infinity, maxY: .infinity), into: &none)
    }

    /// - Complexity: O(log n + c) tree search for c candidates in the bounding box, c exact tests.
    package func collect(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant] {
        var candidates: [Int32] = []
        try tree.query(shape.envelope, into: &candidates)
        var result: [SelectedParticipant] = []
        result.reserveCapacity(candidates.count)
        for row in candidates {
            try columns.collect(row: Int(row), in: shape, incident: incident, into: &result)
        }
        return result
    }

    /// Selects and sorts with a comparison sort (the original design's `Array.sort`).
    package func select(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant] {
        var result = try collect(shape, incident: incident)
        result.sort(by: OutsideIn.precedes)
        return result
    }
}
