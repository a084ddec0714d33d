import Foundation
import Geo
import Participants
import Synchronization

/// Resolves a ``SelectedParticipant/row`` to the participant's position, for the index state the
/// selection was made on: rows below the base count are base rows, the rest delta rows.
public struct RowSource: Sendable {
    let base: ParticipantColumns
    let delta: ParticipantColumns

    /// Rows `0..<base.count` in `base`, the rest in `delta`.
    package init(base: ParticipantColumns, delta: ParticipantColumns) {
        self.base = base
        self.delta = delta
    }

    /// The RD New position of row `row`.
    public func rdPoint(row: Int32) -> RDPoint {
        let r = Int(row)
        return r < base.count
            ? RDPoint(x: base.xs[r], y: base.ys[r])
            : RDPoint(x: delta.xs[r - base.count], y: delta.ys[r - base.count])
    }
}

/// The index at one moment: the packed base grid, the ids whose base rows no longer count
/// (tombstones: moved or removed since the base was built), and the current rows of every
/// participant changed since (the delta, scanned in full).
///
/// An immutable value: a selection runs on one snapshot while changes go on.
public struct IndexSnapshot: Sendable, ParticipantSelector {
    /// The packed grid.
    public let base: GridIndex
    /// Current positions of participants upserted since the base was built.
    public internal(set) var delta = ParticipantColumns()
    /// Row of each id in `delta`.
    var deltaRow: [Int64: Int] = [:]
    /// Ids whose base row must be ignored.
    public internal(set) var tombstones: Set<Int64> = []
    /// Changes applied since the live index was made (a version stamp for caches).
    public internal(set) var version = 0

    /// A snapshot with no changes over `base`.
    public init(base: GridIndex) { self.base = base }

    /// The rows of this snapshot, for resolving selected participants.
    public var rows: RowSource { RowSource(base: base.columns, delta: delta) }

    /// Participants in this state.
    public var count: Int {
        if tombstones.isEmpty { return base.columns.count + delta.count }
        var n = 0
        for id in base.columns.ids where !tombstones.contains(id) { n += 1 }
        return n + delta.count
    }

    /// Every participant in this state, materialised (base rows not tombstoned, then the delta).
    public var allColumns: ParticipantColumns {
        if tombstones.isEmpty && delta.count == 0 { return base.columns }  // shares the arrays: no copy
        var all = ParticipantColumns()
        let b = base.columns
        for r in 0..<b.count where tombstones.isEmpty || !tombstones.contains(b.ids[r]) {
            all.ids.append(b.ids[r])
            all.xs.append(b.xs[r])
            all.ys.append(b.ys[r])
            all.countries.append(b.countries[r])
        }
        all.ids += delta.ids
        all.xs += delta.xs
        all.ys += delta.ys
        all.countries += delta.countries
        return all
    }

    /// Applies one change.
    mutating func apply(_ change: ParticipantChange) {
        version += 1
        tombstones.insert(change.id)
        switch change {
        case .upsert(let id, let p, let country):
            if let r = deltaRow[id] {
                delta.xs[r] = p.x
                delta.ys[r] = p.y
                delta.countries[r] = country?.packed ?? 0
            } else {
                deltaRow[id] = delta.count
                delta.ids.append(id)
                delta.xs.append(p.x)
                delta.ys.append(p.y)
                delta.countries.append(country?.packed ?? 0)
            }
        case .remove(let id):
            guard let r = deltaRow.removeValue(forKey: id) else { return }
            let last = delta.count - 1
            if r != last {
                delta.ids[r] = delta.ids[last]
                delta.xs[r] = delta.xs[last]
                delta.ys[r] = delta.ys[last]
                delta.countries[r] = delta.countries[last]
                deltaRow[delta.ids[r]] = r
            }
            delta.ids.removeLast()
            delta.xs.removeLast()
            delta.ys.removeLast()
            delta.countries.removeLast()
        }
    }

    /// The base grid's participants minus tombstones, plus the delta scanned in full.
    package func collect(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant] {
        var result = try base.collect(shape, incident: incident)
        if !tombstones.isEmpty { result.removeAll { tombstones.contains($0.id) } }
        if delta.count > 0 {
            var extra = try BruteForceScan(columns: delta).collect(shape, incident: incident)
            let offset = Int32(base.columns.count)
            for i in extra.indices { extra[i].row += offset }
            result += extra
        }
        return result
    }
}

/// The live index: the current ``IndexSnapshot``, changed as participants register, move and
/// leave, and merged into a new packed grid in the background when the delta grows.
///
/// Thread-safe (`Sendable`): any thread may take a snapshot and select on it while another applies
/// changes. A change is visible to every snapshot taken after ``apply(_:)`` returns.
public final class LiveIndex: Sendable {
    private struct State {
        var current: IndexSnapshot
        /// Changes applied while a merge runs, replayed onto the merged base; `nil` when no merge
        /// runs (at most one runs at a time).
        var sinceMergeStart: [ParticipantChange]?
        var merges = 0
    }

    private let state: Mutex<State>
    /// Delta size that starts a background merge.
    public let mergeThreshold: Int

    /// Creates a live index over a packed base.
    public init(base: GridIndex, mergeThreshold: Int = 20_000) {
        state = Mutex(State(current: IndexSnapshot(base: base)))
        self.mergeThreshold = max(1, mergeThreshold)
    }

    /// The index as it is now.
    public func snapshot() -> IndexSnapshot { state.withLock { $0.current } }

    /// How many merges have completed.
    public var mergeCount: Int { state.withLock { $0.merges } }

    /// Applies changes; they are visible to the next snapshot. Starts a background merge when the
    /// delta has grown past ``mergeThreshold``.
    ///
    /// - Complexity: O(changes), amortised (the delta's arrays are copied when a reader still holds
    ///   the previous snapshot: O(delta), which the merge keeps small).
    public func apply(_ changes: [ParticipantChange]) {
        let startMerge = state.withLock { s -> IndexSnapshot? in
            for c in changes { s.current.apply(c) }
            s.sinceMergeStart?.append(contentsOf: changes)
            guard s.sinceMergeStart == nil, s.current.delta.count + s.current.tombstones.count >= mergeThreshold else {
                return nil
            }
            s.sinceMergeStart = []
            return s.current
        }
        if let base = startMerge {
            Thread.detachNewThread { [self] in merge(from: base) }
        }
    }

    /// Builds a new packed grid from `snapshot` and swaps it in, replaying later changes.
    func merge(from snapshot: IndexSnapshot) {
        let grid = GridIndex(columns: snapshot.allColumns, cellSizeMeters: snapshot.base.cellSize)
        state.withLock { s in
            var fresh = IndexSnapshot(base: grid)
            for c in s.sinceMergeStart ?? [] { fresh.apply(c) }
            fresh.version = s.current.version
            s.current = fresh
            s.sinceMergeStart = nil
            s.merges += 1
        }
    }

    /// Merges now, on the calling thread, after any merge already running (for tests and for
    /// storing a fresh snapshot).
    public func mergeNow() {
        while true {
            let snapshot = state.withLock { s -> IndexSnapshot? in
                guard s.sinceMergeStart == nil else { return nil }  // another merge runs: wait for it
                s.sinceMergeStart = []
                return s.current
            }
            if let snapshot {
                merge(from: snapshot)
                return
            }
            usleep(1_000)
        }
    }
}
