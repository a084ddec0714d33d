import Foundation

/// What to select: an action area and, optionally, the incident point.
public struct SelectionRequest: Sendable {
    /// The shape of an action area as the dispatcher gives it.
    public enum Area: Sendable {
        /// A closed disc around `center` (the incident point) with radius in metres.
        case circle(center: LonLat, radiusMeters: Double)
        /// A polygon or multipolygon, in its own CRS.
        case polygon(AreaGeometry)
    }

    /// The area.
    public var area: Area
    /// The incident point for the outside-in order; `nil` means the circle's centre, or the
    /// polygon's centroid.
    public var incident: LonLat?

    /// Creates a request.
    public init(area: Area, incident: LonLat? = nil) {
        self.area = area
        self.incident = incident
    }
}

/// Where the incident point of a selection came from.
public enum IncidentSource: String, Sendable {
    /// The circle's centre.
    case circleCenter = "circle centre"
    /// Given with the request.
    case given = "given"
    /// The polygon's centroid (no incident was given).
    case centroid = "polygon centroid"
}

/// The participants inside an action area, outside-in, with per-country counts.
public struct SelectionResult: Sendable {
    /// Selected participants: farthest first, equal distances by id ascending.
    public var participants: [SelectedParticipant]
    /// The incident point in RD New.
    public var incident: RDPoint
    /// Where the incident point came from.
    public var incidentSource: IncidentSource
    /// Area of the action area in m².
    public var areaSquareMeters: Double
    /// Seconds the selection took (transform, validation, search, sort).
    public var seconds: Double

    /// Counts per country code ("??" for unknown), sorted by code.
    public var countsByCountry: [(country: String, count: Int)] {
        var counts: [UInt16: Int] = [:]
        for p in participants { counts[p.country?.packed ?? 0, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map {
            (country: $0.key == 0 ? "??" : CountryCode(packed: $0.key).description, count: $0.value)
        }
    }
}
