/// A change to the call that fixes an error, as data: a service offers it in its own words, the
/// `fanout` command as its flags (`--crs`, `--circle`).
///
/// An error's message says the same in the library's terms; ``FanoutError/remedies`` lists the
/// changes so that a caller need not parse the message.
public enum ErrorRemedy: Hashable, Sendable, Codable {
    /// Give the CRS the input's coordinates are in: `crs` (`"EPSG:28992"`) when one is known to
    /// fit, `nil` when it is not known which.
    case giveCRS(String?)
    /// Leave out the CRS given: the input names its own (a GeoPackage) or has a fixed one (CAP is
    /// always WGS84).
    case dropCRS
    /// Select a circle instead of reading an area: a CAP `<circle>`'s centre in WGS84 degrees and
    /// radius in metres (`nil` when the circle's radius is 0 and one must be chosen).
    case selectCircle(lon: Double, lat: Double, radiusMeters: Double?)
}
