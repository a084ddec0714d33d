/// Every participant's id, RD New position and country as parallel arrays (struct of arrays),
/// (and WGS84 lon/lat for output): the input for building an in-memory index.
public struct ParticipantColumns: Sendable {
    /// Participant ids.
    public var ids: [Int64] = []
    /// RD New x in metres.
    public var xs: [Double] = []
    /// RD New y in metres.
    public var ys: [Double] = []
    /// Countries packed as ``CountryCode/packed``; 0 when unknown.
    public var countries: [UInt16] = []
    /// WGS84 longitude in degrees (for output; selection uses only RD).
    public var lons: [Double] = []
    /// WGS84 latitude in degrees.
    public var lats: [Double] = []

    /// Creates empty columns.
    public init() {}

    /// The number of participants.
    public var count: Int { ids.count }

    /// Appends one participant.
    public mutating func append(id: Int64, x: Double, y: Double, country: CountryCode?, lonLat: LonLat) {
        ids.append(id)
        lons.append(lonLat.lon)
        lats.append(lonLat.lat)
        xs.append(x)
        ys.append(y)
        countries.append(country?.packed ?? 0)
    }
}
