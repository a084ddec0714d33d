import Foundation

/// Generates a deterministic synthetic population of participants around populated places.
///
/// The population models the registered participants of the Dutch alert network:
/// - **Weighted by population.** A household's place is drawn with probability proportional to
///   the place's population. Places outside the Netherlands (the BE/DE border strip) are re-weighted
///   together so that about 3% of participants live across the border.
/// - **Clustered.** About 95% of households are placed with a Gaussian offset around their place,
///   `sigma = 300 m * sqrt(population / 1000)` clamped to 200...4000 m and truncated at 3 sigma; the other
///   5% ("rural") are spread uniformly over a disc of 10 km around their place. Offsets in metres are
///   turned into degrees with the local `cos(lat)`. So every address lies within 12 km of a place.
/// - **Countries by position.** A participant's country is the one its position lies in
///   (``CountryOfPosition``), not the place's: a household of a Dutch border town drawn across the
///   border is Belgian or German. A position outside every country the lookup knows (the sea beyond
///   the territorial waters, France, Luxembourg) is drawn again, up to ``maxDraws`` times, then the
///   household lives at its place.
/// - **Households.** Household sizes are 1 (78%), 2 (14%), 3 (6%) or 4 (2%): about 24% of
///   participants share the exact coordinates of the previous row, so distance ties happen.
/// - **Contacts.** Ids are a keyed permutation of `1...count` (not in row order). Phones are fake
///   `+316` numbers; about 60% have an e-mail `p<id>@example.nl` (`.be`, `.de` by country). Language
///   follows the position: `nl` in NL, `de` in DE, and in BE by region: Flanders mostly `nl`,
///   Wallonia mostly `fr`, the east cantons mostly `de`.
///
/// The output is a pure function of `(places, countries, seed, count)`: the PRNG is xoshiro256** seeded with
/// SplitMix64, never the system generator. Rows do not depend on `count` except through the ids.
///
/// - Important: The phone numbers are syntactically valid Dutch mobile numbers and may belong to real
///   people. Never send anything to them outside a test gateway.
public struct PopulationGenerator: Sendable {
    let places: [Place]
    let seed: UInt64
    /// Precomputed per-place sampling data, parallel to `places`.
    let anchors: [Anchor]
    /// Running sums of the sampling weights, parallel to `places`.
    let cumulativeWeights: [Double]
    /// The country codes a row may have: the lookup's, then the places' others (for a household
    /// that lives at a place the lookup does not know); `RawRow.country` indexes it.
    let countries: [String]
    /// The language profile of each entry of ``countries``.
    let countryLanguages: [LanguageProfile.Country]
    /// The lookup of a position's country.
    let countryOf: CountryOfPosition

    /// Creates a generator for `places`, `countries` and `seed`.
    ///
    /// - Parameters:
    ///   - places: The places to cluster around, usually ``PlaceTable/load()``. Places in `NL` share
    ///     97% of the weight and all others 3%, each in proportion to population (places of population 0
    ///     are never drawn, unless all are 0: then every place weighs the same).
    ///   - countries: The lookup that gives each participant the country of its position.
    ///   - seed: The PRNG seed; the same seed gives the same population.
    public init(places: [Place], countries: CountryOfPosition, seed: UInt64) {
        self.places = places
        self.seed = seed
        self.countryOf = countries
        var codes = countries.codes
        for place in places where !codes.contains(place.country) { codes.append(place.country) }
        var anchors: [Anchor] = []
        anchors.reserveCapacity(places.count)
        for place in places {
            let lonMicro = Int64((place.lon * 1e6).rounded())
            let latMicro = Int64((place.lat * 1e6).rounded())
            let located = Self.locate(countries, lonMicro: lonMicro, latMicro: latMicro)
            let own = codes.firstIndex(of: place.country) ?? 0
            anchors.append(Anchor(place: place, lonMicro: lonMicro, latMicro: latMicro, country: located ?? own))
        }
        self.anchors = anchors
        self.countries = codes
        self.countryLanguages = codes.map(LanguageProfile.Country.init)
        self.cumulativeWeights = Self.cumulativeWeights(for: places)
    }

    /// The index in `countries.codes` of a micro-degree position's country, or `nil`.
    @inline(__always)
    static func locate(_ countries: CountryOfPosition, lonMicro: Int64, latMicro: Int64) -> Int? {
        guard let index = countries.lookup(Double(lonMicro) / 1e6, Double(latMicro) / 1e6),
            countries.codes.indices.contains(index)
        else { return nil }
        return index
    }

    /// Generates `count` participants and calls `body` with each, in row order.
    ///
    /// Deterministic for `(places, countries, seed, count)`.
    ///
    /// - Parameters:
    ///   - count: The number of participants, at least 0.
    ///   - body: Called once per participant; an error it throws stops the generation.
    /// - Throws: Whatever `body` throws.
    /// - Precondition: `count >= 0`, and `places` is not empty when `count > 0`.
    /// - Complexity: O(count * log(places.count)).
    public func generate(count: Int, _ body: (SyntheticParticipant) throws -> Void) rethrows {
        let countries = self.countries
        try generateRows(count: count) { row in
            let country = countries[Int(row.country)]
            let email: String? = row.hasEmail ? "p\(row.id)@\(Self.emailDomain(country: country))" : nil
            try body(
                SyntheticParticipant(
                    id: row.id, lon: Double(row.lonMicro) / 1e6, lat: Double(row.latMicro) / 1e6, country: country,
                    phone: Self.phone(digits: row.phoneDigits), email: email, language: row.language.code))
        }
    }

    // MARK: - Model constants

    /// The most participants one file may have (100 million: the ids, 8 digits, and the disk).
    public static let maxCount = 100_000_000
    static let homeCountry = "NL"
    static let crossBorderShare = 0.03
    static let ruralShare = 0.05
    static let ruralRadiusMeters = 10_000.0
    static let emailShare = 0.6
    /// How often a household's position is drawn before it is put at its place: a position
    /// outside every country is drawn again (rare: the territorial sea reaches 22 km out, and the
    /// places are at most 30 km from the Dutch border).
    public static let maxDraws = 16
    /// Cumulative probabilities of household sizes 1, 2, 3 (and 4 for the rest).
    static let householdSizeCDF: (Double, Double, Double) = (0.78, 0.92, 0.98)
    /// Metres per degree of latitude on the mean-radius sphere (R = 6 371 008.8 m).
    static let metersPerDegree = 6_371_008.8 * Double.pi / 180

    static func emailDomain(country: String) -> String {
        switch country {
        case "NL": "example.nl"
        case "BE": "example.be"
        case "DE": "example.de"
        default: "example.com"
        }
    }

    static func phone(digits: UInt32) -> String {
        let text = String(digits)
        return "+316" + String(repeating: "0", count: 8 - text.count) + text
    }

    // MARK: - Weights

    static func cumulativeWeights(for places: [Place]) -> [Double] {
        var home = 0.0
        var foreign = 0.0
        for place in places {
            if place.country == homeCountry {
                home += Double(place.population)
            } else {
                foreign += Double(place.population)
            }
        }
        // Every place weighs the same when no population is known at all.
        guard home + foreign > 0 else { return places.indices.map { Double($0 + 1) } }
        // Scale foreign places together so that they carry `crossBorderShare` of the total weight
        // (when there are places of both kinds with people).
        let foreignScale = home > 0 && foreign > 0 ? crossBorderShare / (1 - crossBorderShare) * home / foreign : 1
        var sum = 0.0
        return places.map { place in
            sum += Double(place.population) * (place.country == homeCountry ? 1 : foreignScale)
            return sum
        }
    }
}
