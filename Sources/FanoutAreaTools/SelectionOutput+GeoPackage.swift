import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

extension Engine {
    /// Writes `result` as a GeoPackage point layer `participants` in WGS84 lon/lat, atomically.
    ///
    /// One feature per participant, outside-in, with `participant_id`, `rank` (1 = called first),
    /// `distance_m` (metres, as the selection measured them) and `country`. No phone number,
    /// e-mail address or name is written. The positions are coarsened to the centre of the 250 m
    /// RD New cell unless `positions` is `.exact`; the layer's description in `gpkg_contents`
    /// says which (``PositionPrecision/statement``).
    ///
    /// - Parameters:
    ///   - target: The file, checked with kind ``OutputTarget/Kind/geoPackage``; replaced only when
    ///     the whole GeoPackage has been written.
    ///   - positions: Coarsened (the default) or exact.
    /// - Throws: ``OutputError``, ``GeoError`` from PROJ or the writer, or SQLite's error.
    /// - Complexity: O(n), one transaction.
    public func writeGeoPackage(
        _ result: SelectionResult, to target: OutputTarget, positions precision: PositionPrecision = .coarsened
    ) throws {
        let positions = try lonLats(of: result, precision: precision)
        let participants = result.participants
        try AtomicFileWriter.replace(target) { tmp in
            try GeoPackageWriter.writePoints(
                count: participants.count, layer: "participants",
                description: "Selected participants; positions "
                    + precision.statement, to: tmp.path
            ) { i in
                let p = participants[i]
                return GeoPackagePoint(
                    position: positions[i], participantID: p.id, rank: i + 1, distanceMeters: p.distanceMeters,
                    country: p.country?.description)
            }
        }
    }
}
