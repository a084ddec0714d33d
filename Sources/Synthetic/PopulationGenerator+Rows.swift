import Foundation

// MARK: - Per-place data

/// Preferred-language mix of a household, by the country and region of its position.
enum LanguageProfile: Sendable {
    case dutch, german, flemish, walloon, eastBelgian, other

    /// The countries whose languages the model knows.
    enum Country: Sendable {
        case netherlands, germany, belgium, other

        init(_ code: String) {
            switch code {
            case "NL": self = .netherlands
            case "DE": self = .germany
            case "BE": self = .belgium
            default: self = .other
            }
        }
    }

    /// The language region of a position, in BE by a coarse coordinate rule: south of 50.78 N is
    /// Wallonia, and east of 5.95 E there the German-speaking east cantons.
    @inline(__always)
    init(country: Country, lon: Double, lat: Double) {
        switch country {
        case .netherlands: self = .dutch
        case .germany: self = .german
        case .belgium: self = lat >= 50.78 ? .flemish : (lon >= 5.95 ? .eastBelgian : .walloon)
        case .other: self = .other
        }
    }
}

/// A participant's language.
enum Language: UInt8, Sendable {
    case nl, fr, de, en

    var code: String {
        switch self {
        case .nl: "nl"
        case .fr: "fr"
        case .de: "de"
        case .en: "en"
        }
    }
}

/// What the generator needs to know about a place, precomputed once.
struct Anchor: Sendable {
    let lon: Double
    let lat: Double
    /// The place's own position in micro-degrees, where a household lives when no draw around it
    /// lies in a country.
    let lonMicro: Int64
    let latMicro: Int64
    /// Index into `PopulationGenerator.countries` of the country at the place's own position (the
    /// place's country when the lookup knows none there).
    let country: UInt16
    let sigmaMeters: Double
    let metersPerDegreeLon: Double

    init(place: Place, lonMicro: Int64, latMicro: Int64, country: Int) {
        lon = place.lon
        lat = place.lat
        self.lonMicro = lonMicro
        self.latMicro = latMicro
        self.country = UInt16(truncatingIfNeeded: country)
        sigmaMeters = min(4_000, max(200, 300 * (Double(place.population) / 1_000).squareRoot()))
        metersPerDegreeLon = PopulationGenerator.metersPerDegree * cos(place.lat * .pi / 180)
    }
}

/// One generated row in raw form: what `generate` turns into a ``SyntheticParticipant`` and the CSV
/// writer formats directly.
struct RawRow {
    var id: Int64
    /// Longitude in micro-degrees (6 decimals).
    var lonMicro: Int64
    /// Latitude in micro-degrees (6 decimals).
    var latMicro: Int64
    /// Index into `PopulationGenerator.countries`.
    var country: UInt16
    /// The 8 digits after `+316`.
    var phoneDigits: UInt32
    var hasEmail: Bool
    var language: Language
}

// MARK: - The row loop

extension PopulationGenerator {
    /// The model behind `generate` and `writeCSV`: calls `body` with each raw row in order.
    func generateRows(count: Int, _ body: (RawRow) throws -> Void) rethrows {
        precondition(count >= 0, "PopulationGenerator: count must be >= 0, got \(count)")
        guard count > 0 else { return }
        precondition(!places.isEmpty, "PopulationGenerator: places must not be empty")
        var rng = Xoshiro256StarStar(seed: seed)
        let permutation = IDPermutation(count: UInt64(count), seed: seed)
        // Truncating the Gaussian radius at 3 sigma: draw u1 from (exp(-4.5), 1].
        let minU1 = exp(-4.5)
        let totalWeight = cumulativeWeights[cumulativeWeights.count - 1]
        let cdf = Self.householdSizeCDF
        var remaining = 0
        var household = RawRow(
            id: 0, lonMicro: 0, latMicro: 0, country: 0, phoneDigits: 0, hasEmail: false, language: .nl)
        for row in 0..<count {
            if remaining == 0 {
                let sizeDraw = rng.nextUnit()
                remaining = sizeDraw < cdf.0 ? 1 : sizeDraw < cdf.1 ? 2 : sizeDraw < cdf.2 ? 3 : 4
                let anchor = anchors[sample(rng.nextUnit() * totalWeight)]
                var draws = 0
                while true {
                    let (dx, dy) = offset(anchor, minU1: minU1, rng: &rng)
                    household.lonMicro = Int64(((anchor.lon + dx / anchor.metersPerDegreeLon) * 1e6).rounded())
                    household.latMicro = Int64(((anchor.lat + dy / Self.metersPerDegree) * 1e6).rounded())
                    if let country = Self.locate(countryOf, lonMicro: household.lonMicro, latMicro: household.latMicro)
                    {
                        household.country = UInt16(truncatingIfNeeded: country)
                        break
                    }
                    draws += 1
                    if draws == Self.maxDraws {
                        (household.lonMicro, household.latMicro) = (anchor.lonMicro, anchor.latMicro)
                        household.country = anchor.country
                        break
                    }
                }
                let profile = LanguageProfile(
                    country: countryLanguages[Int(household.country)], lon: Double(household.lonMicro) / 1e6,
                    lat: Double(household.latMicro) / 1e6)
                household.language = Self.language(for: profile, draw: rng.nextUnit())
            }
            remaining -= 1
            household.id = Int64(permutation(UInt64(row))) + 1
            household.phoneDigits = UInt32(rng.next(below: 100_000_000))
            household.hasEmail = rng.nextUnit() < Self.emailShare
            try body(household)
        }
    }

    /// A household's offset in metres (east, north) from its place: a Gaussian around it (truncated
    /// at 3 sigma) or, for the rural share, uniform over a disc.
    @inline(__always)
    func offset(_ anchor: Anchor, minU1: Double, rng: inout Xoshiro256StarStar) -> (Double, Double) {
        let r: Double
        if rng.nextUnit() < Self.ruralShare {
            r = Self.ruralRadiusMeters * rng.nextUnit().squareRoot()
        } else {
            let u1 = 1 - (1 - minU1) * rng.nextUnit()  // in (minU1, 1]
            r = anchor.sigmaMeters * (-2 * log(u1)).squareRoot()
        }
        let theta = 2 * Double.pi * rng.nextUnit()
        return (r * cos(theta), r * sin(theta))
    }

    /// The index of the first place whose cumulative weight exceeds `target`.
    @inline(__always)
    func sample(_ target: Double) -> Int {
        // `u * total` may round up to `total`; the last place may weigh nothing.
        let target = min(target, cumulativeWeights[cumulativeWeights.count - 1].nextDown)
        var low = 0
        var high = cumulativeWeights.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulativeWeights[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    static func language(for profile: LanguageProfile, draw: Double) -> Language {
        switch profile {
        case .dutch: .nl
        case .german: .de
        case .flemish: draw < 0.9 ? .nl : .fr
        case .walloon: draw < 0.85 ? .fr : .nl
        case .eastBelgian: draw < 0.7 ? .de : .fr
        case .other: .en
        }
    }
}
