import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

extension Engine {
    /// Selects through SQLite's R*Tree module on the engine's registry: a comparison peer.
    ///
    /// Circles are answered by SQLite alone (R*Tree search, exact `dx*dx + dy*dy <= r*r` on the
    /// stored doubles, `ORDER BY distance DESC, id ASC`; see
    /// ``Registry/selectWithRTree(circleCenter:radiusMeters:incident:)``). Polygons take the
    /// R*Tree's candidates in the polygon's bounding box, already sorted outside-in by SQLite, and
    /// keep those the prepared GEOS polygon covers (``Registry/selectWithRTree(envelope:incident:)``):
    /// SQLite has no polygon test. The incident point and a country filter are honoured as in
    /// ``select(_:)``, so the result equals the engine's, participant by participant. The R*Tree is
    /// built on first use (``Registry/buildRTreeIndex()``); build it beforehand to time queries alone.
    ///
    /// - Returns: The participants, farthest first, equal distances by id ascending.
    /// - Throws: ``SelectionError`` for a bad area or point, or when the engine has no registry or
    ///   the request asks for geodesic distances (SQLite would need a geodesic function);
    ///   ``RegistryError`` for SQLite failures; ``GeoError`` for transformation failures.
    public func selectWithSQLiteRTree(_ request: SelectionRequest) throws -> [RTreeMatch] {
        try exclusively { try selectWithSQLiteRTreeExclusively(request) }
    }

    private func selectWithSQLiteRTreeExclusively(_ request: SelectionRequest) throws -> [RTreeMatch] {
        guard let registry else {
            throw SelectionError(.noRegistry, "the SQLite R*Tree peer needs an engine opened on a registry")
        }
        guard request.distance == .rdNew else {
            throw SelectionError(.invalidArea, "the SQLite R*Tree peer measures RD New distances only")
        }
        var matches: [RTreeMatch]
        switch request.area {
        case .circle(let center, let radius):
            let circle = try CircleArea(center: try rd(center, what: "circle centre"), radiusMeters: radius)
            let incident = try request.incident.map { try rd($0, what: "incident point") } ?? circle.center
            matches = try registry.selectWithRTree(
                circleCenter: circle.center, radiusMeters: circle.radiusMeters, incident: incident)
        case .polygon(let geometry):
            let polygon = try PolygonArea(geometry, converter: converter, context: context)
            let incident = try request.incident.map { try rd($0, what: "incident point") } ?? polygon.centroid()
            matches = try registry.selectWithRTree(envelope: polygon.envelope, incident: incident)
            matches = try matches.filter { try polygon.covers(x: $0.rd.x, y: $0.rd.y) }
        }
        if let countries = request.countries {
            let codes = Set(countries)
            matches.removeAll { m in m.country.map { !codes.contains($0) } ?? true }
        }
        return matches
    }
}
