/// Items bucketed by the grid cells they cover, as a counting sort: the items of cell `i` are
/// `items[start[i]..<start[i + 1]]` (cells numbered `row * columns + column`).
///
/// Shared by the border-segment grids (RD New in ``CountryLocator``, lon/lat in
/// ``LonLatCountryGrid``).
struct CellBuckets<Item> {
    /// Where each cell's items start; one more entry than there are cells.
    var start: [Int32]
    /// The items, cell by cell (an item covering several cells stands in each).
    var items: [Item]

    /// Buckets `all` into a `columns` × `rows` grid, each item into the cells `cells` gives.
    ///
    /// - Throws: `tooMany()` when the entries would exceed `maxEntries`.
    /// - Complexity: O(items + entries + cells), two passes over `all`.
    init(
        _ all: [Item], columns: Int, rows: Int, maxEntries: Int,
        cells: (Item) -> (columns: ClosedRange<Int>, rows: ClosedRange<Int>), tooMany: () -> GeoError
    ) throws {
        var counts = [Int32](repeating: 0, count: columns * rows + 1)
        var entries = 0
        for item in all {
            let (cs, rs) = cells(item)
            entries += cs.count * rs.count
            guard entries <= maxEntries else { throw tooMany() }
            for r in rs { for c in cs { counts[r * columns + c + 1] += 1 } }
        }
        for i in 1..<counts.count { counts[i] += counts[i - 1] }
        var next = counts
        var placed: [Item] = []
        if let filler = all.first { placed = Array(repeating: filler, count: Int(counts[counts.count - 1])) }
        for item in all {
            let (cs, rs) = cells(item)
            for r in rs {
                for c in cs {
                    placed[Int(next[r * columns + c])] = item
                    next[r * columns + c] += 1
                }
            }
        }
        start = counts
        items = placed
    }
}
