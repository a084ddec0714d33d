/// A populated place: the centre that synthetic participants cluster around.
///
/// Rows of `data/places.csv` (GeoNames, CC BY 4.0), read with ``PlaceTable``.
public struct Place: Sendable, Hashable {
    /// The place's name as GeoNames spells it.
    public let name: String
    /// ISO 3166-1 alpha-2 country code (`NL`, `BE`, `DE`).
    public let country: String
    /// Longitude in degrees east (WGS 84).
    public let lon: Double
    /// Latitude in degrees north (WGS 84).
    public let lat: Double
    /// Number of inhabitants (GeoNames; may be 0 when unknown).
    public let population: Int

    /// Creates a place.
    ///
    /// - Parameters:
    ///   - name: The place's name.
    ///   - country: ISO 3166-1 alpha-2 country code.
    ///   - lon: Longitude in degrees east.
    ///   - lat: Latitude in degrees north.
    ///   - population: Number of inhabitants, at least 0.
    public init(name: String, country: String, lon: Double, lat: Double, population: Int) {
        self.name = name
        self.country = country
        self.lon = lon
        self.lat = lat
        self.population = population
    }
}
