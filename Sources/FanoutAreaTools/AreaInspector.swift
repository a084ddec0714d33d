import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// Checks action areas for GIS staff: validity, orientation, vertices, likely mistakes, size,
/// countries and participants (`fanout area check`).
///
/// ```swift
/// let inspector = try AreaInspector()
/// let area = try inspector.read(contentsOf: URL(fileURLWithPath: "district.geojson"))
/// let report = try inspector.check(area, incidentType: "missing-child", table: try .load(), engine: nil)
/// print(report.verdict, report.measures?.areaKm2 ?? 0)
/// ```
///
/// - Important: Not `Sendable`: it owns a GEOS and a PROJ context (one caller at a time, any thread).
public final class AreaInspector {
    /// Consecutive vertices closer than this in RD New are reported as duplicates.
    public static let duplicateToleranceMeters = 0.01
    /// A vertex whose two edges meet at less than this angle is a spike.
    public static let spikeMaxDegrees = 1.0
    /// An area larger than this many times the largest suggested circle for its incident type
    /// is "larger than usual".
    public static let largeAreaFactor = 4.0
    /// Findings of one kind listed before the rest are only counted.
    public static let maxFindingsPerCode = 20

    let context: GEOSContext
    let converter: CoordinateConverter
    /// Where the borders and municipalities are read from.
    let data: DataDirectory
    private var locator: CountryLocator?
    /// The municipalities, loaded on first use (``municipalityLocator()``).
    var municipalityCache: MunicipalityLocator?
    /// Contact rates assumed for the time estimate.
    public var rates = ChannelRates.beAlert

    /// Creates an inspector with its own GEOS and PROJ contexts.
    ///
    /// - Parameter data: Where the RD grid, the borders and the municipalities are (default: the
    ///   package's own files); the grid is required, the others are read when first needed.
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start, `.correctionGrid` when the grid is
    ///   missing or damaged.
    public init(data: DataDirectory = .bundled) throws {
        self.data = data
        context = try GEOSContext()
        converter = try CoordinateConverter(data: data)
    }

    /// Reads an area file (GeoJSON, WKT, CAP or GeoPackage), as
    /// ``Engine/readArea(contentsOf:crs:layer:features:)``.
    ///
    /// - Throws: ``GeoError`` naming the file and what is wrong.
    public func read(
        contentsOf url: URL, crs: CRS? = nil, layer: String? = nil, features: FeatureChoice = .single
    ) throws -> AreaGeometry {
        try AreaReader.read(contentsOf: url, crs: crs, layer: layer, features: features, context: context)
    }

    // MARK: - Planar validity (no CRS)

    /// GEOS validity of a geometry of any type, in its own coordinates (no transformation).
    ///
    /// The part of the check that the JTS validity suite exercises.
    package static func validity(of geometry: GEOSGeometry) throws -> AreaCheckReport.Validity {
        switch try geometry.validity() {
        case .valid:
            return AreaCheckReport.Validity(valid: true)
        case .invalid(let reason, let location):
            return AreaCheckReport.Validity(
                valid: false, reason: reason, location: location.map { AreaCheckReport.Position(x: $0.x, y: $0.y) })
        }
    }

    /// Validity of WKT in its own planar coordinates, through the same path as the check.
    ///
    /// - Throws: ``GeoError`` `.parse` when GEOS cannot read the WKT.
    public func planarValidity(wkt: String) throws -> AreaCheckReport.Validity {
        try Self.validity(of: try context.readWKT(wkt))
    }

    // MARK: - The check

    /// Checks an area.
    ///
    /// - Parameters:
    ///   - area: The area as read, in its CRS.
    ///   - incidentType: Compare the size with the travel-radius table for this type.
    ///   - table: The travel-radius table (needed with `incidentType`).
    ///   - engine: A registry engine to count participants inside; `nil` skips the count.
    /// - Returns: The report; its verdict is the exit status.
    /// - Throws: ``AreaToolError`` `.unknownIncidentType`; ``GeoError`` for GEOS/PROJ failures
    ///   that are not about the area.
    public func check(
        _ area: AreaGeometry, incidentType: String? = nil, table: TravelRadiusTable? = nil, engine: Engine? = nil
    ) throws -> AreaCheckReport {
        var largest: Double?
        if let incidentType, let table { largest = try table.largestRadiusMeters(for: incidentType) }
        var findings = Findings()
        let validity = try sourceValidity(area)
        orientation(area, into: &findings)
        let placement = plausibility(area, into: &findings)
        var measures: AreaCheckReport.Measures?
        var countries: [String]?
        var municipalities: [MunicipalityShare]?
        var abroad: [AreaCheckReport.AbroadShare]?
        var boundaries = "not computed: the area cannot be placed"
        var participants: AreaCheckReport.Participants?
        if let placement {
            vertexChecks(
                area.polygons, rd: placement.rd, lonLat: placement.lonLat, tolerance: Self.duplicateToleranceMeters,
                into: &findings)
            measures = try self.measures(rd: placement.rd, lonLat: placement.lonLat)
            do { countries = try countryLocator().countries(intersecting: placement.rd).map(\.description) } catch {
                // A missing or broken borders file is said (naming it), not passed over in silence.
                findings.add(.warning, "countries-unavailable", "the countries cannot be told: \(error)")
            }
            if countries?.isEmpty == true {
                findings.add(
                    .warning, "outside-territory", "the area touches no Dutch, Belgian or German territory (open sea?)")
            }
            if validity.valid {
                (municipalities, abroad, boundaries) = municipalityShares(placement.rd)
                // Land abroad is its country's, whether or not the country borders file reaches it.
                for a in abroad ?? [] where a.country != "??" && countries?.contains(a.country) == false {
                    countries?.append(a.country)
                }
            } else {
                boundaries = "not computed: the area is invalid"
            }
            if let largest, let m = measures, let incidentType {
                let usual = Self.largeAreaFactor * Double.pi * largest * largest / 1e6
                if m.areaKm2 > usual {
                    findings.add(
                        .warning, "larger-than-usual",
                        "the area is \(fmt(m.areaKm2, 1)) km², more than \(Int(Self.largeAreaFactor)) × the largest "
                            + "suggested circle for \(incidentType) (radius \(fmt(largest / 1000, 1)) km: "
                            + "\(fmt(usual, 1)) km²)")
                }
            }
            if let engine, validity.valid {
                let result = try engine.select(SelectionRequest(area: .polygon(area)))
                participants = rates.participants(result)
                if result.participants.count < Self.fewParticipants {
                    participants?.nearestOutside = try nearestOutside(
                        placement.rd, engine: engine, inside: result.participants.count, into: &findings)
                }
            }
        } else {
            // Not placeable: still report repeated vertices and spikes in the source coordinates.
            vertexChecks(area.polygons, rd: nil, lonLat: nil, tolerance: 0, into: &findings)
        }
        let all = findings.sorted()
        let verdict: AreaCheckReport.Verdict =
            !validity.valid || all.contains { $0.severity == .error } ? .invalid : all.isEmpty ? .valid : .warnings
        return AreaCheckReport(
            source: area.source, crs: area.crs.description, notation: area.notation, verdict: verdict, exitStatus: verdict.exitStatus,
            validity: validity, findings: all, measures: measures, countries: countries,
            municipalities: municipalities, municipalityBoundaries: boundaries, abroad: abroad, participants: participants,
            incidentType: incidentType)
    }

    // MARK: - Parts

    func countryLocator() throws -> CountryLocator {
        if let locator { return locator }
        let made = try CountryLocator(
            borders: try CountryBorders.load(.data(data), converter: converter), context: context)
        locator = made
        return made
    }

    private func sourceValidity(_ area: AreaGeometry) throws -> AreaCheckReport.Validity {
        let geometry: GEOSGeometry
        do {
            geometry =
                try area.polygons.count == 1
                ? context.makePolygon(area.polygons[0]) : context.makeMultiPolygon(area.polygons)
        } catch let e as GeoError where e.code == .invalidGeometry {
            return AreaCheckReport.Validity(valid: false, reason: e.message)
        }
        var v = try Self.validity(of: geometry)
        if let p = v.location { v.location = position(XY(p.x, p.y), crs: area.crs) }
        return v
    }

    /// Warns about rings turned against RFC 7946, for GeoJSON only (and areas made in code): CAP,
    /// WKT and GeoPackage prescribe no direction (see ``AreaFormat/prescribesRingOrientation``).
    private func orientation(_ area: AreaGeometry, into findings: inout Findings) {
        guard area.format?.prescribesRingOrientation ?? true else { return }
        for (pi, polygon) in area.polygons.enumerated() {
            if RingOrientation.signedDoubleArea(polygon.shell) < 0 {
                findings.add(
                    .warning, "shell-clockwise",
                    "the outer ring is clockwise; RFC 7946 wants it counter-clockwise (accepted, but some tools object)",
                    polygon: pi + 1, ring: 1)
            }
            for (hi, hole) in polygon.holes.enumerated() where RingOrientation.signedDoubleArea(hole) > 0 {
                findings.add(
                    .warning, "hole-counterclockwise",
                    "hole \(hi + 1) is counter-clockwise; RFC 7946 wants holes clockwise (accepted)",
                    polygon: pi + 1, ring: hi + 2)
            }
        }
    }

    private func vertexChecks(
        _ polygons: [PlanarPolygon], rd: [PlanarPolygon]?, lonLat: [PlanarPolygon]?, tolerance: Double,
        into findings: inout Findings
    ) {
        let measured = rd ?? polygons
        for (pi, polygon) in measured.enumerated() {
            for (ri, ring) in ([polygon.shell] + polygon.holes).enumerated() {
                let source = ri == 0 ? polygons[pi].shell : polygons[pi].holes[ri - 1]
                func at(_ i: Int) -> AreaCheckReport.Position {
                    var p = AreaCheckReport.Position(x: source[i].x, y: source[i].y)
                    if let lonLat { p.lon = (ri == 0 ? lonLat[pi].shell : lonLat[pi].holes[ri - 1])[i].x }
                    if let lonLat { p.lat = (ri == 0 ? lonLat[pi].shell : lonLat[pi].holes[ri - 1])[i].y }
                    if rd != nil { (p.rdX, p.rdY) = (ring[i].x, ring[i].y) }
                    return p
                }
                for i in RingCheck.nearDuplicates(ring, tolerance: tolerance) where i < source.count {
                    let what =
                        rd == nil ? "repeats the previous vertex" : "is within 1 cm (RD New) of the previous vertex"
                    findings.add(
                        .warning, "duplicate-vertex", "vertex \(i) \(what)", polygon: pi + 1, ring: ri + 1, vertex: i,
                        at: at(i))
                }
                for i in RingCheck.spikes(ring, maxDegrees: Self.spikeMaxDegrees, tolerance: tolerance)
                where i < source.count {
                    findings.add(
                        .warning, "spike",
                        "the ring turns back on itself at vertex \(i) (angle below \(Int(Self.spikeMaxDegrees))°)",
                        polygon: pi + 1, ring: ri + 1, vertex: i, at: at(i))
                }
            }
        }
    }

    private func measures(rd: [PlanarPolygon], lonLat: [PlanarPolygon]) throws -> AreaCheckReport.Measures? {
        guard let g = try? context.makeMultiPolygon(rd) else { return nil }
        let rdPoints = rd.flatMap { [$0.shell] + $0.holes }.flatMap { $0 }
        let llPoints = lonLat.flatMap { [$0.shell] + $0.holes }.flatMap { $0 }
        guard !rdPoints.isEmpty else { return nil }
        let vertices = rd.vertexCount
        return AreaCheckReport.Measures(
            areaKm2: try g.area / 1e6, perimeterKm: try g.length / 1000, vertices: vertices, polygons: rd.count,
            holes: rd.reduce(0) { $0 + $1.holes.count },
            bboxLonLat: AreaCheckReport.LonLatBox(
                minLon: llPoints.map(\.x).min() ?? 0, minLat: llPoints.map(\.y).min() ?? 0,
                maxLon: llPoints.map(\.x).max() ?? 0, maxLat: llPoints.map(\.y).max() ?? 0),
            bboxRd: AreaCheckReport.RDBox(
                minX: rdPoints.map(\.x).min() ?? 0, minY: rdPoints.map(\.y).min() ?? 0,
                maxX: rdPoints.map(\.x).max() ?? 0, maxY: rdPoints.map(\.y).max() ?? 0))
    }

    /// A source point with its lon/lat and RD position where they can be computed.
    func position(_ p: XY, crs: CRS) -> AreaCheckReport.Position {
        var result = AreaCheckReport.Position(x: p.x, y: p.y)
        guard p.x.isFinite, p.y.isFinite else { return result }
        var xs = [p.x]
        var ys = [p.y]
        if (try? converter.toLonLat(xs: &xs, ys: &ys, from: crs)) != nil,
            ServiceRegion.contains(LonLat(lon: xs[0], lat: ys[0]))
        {
            (result.lon, result.lat) = (xs[0], ys[0])
            var rx = [p.x]
            var ry = [p.y]
            if (try? converter.toRD(xs: &rx, ys: &ry, from: crs)) != nil { (result.rdX, result.rdY) = (rx[0], ry[0]) }
        }
        return result
    }
}

/// Findings collected during a check, at most ``AreaInspector/maxFindingsPerCode`` listed per code.
struct Findings {
    private var list: [AreaCheckReport.Finding] = []
    private var counts: [String: Int] = [:]

    mutating func add(
        _ severity: AreaCheckReport.Severity, _ code: String, _ message: String, polygon: Int? = nil,
        ring: Int? = nil, vertex: Int? = nil, at: AreaCheckReport.Position? = nil
    ) {
        counts[code, default: 0] += 1
        guard counts[code, default: 0] <= AreaInspector.maxFindingsPerCode else { return }
        list.append(
            .init(
                severity: severity, code: code, message: message, polygon: polygon, ring: ring, vertex: vertex, at: at))
    }

    /// Errors first, then warnings, each in the order found; a count of those left out per code.
    func sorted() -> [AreaCheckReport.Finding] {
        var result = list.filter { $0.severity == .error } + list.filter { $0.severity == .warning }
        for (code, n) in counts.sorted(by: { $0.key < $1.key }) where n > AreaInspector.maxFindingsPerCode {
            let severity = list.first { $0.code == code }?.severity ?? .warning
            result.append(
                .init(
                    severity: severity, code: code,
                    message: "\(n - AreaInspector.maxFindingsPerCode) more \(code) findings not listed"))
        }
        return result
    }
}

/// A number with a fixed count of decimals.
func fmt(_ value: Double, _ decimals: Int) -> String { DecimalFormat.string(value, decimals: decimals) }
