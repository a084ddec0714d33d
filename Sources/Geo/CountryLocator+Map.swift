// MARK: - Territories for drawing

extension CountryLocator {
    /// Each country's territory clipped to a rectangle, for drawing a map.
    ///
    /// See `GEOSIntersection_r` (the clip) on the locator's territories.
    ///
    /// - Parameter envelope: The rectangle in RD New metres.
    /// - Returns: The countries (in ``CountryBorders/precedence`` order) with a part inside the
    ///   rectangle, each with that part's polygons in RD New, a point inside it for a label
    ///   (`GEOSPointOnSurface_r`) and its area in m².
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    public func territories(clippedTo envelope: Envelope) throws -> [ClippedTerritory] {
        let rectangle = try context.makeRectangle(envelope)
        var result: [ClippedTerritory] = []
        for t in territories {
            let r = t.reach
            guard envelope.maxX >= r.minX, envelope.minX <= r.maxX, envelope.maxY >= r.minY, envelope.minY <= r.maxY
            else { continue }
            let part = try t.area.base.intersection(rectangle)
            let polygons = try part.polygonalParts().polygons
            guard !polygons.isEmpty, let label = try part.pointOnSurface() else { continue }
            result.append(
                ClippedTerritory(country: t.country, polygons: polygons, label: label, squareMeters: try part.area))
        }
        return result
    }
}

/// A country's territory inside a rectangle (``CountryLocator/territories(clippedTo:)``).
public struct ClippedTerritory: Sendable {
    /// The country.
    public var country: CountryCode
    /// The part inside the rectangle, in RD New; its rings run along the rectangle's edges where
    /// the territory was cut.
    public var polygons: [PlanarPolygon]
    /// A point inside the part, for a label.
    public var label: XY
    /// The part's area in m².
    public var squareMeters: Double
}
