import FanoutCore
import Geo
import Participants
/// The error type of the `Selection` module: areas and requests that cannot be selected on.
public struct SelectionError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable { case invalidArea, invalidRadius, invalidPoint, noRegistry, closed }
        let kind: Kind
        /// The polygon is invalid (GEOS's reason and location are in the message).
        public static let invalidArea = Code(kind: .invalidArea)
        /// The radius is not a positive number of metres up to ``CircleArea/maxRadiusMeters``.
        public static let invalidRadius = Code(kind: .invalidRadius)
        /// A point (centre, incident) is unusable.
        public static let invalidPoint = Code(kind: .invalidPoint)
        /// The operation needs an engine opened on a registry, and this one has none.
        public static let noRegistry = Code(kind: .noRegistry)
        /// The selection service was closed before the selection ran.
        public static let closed = Code(kind: .closed)
        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The changes to the request that fix it (give or drop the area's CRS), if any.
    public var remedies: [ErrorRemedy]

    /// Creates an error.
    public init(_ code: Code, _ message: String, remedies: [ErrorRemedy] = []) {
        self.code = code
        self.message = message
        self.remedies = remedies
    }

    public var description: String { message }
}
