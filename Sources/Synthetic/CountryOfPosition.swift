/// How the generator learns the country a position lies in.
///
/// The `Synthetic` module knows no borders; the caller hands it a lookup (FanoutEngine's
/// `CountryOfPosition.borders()` reads the NL/BE/DE borders file, the same one an import checks
/// countries with). Each participant gets the country of its own position, not that of the
/// place it was clustered around, so importing a generated file gives no country contradictions.
///
/// The lookup is called once per household, so it must be fast (a grid lookup, not a polygon
/// test per point: a population of 1.6 million has about 1.3 million households).
public struct CountryOfPosition: Sendable {
    /// The country codes the lookup answers with (ISO 3166-1 alpha-2, two capital letters).
    public let codes: [String]
    /// The index in ``codes`` of the country a WGS84 lon/lat position lies in, or `nil` outside them all.
    public let lookup: @Sendable (_ lon: Double, _ lat: Double) -> Int?

    /// Creates a lookup.
    ///
    /// - Parameters:
    ///   - codes: The codes `lookup` answers with.
    ///   - lookup: The index in `codes` of a position's country, or `nil` outside every country
    ///     it knows; an index outside `codes` counts as `nil`.
    public init(codes: [String], lookup: @escaping @Sendable (_ lon: Double, _ lat: Double) -> Int?) {
        self.codes = codes
        self.lookup = lookup
    }
}
