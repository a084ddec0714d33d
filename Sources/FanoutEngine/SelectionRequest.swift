import FanOut
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection

/// What to select: an action area and, optionally, the incident point.
public struct SelectionRequest: Sendable {
    /// The shape of an action area as the dispatcher gives it.
    public enum Area: Sendable {
        /// A closed disc around `center` (the incident point) with radius in metres.
        case circle(center: LonLat, radiusMeters: Double)
        /// A polygon or multipolygon, in its own CRS.
        case polygon(AreaGeometry)
    }

    /// How distances are measured.
    public enum Distance: String, Sendable, Codable, CaseIterable {
        /// Straight-line distance in RD New metres (the default; RD New's scale error is about
        /// 1e-4 near the edges of the Netherlands, so 1.5 m over 15 km there).
        case rdNew = "rd"
        /// Distance along the WGS84 ellipsoid (Karney's algorithm): exact anywhere. A circle then
        /// is the set of points within the radius on the ellipsoid.
        case geodesic
    }

    /// The area.
    public var area: Area
    /// How distances (circle membership and outside-in order) are measured.
    public var distance: Distance
    /// Only participants of these countries, when given (participants of unknown country are
    /// then left out too).
    public var countries: Set<CountryCode>?
    /// The incident point for the outside-in order; `nil` means the circle's centre, or the
    /// polygon's centroid.
    public var incident: LonLat?

    /// Creates a request.
    public init(area: Area, incident: LonLat? = nil, distance: Distance = .rdNew, countries: Set<CountryCode>? = nil) {
        self.area = area
        self.incident = incident
        self.distance = distance
        self.countries = countries
    }
}

/// Where the incident point of a selection came from.
public enum IncidentSource: String, Sendable, Hashable, CaseIterable {
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
    /// The incident point in WGS84 (as given, or transformed from RD New for a polygon's centroid).
    public var incidentLonLat: LonLat
    /// Where the incident point came from.
    public var incidentSource: IncidentSource
    /// Area of the action area in m².
    public var areaSquareMeters: Double
    /// How the distances were measured.
    public var distance: SelectionRequest.Distance
    /// Seconds the selection took (transform, validation, search, sort).
    public var seconds: Double
    /// The index state the rows refer to.
    public var rows: RowSource
    /// The area selected, as requested (for the audit: ``areaRecord``).
    public var area: SelectionRequest.Area
    /// The registry generation when the selection was made (`nil` for an engine without registry).
    public var registryGeneration: Int64?

    /// The RD New position of a selected participant.
    public func rdPoint(of p: SelectedParticipant) -> RDPoint { rows.rdPoint(row: p.row) }

    /// Counts per country code ("??" for unknown), sorted by code.
    public var countsByCountry: [(country: String, count: Int)] {
        var counts: [UInt16: Int] = [:]
        for p in participants { counts[p.country?.packed ?? 0, default: 0] += 1 }
        return counts.sorted { $0.key < $1.key }.map {
            (country: $0.key == 0 ? "??" : CountryCode(packed: $0.key).description, count: $0.value)
        }
    }
}
