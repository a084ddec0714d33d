import FanoutEngine
import Geo
import GeoFormats
import Participants
import Selection
/// Everything `fanout area check` finds out about an action area, as plain values.
///
/// `fanout area check --json` prints it with snake_case keys in sorted order (schema
/// docs/schemas/area-check.schema.json; the keys are documented in docs/area-tools.md and stay stable).
public struct AreaCheckReport: Sendable, Codable, Equatable {
    /// The overall outcome, which is also the exit status of `fanout area check`.
    public enum Verdict: String, Sendable, Codable {
        /// Valid, nothing to warn about (exit 0).
        case valid
        /// Valid and usable, with warnings (exit 1).
        case warnings
        /// Invalid in GEOS's sense, or unusable (outside the service region, swapped axes): the
        /// engine would refuse it (exit 2).
        case invalid

        /// The process exit status for this verdict: 0, 1 or 2.
        public var exitStatus: Int32 {
            switch self {
            case .valid: 0
            case .warnings: 1
            case .invalid: 2
            }
        }
    }

    /// How serious a finding is.
    public enum Severity: String, Sendable, Codable {
        /// The area cannot be used as it is.
        case error
        /// The area can be used but should be looked at.
        case warning
    }

    /// A point reported in the source CRS and, where it could be transformed, in lon/lat and RD.
    public struct Position: Sendable, Codable, Equatable {
        /// First coordinate in the source CRS (lon for WGS84).
        public var x: Double
        /// Second coordinate in the source CRS (lat for WGS84).
        public var y: Double
        /// WGS84 longitude, when known.
        public var lon: Double?
        /// WGS84 latitude, when known.
        public var lat: Double?
        /// RD New easting, when known.
        public var rdX: Double?
        /// RD New northing, when known.
        public var rdY: Double?
    }

    /// GEOS's verdict on the geometry as given (in its own CRS).
    public struct Validity: Sendable, Codable, Equatable {
        /// Whether GEOS (`GEOSisValidDetail_r`, OGC model) finds it valid.
        public var valid: Bool
        /// GEOS's reason, such as `Self-intersection`, or why the rings could not even be built.
        public var reason: String?
        /// Where the defect is, when GEOS says.
        public var location: Position?
    }

    /// One thing worth telling the user.
    public struct Finding: Sendable, Codable, Equatable {
        /// How serious it is.
        public var severity: Severity
        /// A stable identifier: `shell-clockwise`, `hole-counterclockwise`, `duplicate-vertex`,
        /// `spike`, `lat-lon-swapped`, `rd-as-degrees`, `x-y-swapped`, `outside-service-region`,
        /// `larger-than-usual`, `outside-territory`, `no-participants`, `few-participants`.
        public var code: String
        /// What it means, for a person.
        public var message: String
        /// 1-based polygon number, where it applies.
        public var polygon: Int?
        /// 1-based ring number (1 is the shell, 2… the holes), where it applies.
        public var ring: Int?
        /// 0-based vertex index in the ring, where it applies.
        public var vertex: Int?
        /// The vertex, where it applies.
        public var at: Position?
    }

    /// Bounding box in lon/lat.
    public struct LonLatBox: Sendable, Codable, Equatable {
        public var minLon: Double, minLat: Double, maxLon: Double, maxLat: Double
    }

    /// Bounding box in RD New.
    public struct RDBox: Sendable, Codable, Equatable {
        public var minX: Double, minY: Double, maxX: Double, maxY: Double
    }

    /// Sizes, measured in RD New.
    public struct Measures: Sendable, Codable, Equatable {
        /// Area in km², measured in RD New.
        ///
        /// Meaningless for an invalid geometry (a bowtie gives about 0).
        public var areaKm2: Double
        /// Length of all rings in km (RD New).
        public var perimeterKm: Double
        /// Vertices, closing points not counted.
        public var vertices: Int
        /// Number of polygons.
        public var polygons: Int
        /// Number of holes.
        public var holes: Int
        /// Bounding box of the vertices in lon/lat.
        public var bboxLonLat: LonLatBox
        /// Bounding box of the vertices in RD New.
        public var bboxRd: RDBox
    }

    /// How long reaching everyone takes over one channel.
    public struct ReachEstimate: Sendable, Codable, Equatable {
        /// `sms`, `voice` or `email`.
        public var channel: String
        /// The rate assumed, for a person, such as `100 SMS/s`.
        public var rate: String
        /// Seconds until the last participant is reached.
        public var seconds: Double
    }

    /// Participants inside, from a registry.
    public struct Participants: Sendable, Codable, Equatable {
        /// Everyone inside.
        public var total: Int
        /// Per country code (`??` for unknown).
        public var byCountry: [String: Int]
        /// The estimate used for the headline: everyone by SMS.
        public var secondsToLast: Double
        /// The channel mix assumed for ``secondsToLast``.
        public var assumption: String
        /// The estimate per channel, if everyone were reached over that channel alone.
        public var byChannel: [ReachEstimate]
        /// The nearest participant outside the area, when the area holds fewer than
        /// ``AreaInspector/fewParticipants`` participants (and the registry has anyone outside).
        public var nearestOutside: NearestParticipant?
    }

    /// The participant nearest to an area from outside it. Its position is not given (a home
    /// address is personal data): only how far and in which direction.
    public struct NearestParticipant: Sendable, Codable, Equatable {
        /// Distance from the area's boundary in RD New metres.
        public var distanceM: Double
        /// Compass direction (N, NE, E, …) from the area's centroid.
        public var direction: String
        /// The participant's country code, `??` when unknown.
        public var country: String
    }

    /// The file checked.
    public var source: String
    /// The CRS of its coordinates, `EPSG:NNNN`.
    public var crs: String
    /// How the file writes positions (`cap`: lat,lon); positions in the text are quoted so.
    public var notation: CoordinateNotation = .geoJSON
    /// The overall outcome.
    public var verdict: Verdict
    /// ``Verdict/exitStatus``, repeated for scripts.
    public var exitStatus: Int32
    /// GEOS validity.
    public var validity: Validity
    /// Orientation, vertex and plausibility findings, errors first.
    public var findings: [Finding]
    /// Sizes; `nil` when the coordinates cannot be placed in RD New (see the findings).
    public var measures: Measures?
    /// Countries whose territory (NL, BE, DE) the area touches; `nil` when not computed.
    public var countries: [String]?
    /// The Dutch municipalities whose land the area overlaps, largest share first; `nil` when
    /// not computed (unusable area, or no boundaries file).
    public var municipalities: [MunicipalityShare]?
    /// Where the municipal boundaries come from and how accurate they are, or why there are none.
    public var municipalityBoundaries: String
    /// Land the municipalities file marks as abroad (CBS `GM0998`, the Baarle-Hertog enclaves)
    /// that the area overlaps, under its country; `nil` when there is none or nothing was computed.
    public var abroad: [AbroadShare]?

    /// Part of the area on land abroad inside the Netherlands' outline (the Baarle enclaves).
    public struct AbroadShare: Sendable, Codable, Equatable {
        /// The country (from the country borders at a point of that land), `??` when unknown.
        public var country: String
        /// The fraction of the area there, 0…1.
        public var share: Double
        /// The area there, in km² (RD New).
        public var areaKm2: Double
        /// What marks it: `CBS GM0998 (Buitenland)`.
        public var source: String
    }
    /// Participants inside, when a registry was given and the area is usable.
    public var participants: Participants?
    /// The incident type the size was compared with, if given.
    public var incidentType: String?
}
