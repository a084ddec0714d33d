import FanoutCore
import Geo
// MARK: - WKT files: one geometry, or several read as features

extension AreaReader {
    /// Parses a WKT file into polygons; several geometries in one file are its features.
    ///
    /// GEOS reads one geometry and ignores what follows, so the text is first split into its
    /// top-level geometries (``WKTPieces``): text after a geometry that is not another one is
    /// refused, and several geometries are chosen among as a GeoJSON FeatureCollection's features
    /// are: refused with a list (`.single`), one by its position (`.id("#N")`), or their
    /// union (`.all`).
    ///
    /// - Throws: ``GeoError`` `.parse` with GEOS's message or naming the line and byte of trailing
    ///   text, `.unsupportedGeometry` for non-areas, `.featureChoice` for several geometries and
    ///   no choice or a position the file lacks.
    package static func parseWKT(
        _ text: String, name: String, crs: CRS, features: FeatureChoice = .single, context: GEOSContext
    ) throws -> AreaGeometry {
        let pieces: [WKTPiece]
        do { pieces = try WKTPieces.split(text) } catch let e as GeoError {
            var location = e.location ?? ErrorLocation()
            location.input = name
            throw GeoError(e.code, "\(name): \(e.message)", location: location)
        }
        guard !pieces.isEmpty else { throw GeoError(.parse, "\(name): no WKT geometry in the file") }
        let labels = pieces.enumerated().map { i, p in
            FeatureLabel(id: "#\(i + 1): \(AreaFeatures.clean(p.type, limit: 30)) on line \(p.line)")
        }
        func area(_ polygons: [PlanarPolygon], _ dropped: DroppedOrdinates) -> AreaGeometry {
            var area = AreaGeometry(polygons: polygons, crs: crs, source: name, format: .wkt)
            area.dropped = dropped
            return area
        }
        switch features {
        case .single:
            guard pieces.count == 1 else {
                throw GeoError(
                    .featureChoice,
                    "\(name): "
                        + AreaFeatures.severalMessage(
                            place: "the WKT file", count: pieces.count, labels: labels, idName: "'#N'"
                        )
                        .replacingOccurrences(of: "features;", with: "geometries (features);"))
            }
            let polygons = try polygons(pieces[0], place: name, context: context)
            return area(polygons, dropped(pieces[0], polygons))
        case .id(let id):
            guard let n = id.position else {
                throw GeoError(
                    .featureChoice,
                    "\(name): feature \(AreaFeatures.clean(id.text)): WKT geometries have no ids; choose one by "
                        + "its position in the file, '#N' (1 for the first)")
            }
            guard n <= pieces.count else {
                throw GeoError(
                    .featureChoice,
                    "\(name): "
                        + AreaFeatures.unknownIDMessage(
                            id, idName: "position", place: "the WKT file", count: pieces.count, labels: labels))
            }
            let place = pieces.count == 1 ? name : "\(name): geometry #\(n) (line \(pieces[n - 1].line))"
            let polygons = try polygons(pieces[n - 1], place: place, context: context)
            return area(polygons, dropped(pieces[n - 1], polygons))
        case .all:
            var parsed: [FeatureGeometry] = []
            var lost = DroppedOrdinates()
            for (i, piece) in pieces.enumerated() {
                do {
                    let polygons = try polygons(piece, context: context)
                    lost = lost + dropped(piece, polygons)
                    parsed.append(FeatureGeometry(label: labels[i].id, polygons: .success(polygons)))
                } catch let e as GeoError {
                    parsed.append(FeatureGeometry(label: labels[i].id, polygons: .failure(e)))
                }
            }
            return area(
                try AreaFeatures.union(
                    parsed, place: "the WKT file", context: context,
                    fail: { code, message in GeoError(code, "\(name): \(message)") }), lost)
        }
    }

    /// The Z and M values a geometry's polygons lost (GEOS keeps x and y only here).
    private static func dropped(_ piece: WKTPiece, _ polygons: [PlanarPolygon]) -> DroppedOrdinates {
        let (z, m) = DroppedOrdinates.wktDimensions(piece.text)
        return .of(polygons, z: z, m: m)
    }

    /// The polygons of one WKT geometry; errors are prefixed with `place` when given.
    private static func polygons(_ piece: WKTPiece, place: String? = nil, context: GEOSContext) throws
        -> [PlanarPolygon]
    {
        let prefix = place.map { "\($0): " } ?? ""
        do {
            let geometry = try context.readWKT(piece.text)
            if try geometry.isEmpty { throw GeoError(.invalidGeometry, "the polygon is empty") }
            return try geometry.polygons()
        } catch let e as GeoError {
            throw GeoError(e.code, prefix + e.message)
        }
    }
}
