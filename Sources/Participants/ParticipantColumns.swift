import Geo
/// Every participant's id, RD New position and country as parallel arrays (struct of arrays):
/// the input for building an in-memory index.
///
/// WGS84 positions are not carried: the index keeps RD New only, and output converts the few
/// selected positions back (within a millimetre of the registered lon/lat, docs/measurements.md).
public struct ParticipantColumns: Sendable {
    /// Participant ids.
    public var ids: [Int64] = []
    /// RD New x in metres.
    public var xs: [Double] = []
    /// RD New y in metres.
    public var ys: [Double] = []
    /// Countries packed as ``CountryCode/packed``; 0 when unknown.
    public var countries: [UInt16] = []

    /// Creates empty columns.
    public init() {}

    /// The number of participants.
    public var count: Int { ids.count }

    /// Appends one participant.
    public mutating func append(id: Int64, x: Double, y: Double, country: CountryCode?) {
        ids.append(id)
        xs.append(x)
        ys.append(y)
        countries.append(country?.packed ?? 0)
    }
}
