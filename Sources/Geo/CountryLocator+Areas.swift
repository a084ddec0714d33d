// MARK: - Countries crossed by an area

extension CountryLocator {
    /// The countries whose territory an area touches or overlaps.
    ///
    /// One envelope test per country, then an indexed `GEOSPreparedIntersects_r` of the country's
    /// prepared territory against the area (built in this locator's GEOS context). The area is
    /// not clipped and need not be valid for a useful answer, but an invalid one may give GEOS
    /// exceptions.
    ///
    /// - Parameter polygons: The area in RD New metres.
    /// - Returns: The countries in ``CountryBorders/precedence`` order; empty when the area lies
    ///   outside every territory in the borders file (the sea beyond the territorial waters,
    ///   countries other than NL, BE and DE).
    /// - Throws: ``GeoError`` `.invalidGeometry` for rings GEOS cannot build, `.geos` on a GEOS
    ///   exception.
    /// - Complexity: O(n log m): n area vertices against m border vertices (prepared index).
    public func countries(intersecting polygons: [PlanarPolygon]) throws -> [CountryCode] {
        let area = try context.makeMultiPolygon(polygons)
        guard try !area.isEmpty else { return [] }
        let e = try area.envelope()
        var result: [CountryCode] = []
        for t in territories {
            let r = t.reach
            guard e.maxX >= r.minX, e.minX <= r.maxX, e.maxY >= r.minY, e.minY <= r.maxY else { continue }
            if try t.area.intersects(area) { result.append(t.country) }
        }
        return result
    }
}
