import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

// MARK: - Municipalities crossed, and the nearest participant as a finding

extension AreaInspector {
    /// The municipality locator, loaded from `municipalities-nl.geojson` of the inspector's data
    /// directory on first use.
    ///
    /// - Throws: ``GeoError`` `.municipalities` when the file is missing or unreadable.
    func municipalityLocator() throws -> MunicipalityLocator {
        if let municipalityCache { return municipalityCache }
        let made = try MunicipalityLocator(
            municipalities: try Municipalities.load(data: data, converter: converter), context: context)
        municipalityCache = made
        return made
    }

    /// The municipalities an area crosses with their shares, the land abroad it covers (CBS's
    /// `GM0998`: no Dutch municipality, reported under its country), and the note on the
    /// boundaries' accuracy (or why there are none: the file is missing, an overlay failed).
    func municipalityShares(
        _ rd: [PlanarPolygon]
    ) -> (shares: [MunicipalityShare]?, abroad: [AreaCheckReport.AbroadShare]?, note: String) {
        do {
            let locator = try municipalityLocator()
            let shares = try locator.shares(of: rd)
            var abroad: [AreaCheckReport.AbroadShare]?
            if let part = try locator.abroadPart(of: rd) {
                let country = try? countryLocator().country(at: RDPoint(x: part.point.x, y: part.point.y)).country
                abroad = [
                    AreaCheckReport.AbroadShare(
                        country: country?.description ?? "??", share: part.share, areaKm2: part.areaKm2,
                        source: "CBS \(Municipalities.abroadCode) (Buitenland)")
                ]
            }
            return (shares, abroad, Municipalities.accuracyNote)
        } catch {
            return (nil, nil, "not available: \(error)")
        }
    }

    /// Finds the nearest participant outside the area and adds `no-participants` or
    /// `few-participants` with its distance and direction.
    func nearestOutside(
        _ rd: [PlanarPolygon], engine: Engine, inside: Int, into findings: inout Findings
    ) throws -> AreaCheckReport.NearestParticipant? {
        let columns = engine.columns
        let nearest = try nearestOutside(rd, columns: columns)
        var answer: AreaCheckReport.NearestParticipant?
        var tail = "and nobody is registered outside it"
        if let nearest {
            let centroid = try context.makeMultiPolygon(rd).centroid()
            let at = XY(columns.xs[nearest.index], columns.ys[nearest.index])
            let packed = columns.countries[nearest.index]
            answer = AreaCheckReport.NearestParticipant(
                distanceM: nearest.distanceMeters, direction: Self.compass(from: centroid, to: at),
                country: packed == 0 ? "??" : CountryCode(packed: packed).description)
            tail =
                "the nearest participant outside is \(Self.distanceText(nearest.distanceMeters)) from the area, "
                + "\(answer?.direction ?? "") (\(answer?.country ?? "??"))"
        }
        if inside == 0 {
            findings.add(.warning, "no-participants", "no registered participant lies inside the area; \(tail)")
        } else {
            findings.add(
                .warning, "few-participants",
                "only \(inside) registered participant\(inside == 1 ? "" : "s") inside the area "
                    + "(fewer than \(Self.fewParticipants)); \(tail)")
        }
        return answer
    }

    /// `850 m` below 10 km, `12.3 km` above.
    static func distanceText(_ meters: Double) -> String {
        meters < 10_000 ? "\(Int(meters.rounded())) m" : "\(fmt(meters / 1000, 1)) km"
    }
}
