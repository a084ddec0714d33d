import Geo
/// A change to the registry that the index must reflect.
public enum ParticipantChange: Sendable, Hashable {
    /// A participant registered or moved: its new RD New position and country.
    case upsert(id: Int64, position: RDPoint, country: CountryCode?)
    /// A participant left.
    case remove(id: Int64)

    /// The participant's id.
    public var id: Int64 {
        switch self {
        case .upsert(let id, _, _), .remove(let id): id
        }
    }
}
