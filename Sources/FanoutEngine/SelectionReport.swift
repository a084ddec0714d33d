import FanOut
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection

/// A selection as a service sends it: who is in the area, outside-in, with their distances and
/// countries, and what the selection was made from; `Codable` with stable snake_case field names.
///
/// ``SelectionResult`` holds a reference into the engine's index (for positions) and the area's
/// geometry, so it is not sent as it is; ``SelectionResult/report()`` makes this value from it. It
/// holds no positions or contact data: a participant is its id, distance, country and rank.
///
/// ```json
/// {"area_m2": 785398.16, "distance": "rd", "incident": {"lat": 52.09, "lon": 5.12},
///  "incident_rd": {"x": 136000, "y": 455000}, "incident_source": "circle_centre",
///  "participants": [{"country": "NL", "distance_m": 498.2, "id": 17, "rank": 1}],
///  "registry_generation": 12, "seconds": 0.0021}
/// ```
public struct SelectionReport: Codable, Sendable, Hashable {
    /// One selected participant.
    public struct Participant: Codable, Sendable, Hashable {
        /// The participant id.
        public var id: Int64
        /// Distance from the incident point in metres (RD New or geodesic: ``SelectionReport/distance``).
        public var distanceMeters: Double
        /// The participant's country, if known (`null` in JSON).
        public var country: CountryCode?
        /// Position in the outside-in order: 1 is called first.
        public var rank: Int

        /// Creates an entry.
        public init(id: Int64, distanceMeters: Double, country: CountryCode?, rank: Int) {
            self.id = id
            self.distanceMeters = distanceMeters
            self.country = country
            self.rank = rank
        }

        private enum CodingKeys: String, CodingKey {
            case id
            case distanceMeters = "distance_m"
            case country, rank
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(distanceMeters, forKey: .distanceMeters)
            try c.encode(country?.description, forKey: .country)
            try c.encode(rank, forKey: .rank)
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            var country: CountryCode?
            if let text = try c.decodeIfPresent(String.self, forKey: .country) {
                guard let code = CountryCode(text) else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .country, in: c, debugDescription: "'\(text.prefix(20))' is not a two-letter country code")
                }
                country = code
            }
            self.init(
                id: try c.decode(Int64.self, forKey: .id), distanceMeters: try c.decode(Double.self, forKey: .distanceMeters),
                country: country, rank: try c.decode(Int.self, forKey: .rank))
        }
    }

    /// The selected participants, farthest first (equal distances by id ascending).
    public var participants: [Participant]
    /// The incident point in WGS84.
    public var incident: LonLat
    /// The incident point in RD New.
    public var incidentRD: RDPoint
    /// Where the incident point came from.
    public var incidentSource: IncidentSource
    /// Area of the action area in m².
    public var areaSquareMeters: Double
    /// How the distances were measured.
    public var distance: SelectionRequest.Distance
    /// The registry generation the selection was made at (`nil` for an engine without registry).
    public var registryGeneration: Int64?
    /// Seconds the selection took.
    public var seconds: Double

    /// Creates a report.
    public init(
        participants: [Participant], incident: LonLat, incidentRD: RDPoint, incidentSource: IncidentSource,
        areaSquareMeters: Double, distance: SelectionRequest.Distance, registryGeneration: Int64?, seconds: Double
    ) {
        self.participants = participants
        self.incident = incident
        self.incidentRD = incidentRD
        self.incidentSource = incidentSource
        self.areaSquareMeters = areaSquareMeters
        self.distance = distance
        self.registryGeneration = registryGeneration
        self.seconds = seconds
    }

    private enum CodingKeys: String, CodingKey {
        case participants, incident
        case incidentRD = "incident_rd"
        case incidentSource = "incident_source"
        case areaSquareMeters = "area_m2"
        case distance
        case registryGeneration = "registry_generation"
        case seconds
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(participants, forKey: .participants)
        try c.encode(incident, forKey: .incident)
        try c.encode(incidentRD, forKey: .incidentRD)
        try c.encode(incidentSource.jsonName, forKey: .incidentSource)
        try c.encode(areaSquareMeters, forKey: .areaSquareMeters)
        try c.encode(distance, forKey: .distance)
        try c.encode(registryGeneration, forKey: .registryGeneration)
        try c.encode(seconds, forKey: .seconds)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let sourceName = try c.decode(String.self, forKey: .incidentSource)
        guard let source = IncidentSource.allCases.first(where: { $0.jsonName == sourceName }) else {
            throw DecodingError.dataCorruptedError(
                forKey: .incidentSource, in: c,
                debugDescription: "'\(sourceName.prefix(30))' is not one of \(IncidentSource.allCases.map(\.jsonName))")
        }
        self.init(
            participants: try c.decode([Participant].self, forKey: .participants),
            incident: try c.decode(LonLat.self, forKey: .incident), incidentRD: try c.decode(RDPoint.self, forKey: .incidentRD),
            incidentSource: source, areaSquareMeters: try c.decode(Double.self, forKey: .areaSquareMeters),
            distance: try c.decode(SelectionRequest.Distance.self, forKey: .distance),
            registryGeneration: try c.decodeIfPresent(Int64.self, forKey: .registryGeneration),
            seconds: try c.decode(Double.self, forKey: .seconds))
    }
}

extension IncidentSource {
    /// The JSON name: `circle_centre`, `given`, `polygon_centroid`.
    var jsonName: String { rawValue.replacingOccurrences(of: " ", with: "_") }
}

extension SelectionResult {
    /// What a service sends of this selection (see ``SelectionReport``): ids, distances, countries
    /// and ranks, the incident in WGS84 and RD New, the area, the distance mode, the registry
    /// generation and the time taken.
    ///
    /// - Complexity: O(n) in the participants.
    public func report() -> SelectionReport {
        SelectionReport(
            participants: participants.enumerated().map { i, p in
                SelectionReport.Participant(id: p.id, distanceMeters: p.distanceMeters, country: p.country, rank: i + 1)
            },
            incident: incidentLonLat, incidentRD: incident, incidentSource: incidentSource,
            areaSquareMeters: areaSquareMeters, distance: distance, registryGeneration: registryGeneration, seconds: seconds)
    }
}
