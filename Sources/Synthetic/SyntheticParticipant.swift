/// One synthetic participant: a registered address with contact details.
///
/// Made by ``PopulationGenerator``. Coordinates are already rounded to 6 decimals, so they equal
/// what ``PopulationGenerator/writeCSV(count:seed:places:countries:to:progress:)`` writes.
public struct SyntheticParticipant: Sendable, Hashable {
    /// Unique id in `1...count`; ids are a permutation of the row numbers, not in row order.
    public let id: Int64
    /// Longitude of the address in degrees east (WGS 84), 6 decimals.
    public let lon: Double
    /// Latitude of the address in degrees north (WGS 84), 6 decimals.
    public let lat: Double
    /// ISO 3166-1 alpha-2 country the address lies in (``CountryOfPosition``).
    public let country: String
    /// A fake Dutch mobile number, `+316` and 8 digits.
    public let phone: String
    /// A fake address at a reserved domain (`example.nl`/`.be`/`.de`), or `nil` (about 40%).
    public let email: String?
    /// Preferred language: `nl`, `fr` or `de`.
    public let language: String

    /// Creates a participant.
    ///
    /// - Parameters:
    ///   - id: Unique positive id.
    ///   - lon: Longitude in degrees east.
    ///   - lat: Latitude in degrees north.
    ///   - country: ISO 3166-1 alpha-2 country code.
    ///   - phone: Phone number.
    ///   - email: E-mail address, if any.
    ///   - language: Preferred language code.
    public init(
        id: Int64, lon: Double, lat: Double, country: String, phone: String, email: String?, language: String
    ) {
        self.id = id
        self.lon = lon
        self.lat = lat
        self.country = country
        self.phone = phone
        self.email = email
        self.language = language
    }
}
