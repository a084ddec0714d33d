import Geo
/// The arrays of a packed grid index, as stored in and loaded from the registry, so that opening
/// a registry does not rebuild the index row by row.
///
/// A plain value between `Selection` (which builds and queries it) and `Registry` (which stores
/// it as BLOBs next to the participants it was built from).
public struct PackedIndexData: Sendable, Equatable {
    /// Participants in cell order.
    public var columns: ParticipantColumns
    /// Lower-left corner of cell (0, 0), RD New metres.
    public var originX: Double
    /// Lower-left corner of cell (0, 0), RD New metres.
    public var originY: Double
    /// Cell edge in metres.
    public var cellSize: Double
    /// Cells per row.
    public var nx: Int
    /// Rows of cells.
    public var ny: Int
    /// `cellStart[c] ..< cellStart[c + 1]` are the rows of cell `c`; `nx * ny + 1` entries.
    public var cellStart: [UInt32]

    /// Creates the data.
    public init(
        columns: ParticipantColumns, originX: Double, originY: Double, cellSize: Double, nx: Int, ny: Int,
        cellStart: [UInt32]
    ) {
        self.columns = columns
        self.originX = originX
        self.originY = originY
        self.cellSize = cellSize
        self.nx = nx
        self.ny = ny
        self.cellStart = cellStart
    }

    /// Whether the arrays are consistent with each other (checked before a stored copy is used).
    public var isConsistent: Bool {
        let n = columns.ids.count
        guard nx > 0, ny > 0, cellSize > 0, cellStart.count == nx * ny + 1, columns.xs.count == n,
            columns.ys.count == n, columns.countries.count == n, cellStart.first == 0,
            cellStart.last.map({ Int($0) == n }) == true
        else { return false }
        for c in 0..<(nx * ny) where cellStart[c] > cellStart[c + 1] { return false }
        return true
    }
}

extension ParticipantColumns: Equatable {
    public static func == (a: ParticipantColumns, b: ParticipantColumns) -> Bool {
        a.ids == b.ids && a.xs == b.xs && a.ys == b.ys && a.countries == b.countries
    }
}
