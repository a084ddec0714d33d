import FanoutCore
import FanoutEngine
import Geo
import GeoFormats
import Participants
import Selection
/// The error type of the GIS area tools (`fanout area check|fix|suggest`): input they cannot use.
public struct AreaToolError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case travelTable, unknownIncidentType, unknownMode, badArgument, output, unwritable
        }
        let kind: Kind
        /// The travel-radius table cannot be read or has a bad row (file and line in the message).
        public static let travelTable = Code(kind: .travelTable)
        /// The incident type is not in the table (the valid ones are listed in the message).
        public static let unknownIncidentType = Code(kind: .unknownIncidentType)
        /// The travel mode is not in the table for that incident type (the valid ones are listed).
        public static let unknownMode = Code(kind: .unknownMode)
        /// An argument is out of range (minutes, paths).
        public static let badArgument = Code(kind: .badArgument)
        /// The output cannot be made (the PNG converter is missing or fails, SQLite fails); a refused
        /// or failed file write is an ``OutputError``.
        public static let output = Code(kind: .output)
        /// The area cannot be written in the format asked for (holes in CAP, say).
        public static let unwritable = Code(kind: .unwritable)
        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// The argument that was wrong (`output`, `layerName`) and the path, where there is one.
    public var location: ErrorLocation?

    /// Creates an error.
    public init(_ code: Code, _ message: String, location: ErrorLocation? = nil) {
        self.code = code
        self.message = message
        self.location = location
    }

    public var description: String { message }
}
