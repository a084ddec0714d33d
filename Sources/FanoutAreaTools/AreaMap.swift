import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection

/// A map of an action area for people to look at (`fanout area map`).
///
/// What to draw, in RD New metres, before any styling; ``svg()`` draws it.
///
/// Made by ``AreaInspector/map(_:engine:incident:)`` from the engine's own data: the area, the
/// country territories (OpenStreetMap, ODbL), the municipalities (CBS, CC BY 4.0) and the
/// participants inside as counts per grid cell. No web tiles.
public struct AreaMap: Sendable {
    /// The title: the area's ``AreaGeometry/name`` when it has one (cut to ``maxTitleCharacters``),
    /// else its file's name.
    public var title: String
    /// Longer names are cut, with `…`, to fit the picture.
    public static let maxTitleCharacters = 80

    /// The title for an area: its name when it has one, else its file's name.
    static func title(of area: AreaGeometry) -> String {
        guard let name = area.name?.split(whereSeparator: \.isNewline).joined(separator: " ") else {
            return URL(fileURLWithPath: area.source).lastPathComponent
        }
        return name.count > maxTitleCharacters ? name.prefix(maxTitleCharacters - 1) + "…" : name
    }
    /// The area in RD New.
    public var area: [PlanarPolygon]
    /// The area in km² (RD New).
    public var areaKm2: Double
    /// The incident point in RD New, and where it came from (`given` or `area centroid`).
    public var incident: (point: XY, source: String)
    /// How far the incident point lies outside the area in metres (0 inside or on its boundary):
    /// a point given far away is more likely a mistake than a plan.
    public var incidentOutsideMeters: Double
    /// The part of the world drawn, in RD New metres: the area plus a margin.
    public var extent: Envelope
    /// Country territories clipped to ``extent``.
    public var countries: [ClippedTerritory]
    /// Municipalities meeting ``extent``, with a label point where the name fits (set by the
    /// renderer's size rule: the visible part must be large enough).
    public var municipalities: [Municipality]
    /// Participants inside per grid cell; `nil` without a registry.
    public var density: Density?
    /// The compass direction of true north at the map's centre, in degrees clockwise from the
    /// grid's up (RD New's meridian convergence: about −1.8° to +1.8° in the service region).
    public var trueNorthDegrees: Double
    /// Notes for the legend: sources and accuracy.
    public var notes: [String]
    /// What could not be drawn and why (for the command to tell the user), such as a missing
    /// municipalities file.
    public var problems: [String] = []

    /// One municipality to draw.
    public struct Municipality: Sendable {
        /// CBS code.
        public var code: String
        /// Name.
        public var name: String
        /// Polygons in RD New.
        public var polygons: [PlanarPolygon]
        /// Where to put the name, with the area (m²) of the visible part it lies in.
        public var label: (point: XY, visibleSquareMeters: Double)?
    }

    /// Participants inside the area counted per square grid cell.
    public struct Density: Sendable {
        /// The cell side in metres (a round number: 100 m … 5 km).
        public var cellMeters: Double
        /// The grid origin (south-west corner of cell 0,0) in RD New.
        public var origin: XY
        /// Non-empty cells: column, row and count.
        public var cells: [(column: Int, row: Int, count: Int)]
        /// Participants inside per country code (`??` unknown), sorted by code.
        public var byCountry: [(country: String, count: Int)]
        /// Everyone inside.
        public var total: Int
    }
}

// MARK: - Building the map

extension AreaInspector {
    /// Collects what ``AreaMap/svg()`` draws for an area.
    ///
    /// - Parameters:
    ///   - area: The area as read (it must be valid and placeable; check it first).
    ///   - engine: A registry engine for the participant density and counts; `nil` draws none.
    ///   - incident: The incident point; `nil` takes the area's centroid.
    /// - Returns: The map's content.
    /// - Throws: ``SelectionError`` `.invalidArea` for an invalid or unplaceable area;
    ///   ``GeoError`` for data files and GEOS/PROJ failures.
    public func map(_ area: AreaGeometry, engine: Engine?, incident: LonLat? = nil) throws -> AreaMap {
        let polygon = try PolygonArea(area, converter: converter, context: context)
        let rd = polygon.polygons
        let geometry = polygon.geometry
        let e = polygon.envelope
        var incidentPoint = try geometry.centroid()
        var source = "area centroid"
        if let incident {
            if let problem = ServiceRegion.problem(with: incident) {
                throw SelectionError(.invalidPoint, "incident point \(incident.lon),\(incident.lat): \(problem)")
            }
            let p = try converter.toRD(incident)
            (incidentPoint, source) = (XY(p.x, p.y), "given")
        }
        let outside = try polygon.prepared.distance(to: try context.makePoint(x: incidentPoint.x, y: incidentPoint.y))
        let extent = Self.mapExtent(e, including: incidentPoint)
        let countries = try countryLocator().territories(clippedTo: extent)
        var municipalities: [AreaMap.Municipality] = []
        var notes = [
            "Borders: © OpenStreetMap contributors, ODbL 1.0 (timezone-boundary-builder 2026c)"
        ]
        let locator: MunicipalityLocator?
        var problems: [String] = []
        do { locator = try municipalityLocator() } catch {
            locator = nil
            notes.append("Municipalities: not available (municipalities-nl.geojson could not be loaded)")
            problems.append("municipalities not drawn: \(error)")
        }
        if let locator {
            for (m, polygons) in try locator.polygons(meeting: extent) {
                let label = try locator.labelPoint(code: m.code, within: extent)
                municipalities.append(
                    .init(
                        code: m.code, name: m.name, polygons: polygons,
                        label: label.map { ($0.point, $0.areaSquareMeters) }))
            }
            notes.append("Municipalities: CBS Wijk- en buurtkaart 2023, CC BY 4.0; generalised (±20–130 m)")
        }
        var density: AreaMap.Density?
        if let engine {
            let result = try engine.select(SelectionRequest(area: .polygon(area)))
            let points = result.participants.map { result.rdPoint(of: $0) }
            density = AreaMap.density(of: points, countries: result.countsByCountry, area: e)
        }
        let centre = XY((extent.minX + extent.maxX) / 2, (extent.minY + extent.maxY) / 2)
        return AreaMap(
            title: AreaMap.title(of: area), area: rd, areaKm2: try geometry.area / 1e6,
            incident: (incidentPoint, source),
            incidentOutsideMeters: outside,
            extent: extent, countries: countries, municipalities: municipalities, density: density,
            trueNorthDegrees: try trueNorth(at: centre), notes: notes, problems: problems)
    }

    /// The area's envelope (and the incident) grown by 15% of its larger side (at least 500 m),
    /// then widened to an aspect between 3:4 and 4:3.
    static func mapExtent(_ e: Envelope, including p: XY) -> Envelope {
        var b = Envelope(
            minX: min(e.minX, p.x), minY: min(e.minY, p.y), maxX: max(e.maxX, p.x), maxY: max(e.maxY, p.y))
        let margin = max(0.15 * max(b.maxX - b.minX, b.maxY - b.minY), 500)
        b.minX -= margin
        b.minY -= margin
        b.maxX += margin
        b.maxY += margin
        // Keep the aspect within 3:4 … 4:3 by growing the shorter side around the centre, here
        // rather than in the drawing, so that the countries are clipped to what is drawn.
        let w = b.maxX - b.minX
        let h = b.maxY - b.minY
        if h < 0.75 * w {
            let grow = (0.75 * w - h) / 2
            (b.minY, b.maxY) = (b.minY - grow, b.maxY + grow)
        } else if w < 0.75 * h {
            let grow = (0.75 * h - w) / 2
            (b.minX, b.maxX) = (b.minX - grow, b.maxX + grow)
        }
        return b
    }

    /// True north at an RD New point, in degrees clockwise from grid north: the direction of a
    /// point 0.01° further north, through the same transformation as everything else.
    private func trueNorth(at p: XY) throws -> Double {
        let ll = try converter.toLonLat([RDPoint(x: p.x, y: p.y)])[0]
        let north = try converter.toRD(LonLat(lon: ll.lon, lat: ll.lat + 0.01))
        return atan2(north.x - p.x, north.y - p.y) * 180 / .pi
    }
}

extension AreaMap {
    /// Counts points per grid cell, with a round cell size giving about 40 cells across the
    /// area's larger side.
    static func density(
        of points: [RDPoint], countries: [(country: String, count: Int)], area e: Envelope
    ) -> Density {
        let side = max(e.maxX - e.minX, e.maxY - e.minY)
        // Never below 100 m, so that a cell holding one participant does not narrow it down to a house.
        let cell = niceNumber(side / 40, at: [100, 200, 250, 500, 1000, 2000, 2500, 5000])
        let origin = XY((e.minX / cell).rounded(.down) * cell, (e.minY / cell).rounded(.down) * cell)
        var counts: [Int64: Int] = [:]
        for p in points {
            let c = Int64(((p.x - origin.x) / cell).rounded(.down))
            let r = Int64(((p.y - origin.y) / cell).rounded(.down))
            counts[c << 32 | (r & 0xFFFF_FFFF), default: 0] += 1
        }
        let cells =
            counts.map { (column: Int($0.key >> 32), row: Int(Int32(truncatingIfNeeded: $0.key)), count: $0.value) }
            .sorted { ($0.row, $0.column) < ($1.row, $1.column) }
        return Density(cellMeters: cell, origin: origin, cells: cells, byCountry: countries, total: points.count)
    }

    /// The candidate nearest to `value` (on a log scale).
    static func niceNumber(_ value: Double, at candidates: [Double]) -> Double {
        candidates.min { abs(log($0 / value)) < abs(log($1 / value)) } ?? value
    }
}
