import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// Repairs an invalid action area with GEOS MakeValid (`fanout area fix`).
///
/// MakeValid runs in the area's own CRS (the edges are straight there, as the file means them).
/// Only polygonal parts of the result are kept: a spike repaired by the linework method comes
/// back as a polygon plus a line, and the line is dropped (and reported). Areas before and after
/// are measured in RD New when the area lies in the service region.
public final class AreaFixer {
    /// What a repair changed.
    public struct Report: Sendable, Codable, Equatable {
        /// The method used.
        public var method: String
        /// Whether the input was valid (then the output is the input, rewritten).
        public var validBefore: Bool
        /// GEOS's reason for the input, if it was invalid.
        public var reasonBefore: String?
        /// Parts (polygons) before.
        public var partsBefore: Int
        /// Polygons kept after.
        public var partsAfter: Int
        /// Area before in km² in RD New (as GEOS computes it for the invalid input: a bowtie
        /// gives 0), `nil` when the area cannot be placed in RD New.
        public var areaBeforeKm2: Double?
        /// Area after in km² in RD New.
        public var areaAfterKm2: Double?
        /// Area before and after in the source CRS units squared (degrees² for lon/lat).
        public var areaBeforeSource: Double
        public var areaAfterSource: Double
        /// Types of the non-polygonal parts that MakeValid produced and that were dropped.
        public var dropped: [String]
        /// Whether the output is valid.
        public var validAfter: Bool
        /// Whether the output is empty (nothing polygonal was left).
        public var empty: Bool
    }

    let context: GEOSContext
    let converter: CoordinateConverter

    /// Creates a fixer with its own GEOS and PROJ contexts.
    ///
    /// - Parameter data: Where the RD grid is (default: the package's own files).
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start, `.correctionGrid` when the grid is
    ///   missing or damaged.
    public init(data: DataDirectory = .bundled) throws {
        context = try GEOSContext()
        converter = try CoordinateConverter(data: data)
    }

    /// Reads an area file as ``AreaReader`` does (in this fixer's GEOS context).
    public func read(
        contentsOf url: URL, crs: CRS? = nil, layer: String? = nil, features: FeatureChoice = .single
    ) throws -> AreaGeometry {
        try AreaReader.read(contentsOf: url, crs: crs, layer: layer, features: features, context: context)
    }

    /// Repairs an area.
    ///
    /// - Returns: The repaired area (polygonal parts only, same CRS, same attributes), its rings
    ///   turned as RFC 7946 wants them (shells counter-clockwise, holes clockwise: GEOS MakeValid
    ///   returns them either way), and what changed.
    /// - Throws: ``GeoError`` `.invalidGeometry` for rings GEOS cannot even build (fewer than 4
    ///   points, not closed); `.geos` on a GEOS failure.
    public func fix(_ area: AreaGeometry, method: MakeValidMethod) throws -> (AreaGeometry, Report) {
        let input = try context.makeMultiPolygon(area.polygons)
        let (polygons, report) = try fix(input, method: method, crs: area.crs)
        var fixed = area
        fixed.polygons = polygons.map(\.orientedRFC7946)
        return (fixed, report)
    }

    /// Repairs a GEOS geometry in its own planar coordinates (`crs` only for the RD areas).
    package func fix(_ input: GEOSGeometry, method: MakeValidMethod, crs: CRS?) throws -> ([PlanarPolygon], Report) {
        let before = try input.validity()
        let output = try input.makeValid(method: method)
        let (polygons, dropped) = try output.polygonalParts()
        let kept = try context.makeMultiPolygon(polygons)
        var reason: String?
        if case .invalid(let r, let at) = before { reason = r + (at.map { " at \($0.x),\($0.y)" } ?? "") }
        let report = Report(
            method: method.rawValue, validBefore: before.isValid, reasonBefore: reason,
            partsBefore: try input.polygons().count, partsAfter: polygons.count,
            areaBeforeKm2: crs.flatMap { rdArea(try? input.polygons(), crs: $0) },
            areaAfterKm2: crs.flatMap { rdArea(polygons, crs: $0) }, areaBeforeSource: try input.area,
            areaAfterSource: try kept.area, dropped: dropped.map(\.description),
            validAfter: try kept.validity().isValid,
            empty: polygons.isEmpty)
        return (polygons, report)
    }

    /// The area in km² of polygons transformed to RD New, or `nil` outside the service region.
    private func rdArea(_ polygons: [PlanarPolygon]?, crs: CRS) -> Double? {
        guard let polygons else { return nil }
        var rd: [PlanarPolygon] = []
        for p in polygons {
            var rings: [[XY]] = []
            for ring in [p.shell] + p.holes {
                var xs = ring.map(\.x)
                var ys = ring.map(\.y)
                var lx = xs
                var ly = ys
                guard (try? converter.toLonLat(xs: &lx, ys: &ly, from: crs)) != nil,
                    zip(lx, ly).allSatisfy({ ServiceRegion.contains(LonLat(lon: $0, lat: $1)) }),
                    (try? converter.toRD(xs: &xs, ys: &ys, from: crs)) != nil
                else { return nil }
                rings.append(zip(xs, ys).map { XY($0, $1) })
            }
            rd.append(PlanarPolygon(shell: rings[0], holes: Array(rings.dropFirst())))
        }
        guard let g = try? context.makeMultiPolygon(rd), let a = try? g.area else { return nil }
        return a / 1e6
    }
}
