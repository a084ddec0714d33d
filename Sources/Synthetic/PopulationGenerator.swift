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
///   turned into degrees with the local `cos(lat)`. So every address lies within 12 km of a place of
///   its own country (it may lie across a border or on water: places, not outlines, are the model).
/// - **Households.** Household sizes are 1 (78%), 2 (14%), 3 (6%) or 4 (2%): about 24% of
///   participants share the exact coordinates of the previous row, so distance ties happen.
/// - **Contacts.** Ids are a keyed permutation of `1...count` (not in row order). Phones are fake
///   `+316` numbers; about 60% have an e-mail `p<id>@example.nl` (`.be`, `.de` by country). Language
///   is `nl` in NL, `de` in DE, and in BE by region: Flanders mostly `nl`, Wallonia mostly `fr`, the
///   east cantons mostly `de`.
///
/// The output is a pure function of `(places, seed, count)`: the PRNG is xoshiro256** seeded with
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
    /// The distinct country codes of `places`, in first-seen order; `Anchor.country` indexes it.
    let countries: [String]

    /// Creates a generator for `places` and `seed`.
    ///
    /// - Parameters:
    ///   - places: The places to cluster around, usually ``PlaceTable/load()``. Places in `NL` share
    ///     97% of the weight and all others 3%, each in proportion to population (places of population 0
    ///     are never drawn, unless all are 0: then every place weighs the same).
    ///   - seed: The PRNG seed; the same seed gives the same population.
    public init(places: [Place], seed: UInt64) {
        self.places = places
        self.seed = seed
        var countries: [String] = []
        var anchors: [Anchor] = []
        anchors.reserveCapacity(places.count)
        for place in places {
            let index: Int
            if let found = countries.firstIndex(of: place.country) {
                index = found
            } else {
                index = countries.count
                countries.append(place.country)
            }
            anchors.append(Anchor(place: place, country: index))
        }
        self.anchors = anchors
        self.countries = countries
        self.cumulativeWeights = Self.cumulativeWeights(for: places)
    }

    /// Generates `count` participants and calls `body` with each, in row order.
    ///
    /// Deterministic for `(places, seed, count)`.
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
