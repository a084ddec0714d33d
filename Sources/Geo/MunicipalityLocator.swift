/// One municipality an area crosses, and how much of the area lies in it.
public struct MunicipalityShare: Sendable, Codable, Equatable {
    /// CBS code, such as `GM0363`.
    public var code: String
    /// Name, such as `Amsterdam`.
    public var name: String
    /// The fraction of the area inside the municipality, 0…1.
    public var share: Double
    /// The area inside the municipality, in km² (RD New).
    public var areaKm2: Double

    /// Creates a share.
    public init(code: String, name: String, share: Double, areaKm2: Double) {
        self.code = code
        self.name = name
        self.share = share
        self.areaKm2 = areaKm2
    }
}

/// Answers which municipalities an area crosses, and with what share, from ``Municipalities``.
///
/// Builds one GEOS geometry per municipality (the few that generalisation left invalid are
/// repaired with MakeValid, structure method) and a prepared one for the intersects test; a
/// query tests envelopes, then intersects, then computes the overlay area
/// (`GEOSIntersection_r`) for each municipality the area touches.
///
/// - Important: Not `Sendable`: it owns geometries of the GEOS context it was made with (one
///   caller at a time). Make one per thread (the ``Municipalities`` value can be shared).
public final class MunicipalityLocator {
    /// The data this locator answers from.
    public let municipalities: Municipalities
    let context: GEOSContext
    private let geometries: [GEOSGeometry]
    private let prepared: [GEOSPreparedGeometry]
    /// The land abroad (``Municipalities/abroad``), one geometry per entry.
    private let abroad: [GEOSGeometry]

    /// Builds the geometries in a new GEOS context.
    ///
    /// - Throws: ``GeoError`` `.invalidGeometry` for rings GEOS cannot build, `.geos` on a GEOS failure.
    public convenience init(municipalities: Municipalities) throws {
        try self.init(municipalities: municipalities, context: try GEOSContext())
    }

    /// Builds the geometries in `context` (for callers that already own one on this thread).
    ///
    /// - Throws: ``GeoError`` `.invalidGeometry` or `.geos`, as ``init(municipalities:)``.
    package init(municipalities: Municipalities, context: GEOSContext) throws {
        self.municipalities = municipalities
        self.context = context
        func geometry(_ m: Municipalities.Municipality) throws -> GEOSGeometry {
            let g = try context.makeMultiPolygon(m.polygons)
            if try g.validity().isValid { return g }
            return try context.makeMultiPolygon(try g.makeValid(method: .structure).polygonalParts().polygons)
        }
        let geometries = try municipalities.list.map(geometry)
        self.geometries = geometries
        abroad = try municipalities.abroad.map(geometry)
        prepared = try geometries.map { try $0.prepared() }
    }

    /// The municipalities an area overlaps, largest share first.
    ///
    /// - Parameter polygons: The area in RD New metres; it should be valid (GEOS's overlay may
    ///   fail on an invalid one).
    /// - Returns: One entry per municipality whose land the area overlaps with a positive area
    ///   (touching a boundary is not enough), largest share first, equal shares by code; the
    ///   shares add up to the part of the area on Dutch municipal land (less than 1 where it
    ///   covers water or another country).
    /// - Throws: ``GeoError`` `.invalidGeometry` for rings GEOS cannot build, `.geos` when an
    ///   overlay fails.
    /// - Complexity: One prepared intersects test per municipality whose envelope meets the
    ///   area's, and one overlay per municipality it meets.
    public func shares(of polygons: [PlanarPolygon]) throws -> [MunicipalityShare] {
        let area = try context.makeMultiPolygon(polygons)
        guard try !area.isEmpty else { return [] }
        let total = try area.area
        guard total > 0 else { return [] }
        let e = try area.envelope()
        var result: [MunicipalityShare] = []
        for (i, m) in municipalities.list.enumerated() {
            let b = m.envelope
            guard e.maxX >= b.minX, e.minX <= b.maxX, e.maxY >= b.minY, e.minY <= b.maxY else { continue }
            guard try prepared[i].intersects(area) else { continue }
            let inside = try geometries[i].intersection(area).area
            guard inside > 0 else { continue }
            result.append(MunicipalityShare(code: m.code, name: m.name, share: inside / total, areaKm2: inside / 1e6))
        }
        return result.sorted { ($0.share, $1.code) > ($1.share, $0.code) }
    }

    /// The part of an area on land the municipalities file marks as abroad
    /// (``Municipalities/abroadCode``), with a point inside it to ask a ``CountryLocator`` whose
    /// it is; `nil` when the area has none.
    ///
    /// - Parameter polygons: The area in RD New metres, valid.
    /// - Returns: The area abroad in km², its share of the area (0…1), and a point in it.
    /// - Throws: ``GeoError`` `.invalidGeometry` or `.geos`, as ``shares(of:)``.
    public func abroadPart(of polygons: [PlanarPolygon]) throws -> (areaKm2: Double, share: Double, point: XY)? {
        let area = try context.makeMultiPolygon(polygons)
        guard try !area.isEmpty else { return nil }
        let total = try area.area
        var inside = 0.0
        var point: XY?
        for land in abroad {
            let part = try land.intersection(area)
            let size = try part.area
            guard size > 0 else { continue }
            inside += size
            if point == nil { point = try part.pointOnSurface() }
        }
        guard total > 0, inside > 0, let point else { return nil }
        return (inside / 1e6, inside / total, point)
    }

    /// The municipality whose land covers an RD New point, if any.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    public func municipality(at rd: RDPoint) throws -> Municipalities.Municipality? {
        for (i, m) in municipalities.list.enumerated() where m.envelope.contains(x: rd.x, y: rd.y) {
            if try prepared[i].covers(x: rd.x, y: rd.y) { return m }
        }
        return nil
    }

    /// The municipalities (with their geometry) whose envelope meets `envelope`, for drawing.
    ///
    /// - Returns: Each municipality's polygons as GEOS returned them after repair, in RD New.
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    public func polygons(
        meeting envelope: Envelope
    ) throws -> [(municipality: Municipalities.Municipality, polygons: [PlanarPolygon])] {
        var result: [(municipality: Municipalities.Municipality, polygons: [PlanarPolygon])] = []
        for (i, m) in municipalities.list.enumerated() {
            let b = m.envelope
            guard envelope.maxX >= b.minX, envelope.minX <= b.maxX, envelope.maxY >= b.minY, envelope.minY <= b.maxY
            else { continue }
            result.append((m, try geometries[i].polygons()))
        }
        return result
    }

    /// A point inside the part of a municipality that lies in `envelope`, and that part's area
    /// in m², for placing a label; `nil` when nothing of it lies there.
    ///
    /// - Throws: ``GeoError`` `.geos` on a GEOS failure.
    public func labelPoint(
        code: String, within envelope: Envelope
    ) throws -> (point: XY, areaSquareMeters: Double)? {
        guard let i = municipalities.list.firstIndex(where: { $0.code == code }) else { return nil }
        let part = try geometries[i].intersection(try context.makeRectangle(envelope))
        guard let p = try part.pointOnSurface() else { return nil }
        return (p, try part.area)
    }
}
