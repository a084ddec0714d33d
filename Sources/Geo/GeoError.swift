import FanoutCore

/// The error type of the `Geo` module: failures of GEOS, PROJ and of geometry input.
///
/// Carries a code, a human-readable message (with the C library's own message copied in where
/// there is one) and, where known, the input location (file, line, field) that caused it.
public struct GeoError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case geos, proj, unknownCRS, invalidGeometry, parse, unsupportedGeometry, outOfRange, correctionGrid,
                countryBorders, municipalities, featureChoice, unwritable
        }
        let kind: Kind

        /// GEOS reported an error (its message is in ``GeoError/message``).
        public static let geos = Code(kind: .geos)
        /// PROJ reported an error (its message is in ``GeoError/message``).
        public static let proj = Code(kind: .proj)
        /// PROJ does not know the CRS.
        public static let unknownCRS = Code(kind: .unknownCRS)
        /// A geometry is not valid (self-intersection, unclosed ring, too few points, ...).
        public static let invalidGeometry = Code(kind: .invalidGeometry)
        /// Text (WKT, GeoJSON) could not be read.
        public static let parse = Code(kind: .parse)
        /// A geometry is of a type that cannot be used here (for example a point where an area is needed).
        public static let unsupportedGeometry = Code(kind: .unsupportedGeometry)
        /// A coordinate is outside the range its CRS allows.
        public static let outOfRange = Code(kind: .outOfRange)
        /// The RDNAPTRANS2018 correction grid for RD New is missing or PROJ cannot read it.
        public static let correctionGrid = Code(kind: .correctionGrid)
        /// The country borders file (`data/borders-nl-be-de.geojson`) is missing or unreadable.
        public static let countryBorders = Code(kind: .countryBorders)
        /// The municipalities file (`data/municipalities-nl.geojson`) is missing or unreadable.
        public static let municipalities = Code(kind: .municipalities)
        /// An area file holds several features (or a GeoPackage several polygon layers) and none was
        /// chosen, or the chosen id (or `--layer`) is not in it (see ``FeatureChoice``).
        public static let featureChoice = Code(kind: .featureChoice)
        /// An area cannot be written in the format asked for (say, attributes whose names a
        /// GeoPackage table cannot hold as columns).
        public static let unwritable = Code(kind: .unwritable)

        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person.
    public var message: String
    /// Where in the input the problem is (file, line, field), when known.
    public var location: ErrorLocation?
    /// The changes to the call that fix it (give or drop a CRS, select a CAP circle), if any.
    public var remedies: [ErrorRemedy]

    /// Creates an error.
    public init(_ code: Code, _ message: String, location: ErrorLocation? = nil, remedies: [ErrorRemedy] = []) {
        self.code = code
        self.message = message
        self.location = location
        self.remedies = remedies
    }

    public var description: String { message }
}

extension GeoError {
    /// The one error for a CRS PROJ does not know, wherever it was named.
    ///
    /// Every reader says the same thing, whether the code came from the caller (a reader's or an
    /// import's `crs`), a GeoJSON `crs` member, a GeoPackage layer's `srs_id` or a CSV `crs` field:
    /// `PLACE: EPSG:N is not a coordinate reference system PROJ knows (PROJ's reason)`, without a
    /// place for the caller's own CRS (its location's field is `crs` then: the `fanout` command
    /// puts `--crs: ` before it). Its kind is "input cannot be read" (exit status 3).
    ///
    /// - Parameters:
    ///   - crs: The CRS PROJ does not know.
    ///   - place: Where it was named (`FILE: crs.properties.name`, `FILE:LINE: field 'crs'`), or
    ///     `nil` for the caller's own CRS or when the caller adds the place.
    ///   - reason: PROJ's own message.
    ///   - location: Where it was named, as data (``ErrorLocation/field`` `crs` for the caller's CRS).
    package static func unknownCRS(
        _ crs: CRS, at place: String?, reason: String, location: ErrorLocation? = nil
    ) -> GeoError {
        GeoError(
            .unknownCRS,
            (place.map { "\($0): " } ?? "") + "\(crs) is not a coordinate reference system PROJ knows (\(reason))",
            location: location)
    }
}
