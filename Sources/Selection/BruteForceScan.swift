import Geo
import Participants

/// Selection by testing every participant: the test oracle and the speed floor for a full pass.
///
/// Polygons are tested with GEOS's plain (unprepared) `covers`, a different code path from the
/// index's prepared geometry.
public struct BruteForceScan: ParticipantSelector, Sendable {
    /// The participants.
    public let columns: ParticipantColumns

    /// Creates a scan over `columns`.
    public init(columns: ParticipantColumns) { self.columns = columns }

    /// - Complexity: O(n) point tests.
    package func collect(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant] {
        var result: [SelectedParticipant] = []
        switch shape {
        case .circle:
            for row in 0..<columns.count {
                try columns.collect(row: row, in: shape, incident: incident, into: &result)
            }
        case .polygon(let p):
            for row in 0..<columns.count where try p.geometry.covers(x: columns.xs[row], y: columns.ys[row]) {
                result.append(columns.selected(row: row, x: columns.xs[row], y: columns.ys[row], incident: incident))
            }
        }
        return result
    }
}
