import FanOut
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection

extension AreaRecord {
    /// Text over this size is not kept in the audit (the record's geometry is then `nil`).
    static let geometryLimitBytes = 1 << 20

    /// The audit's record of `area`, selected at registry generation `registryGeneration`: a
    /// polygon as GeoJSON in its own CRS without the file's attributes (they may name people),
    /// when it is at most 1 MB of text; a circle as `circle around POINT (lon lat), radius r m`.
    init(_ area: SelectionRequest.Area, registryGeneration: Int64?) {
        var text: String?
        switch area {
        case .circle(let center, let radiusMeters):
            text = "circle around POINT (\(center.lon) \(center.lat)), radius \(radiusMeters) m"
        case .polygon(var geometry):
            geometry.properties = []
            let json = geometry.geoJSONText()
            if json.utf8.count <= Self.geometryLimitBytes { text = json }
        }
        self.init(geometry: text, registryGeneration: registryGeneration)
    }
}

extension SelectionResult {
    /// The record of this selection's area for an action's audit: the area as requested and the
    /// registry generation it was selected at. The dispatcher and the desk take it from here, so
    /// that every caller records the same audit.
    public var areaRecord: AreaRecord { AreaRecord(area, registryGeneration: registryGeneration) }
}

/// What an action keeps of a selection: the participants outside-in, the incident point and the
/// area record for the audit. Small and `Sendable`, so that a command can carry it to the process
/// holding the ledger (``DeskCommand``).
public struct ActionSelection: Sendable, Hashable {
    /// The selected participants, farthest first.
    public let participants: [SelectedParticipant]
    /// The incident point (RD New): the selection request's, or the circle's centre or polygon's centroid.
    public let incident: RDPoint
    /// The area as selected, and the registry generation, for the audit.
    public let area: AreaRecord

    /// What an action keeps of `selection`.
    public init(_ selection: SelectionResult) {
        self.init(participants: selection.participants, incident: selection.incident, area: selection.areaRecord)
    }

    /// A selection as it was handed over (the inbox).
    package init(participants: [SelectedParticipant], incident: RDPoint, area: AreaRecord) {
        self.participants = participants
        self.incident = incident
        self.area = area
    }
}
