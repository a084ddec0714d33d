import Geo
import Participants

/// The shape to select in: a circle or a prepared polygon, both in RD New.
///
/// - Important: Not `Sendable` (a polygon holds GEOS handles); build it with the engine that
///   selects.
package enum SelectionShape {
    case circle(CircleArea)
    case polygon(PolygonArea)

    /// The bounding box in RD New.
    package var envelope: Envelope {
        switch self {
        case .circle(let c): c.envelope
        case .polygon(let p): p.envelope
        }
    }
}

/// Something that finds the participants inside a shape.
package protocol ParticipantSelector {
    /// The participants inside `shape` (boundary included), in no particular order, with their
    /// distance to `incident`.
    func collect(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant]
}

extension ParticipantSelector {
    /// The participants inside `shape` (boundary included), sorted ``OutsideIn``, with their
    /// distance to `incident`.
    package func select(_ shape: SelectionShape, incident: RDPoint) throws -> [SelectedParticipant] {
        var result = try collect(shape, incident: incident)
        OutsideIn.sort(&result)
        return result
    }
}

extension ParticipantColumns {
    /// Row `row` (at `x`, `y`) as a selected participant with its distance to `incident`.
    @inline(__always)
    func selected(row: Int, x: Double, y: Double, incident: RDPoint) -> SelectedParticipant {
        let code = countries[row]
        return SelectedParticipant(
            id: ids[row], distanceMeters: RDPoint(x: x, y: y).distance(to: incident),
            country: code == 0 ? nil : CountryCode(packed: code), row: Int32(row))
    }

    /// Appends row `row` to `result` when it lies in `shape`, with its distance to `incident`.
    @inline(__always)
    func collect(
        row: Int, in shape: SelectionShape, incident: RDPoint, into result: inout [SelectedParticipant]
    ) throws {
        let x = xs[row]
        let y = ys[row]
        let inside: Bool
        switch shape {
        case .circle(let c): inside = c.contains(x: x, y: y)
        case .polygon(let p): inside = try p.covers(x: x, y: y)
        }
        if inside { result.append(selected(row: row, x: x, y: y, incident: incident)) }
    }
}
