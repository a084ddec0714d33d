import FanoutCore

// MARK: - Positions in any CRS that do not land in the service region, and why

extension ServiceRegion {
    /// Why positions given in some CRS do not all lie in the service region, with the likely
    /// mix-up: swapped axes, metres given as degrees, degrees given as metres, another CRS.
    package struct Misplacement: Sendable, Equatable {
        /// The likely mix-up.
        package enum Kind: Sendable, Equatable {
            /// With the two axes swapped every position lies inside (lat,lon or y,x order).
            case swappedAxes
            /// Given as WGS84 degrees, but the values are metres; read in the CRS given (when one
            /// of ``ServiceRegion/likelyCRSs`` fits) they lie inside.
            case metresAsDegrees(CRS?)
            /// Given in a projected CRS, but read as WGS84 lon/lat degrees they lie inside.
            case degreesAsMetres
            /// Read in this other CRS (one of ``ServiceRegion/likelyCRSs``) they lie inside.
            case otherCRS(CRS)
            /// Simply elsewhere, or nothing explains it.
            case outside
            /// The positions cannot be transformed to lon/lat at all.
            case notTransformable
        }

        /// The likely mix-up.
        package var kind: Kind
        /// How many positions lie outside the region.
        package var outsideCount: Int
        /// How many positions there are.
        package var count: Int
        /// The first position outside, as given.
        package var first: XY
        /// The CRS the positions were given in.
        package var crs: CRS
        /// How the file writes positions, to quote ``first`` as its author wrote it.
        package var notation: CoordinateNotation = .geoJSON

        /// What the likely mix-up is and what to do, for a message; `nil` for ``Kind/outside``.
        package var hint: String? {
            switch kind {
            case .swappedAxes:
                return crs == .wgs84
                    ? "swapped they lie inside: " + notation.swapHint(first)
                    : "with x and y swapped they lie inside: the \(crs) x and y look swapped"
            case .metresAsDegrees(let fits?):
                return "values such as \(notation.written(first)) are metres, not degrees; read as \(fits) they lie in "
                    + "the service region: give that CRS"
            case .metresAsDegrees(nil):
                return "values such as \(notation.written(first)) are metres, not degrees; give the CRS they are in"
            case .degreesAsMetres:
                return "these look like lon/lat degrees (WGS84), not \(crs) coordinates: read as lon/lat they "
                    + "lie in the service region; drop the CRS (or give EPSG:4326)"
            case .otherCRS(let other):
                return "read as \(other) they lie in the service region: these look like \(other) coordinates, "
                    + "not \(crs)"
            case .notTransformable:
                return "they cannot be transformed from \(crs) to lon/lat"
            case .outside:
                return nil
            }
        }

        /// The change that fixes the mix-up, as data: give the CRS that fits (or any), or drop the one given.
        package var remedies: [ErrorRemedy] {
            switch kind {
            case .metresAsDegrees(let fits): [.giveCRS(fits?.description)]
            case .degreesAsMetres: [.dropCRS]
            case .otherCRS(let other): [.giveCRS(other.description)]
            case .swappedAxes, .notTransformable, .outside: []
            }
        }

        /// `3 of 5 vertices lie outside the service region (lon 2.0…8.5, lat 49.4…54.0)`, then
        /// the first one and the hint.
        ///
        /// - Parameter noun: What the positions are (`vertices`, `points`).
        package func message(noun: String) -> String {
            var text =
                "\(outsideCount) of \(count) \(noun) lie outside the service region (lon \(lonRange.lowerBound)…"
                + "\(lonRange.upperBound), lat \(latRange.lowerBound)…\(latRange.upperBound)); first: "
                + "\(notation.written(first)) in \(crs)"
            if let hint { text += "; \(hint)" }
            return text
        }
    }

    /// CRSs tried when positions land outside the region, to suggest the likely mix-up: WGS84,
    /// RD New, Belgian Lambert 72 and 2008, and UTM 32N (Germany).
    package static let likelyCRSs: [CRS] = [.wgs84, .rdNew, CRS(epsg: 31370), CRS(epsg: 3812), CRS(epsg: 25832)]

    /// Why `points`, given in `crs`, do not all lie in the service region, or `nil` when they do.
    ///
    /// Every position must lie inside (an action area partly in the sea off Portugal is a mistake
    /// as surely as one wholly there). The explanation is tried in this order: swapped axes, then
    /// another of ``likelyCRSs`` in which all positions lie inside (WGS84 for degrees given in a
    /// projected CRS), then values too large for degrees.
    ///
    /// - Parameters:
    ///   - points: The positions as given (x = lon for WGS84).
    ///   - crs: The CRS they were given in.
    ///   - converter: Transforms them to lon/lat.
    /// - Complexity: O(n) in the number of points, a few batched transformations.
    package static func misplacement(
        of points: [XY], in crs: CRS, notation: CoordinateNotation = .geoJSON, converter: CoordinateConverter
    ) -> Misplacement? {
        guard let lonLat = lonLats(points, from: crs, converter) else {
            return Misplacement(
                kind: .notTransformable, outsideCount: points.count, count: points.count,
                first: points.first ?? XY(.nan, .nan), crs: crs, notation: notation)
        }
        let outside = lonLat.indices.filter { !contains(lonLat[$0]) }
        guard let firstOutside = outside.first else { return nil }
        var result = Misplacement(
            kind: .outside, outsideCount: outside.count, count: points.count, first: points[firstOutside], crs: crs,
            notation: notation)
        func fits(_ candidate: [XY], in other: CRS) -> Bool {
            lonLats(candidate, from: other, converter)?.allSatisfy(contains) ?? false
        }
        if fits(points.map { XY($0.y, $0.x) }, in: crs) {
            result.kind = .swappedAxes
        } else if let other = likelyCRSs.first(where: { $0 != crs && fits(points, in: $0) }) {
            result.kind = crs == .wgs84 ? .metresAsDegrees(other) : other == .wgs84 ? .degreesAsMetres : .otherCRS(other)
        } else if crs == .wgs84, points.contains(where: { abs($0.x) > 1000 || abs($0.y) > 1000 }) {
            result.kind = .metresAsDegrees(nil)
        }
        return result
    }

    /// The points as lon/lat, or `nil` when some cannot be transformed (or are not finite).
    private static func lonLats(_ points: [XY], from crs: CRS, _ converter: CoordinateConverter) -> [LonLat]? {
        guard points.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { return nil }
        var xs = points.map(\.x)
        var ys = points.map(\.y)
        do { try converter.toLonLat(xs: &xs, ys: &ys, from: crs) } catch { return nil }
        guard xs.allSatisfy(\.isFinite), ys.allSatisfy(\.isFinite) else { return nil }
        return zip(xs, ys).map { LonLat(lon: $0, lat: $1) }
    }
}
