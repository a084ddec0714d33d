import FanOut
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection

/// How precisely a selection's output files give participants' positions.
///
/// A position next to a participant id is a home address. By default files carry the centre of
/// the participant's 250 m × 250 m cell of RD New (`floor(x / 250) * 250 + 125`, the same for y,
/// then back to WGS84): enough to see where people are, not which house. Exact positions are for
/// callers who need them and say so (`select --exact-positions`).
public enum PositionPrecision: Sendable, Hashable {
    /// The centre of the participant's ``cellMeters`` RD New cell.
    case coarsened
    /// The position as the registry has it.
    case exact

    /// The side of a coarsening cell in RD New metres.
    public static let cellMeters = 250.0

    /// What a file says about its positions (the GeoJSON member `fanout:positions`, the GeoPackage
    /// layer's description).
    public var statement: String {
        switch self {
        case .coarsened: "coarsened to the centre of the 250 m RD New cell"
        case .exact: "exact, as registered"
        }
    }

    /// The position written for a participant at `p` (RD New).
    public func apply(_ p: RDPoint) -> RDPoint {
        switch self {
        case .exact: p
        case .coarsened: RDPoint(x: Self.cellCentre(p.x), y: Self.cellCentre(p.y))
        }
    }

    /// `floor(v / 250) * 250 + 125`.
    static func cellCentre(_ v: Double) -> Double {
        (v / cellMeters).rounded(.down) * cellMeters + cellMeters / 2
    }
}

extension Engine {
    /// The WGS84 positions to write for a selection's participants, in its order.
    ///
    /// - Parameters:
    ///   - result: The selection.
    ///   - precision: Exact, or coarsened to the centre of the 250 m RD New cell.
    /// - Throws: ``GeoError`` `.proj` when a position cannot be transformed.
    public func lonLats(of result: SelectionResult, precision: PositionPrecision) throws -> [LonLat] {
        try converter.toLonLat(result.participants.map { precision.apply(result.rdPoint(of: $0)) })
    }
}
