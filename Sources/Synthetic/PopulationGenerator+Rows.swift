import Foundation

// MARK: - Per-place data

/// Preferred-language mix of a place's households.
enum LanguageProfile: Sendable {
    case dutch, german, flemish, walloon, eastBelgian, other

    /// The BE language region of a place, by a coarse coordinate rule: south of 50.78 N is
    /// Wallonia, and east of 5.95 E there the German-speaking east cantons.
    init(country: String, lon: Double, lat: Double) {
        switch country {
        case "NL": self = .dutch
        case "DE": self = .german
        case "BE": self = lat >= 50.78 ? .flemish : (lon >= 5.95 ? .eastBelgian : .walloon)
        default: self = .other
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
    /// Index into `PopulationGenerator.countries`.
    let country: UInt16
    let sigmaMeters: Double
    let metersPerDegreeLon: Double
    let languages: LanguageProfile

    init(place: Place, country: Int) {
        lon = place.lon
        lat = place.lat
        self.country = UInt16(truncatingIfNeeded: country)
        sigmaMeters = min(4_000, max(200, 300 * (Double(place.population) / 1_000).squareRoot()))
        metersPerDegreeLon = PopulationGenerator.metersPerDegree * cos(place.lat * .pi / 180)
        languages = LanguageProfile(country: place.country, lon: place.lon, lat: place.lat)
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
                let dx: Double
                let dy: Double
                if rng.nextUnit() < Self.ruralShare {
                    let r = Self.ruralRadiusMeters * rng.nextUnit().squareRoot()
                    let theta = 2 * Double.pi * rng.nextUnit()
                    dx = r * cos(theta)
                    dy = r * sin(theta)
                } else {
                    let u1 = 1 - (1 - minU1) * rng.nextUnit()  // in (minU1, 1]
                    let r = anchor.sigmaMeters * (-2 * log(u1)).squareRoot()
                    let theta = 2 * Double.pi * rng.nextUnit()
                    dx = r * cos(theta)
                    dy = r * sin(theta)
                }
                household.lonMicro = Int64(((anchor.lon + dx / anchor.metersPerDegreeLon) * 1e6).rounded())
                household.latMicro = Int64(((anchor.lat + dy / Self.metersPerDegree) * 1e6).rounded())
                household.country = anchor.country
                household.language = Self.language(for: anchor.languages, draw: rng.nextUnit())
            }
            remaining -= 1
            household.id = Int64(permutation(UInt64(row))) + 1
            household.phoneDigits = UInt32(rng.next(below: 100_000_000))
            household.hasEmail = rng.nextUnit() < Self.emailShare
            try body(household)
        }
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
