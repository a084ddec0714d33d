import Foundation
import Geo

/// Where an import gets the country borders that derive missing countries and check given ones.
public enum ImportCountrySource: Sendable {
    /// Load `borders-nl-be-de.geojson` from the registry's data directory (``Registry/data``) for
    /// this import: the default.
    case registryData
    /// Load the borders from this source for this import; see ``CountryBordersSource``.
    case borders(CountryBordersSource)
    /// Use borders already loaded (load once, import many files).
    case preloaded(CountryBorders)
    /// Take the `country` column as given: derive nothing, check nothing.
    case off
}

/// Derives a row's missing country from its position and checks a given one against it, during an
/// import; counts what it did and keeps the first warnings.
///
/// A given country is contradicted when the position lies farther than
/// ``CountryLocator/toleranceMeters`` from that country's territory (for NL, BE, DE), or, for a
/// country the borders file does not have, when the position lies inside NL, BE or DE farther
/// than the tolerance from every border. Warnings name the file and line, never the phone number
/// or e-mail address.
struct CountryResolver {
    /// How many warnings are kept; the rest are only counted.
    static let maxWarnings = 20

    private let locator: CountryLocator?
    private let path: String
    /// The first ``maxWarnings`` warnings.
    private(set) var warnings: [String] = []
    /// Warnings not kept in ``warnings``.
    private(set) var warningsOmitted = 0
    /// Rows without a country that got one from the position.
    private(set) var derived = 0
    /// Of ``derived``, those within the tolerance of a border (or in two territories).
    private(set) var derivedNearBorder = 0
    /// Rows without a country whose position lies outside every territory (left empty).
    private(set) var unknown = 0
    /// Rows whose given country contradicts the position.
    private(set) var contradictions = 0

    /// - Parameters:
    ///   - locator: The locator, or `nil` to take countries as given (``ImportCountrySource/off``).
    ///   - path: The file name used in warnings.
    init(locator: CountryLocator?, path: String) {
        self.locator = locator
        self.path = path
    }

    /// The country to store for a row: the given one, or the one derived from the position.
    ///
    /// - Parameters:
    ///   - given: The row's `country` field (an assigned ISO code), or `nil`.
    ///   - line: The row's line, for warnings.
    ///   - rd: The row's position in RD New.
    /// - Returns: The code to store, or `nil` when none was given and the position lies outside
    ///   every territory in the borders file.
    /// - Throws: ``GeoError`` `.geos` when GEOS fails.
    mutating func country(given: CountryCode?, line: Int, rd: RDPoint) throws -> CountryCode? {
        guard let locator else { return given }
        guard let given else {
            let found = try locator.country(at: rd)
            guard let country = found.country else {
                unknown += 1
                return nil
            }
            derived += 1
            if found.onBorder { derivedNearBorder += 1 }
            return country
        }
        let code = given
        let tolerance = CountryLocator.toleranceMeters
        if let near = try locator.isPoint(rd, within: tolerance, of: code) {
            // A country the file has: contradicted when the position is farther than the tolerance.
            if near { return given }
            try warn(line) {
                let lies = try locator.country(at: rd).country
                let distance = try locator.distance(from: rd, to: code) ?? .infinity
                return "country \(given) given, but the position lies \(Self.place(lies)), "
                    + "\(Self.meters(distance)) from \(given)"
            }
        } else {
            // A country the file does not have: contradicted when the position lies well inside one it has.
            let found = try locator.country(at: rd)
            guard let lies = found.country, !found.onBorder else { return given }
            try warn(line) {
                let depth = try locator.distanceToBoundary(from: rd, of: lies) ?? 0
                return
                    "country \(given) given, but the position lies in \(lies), \(Self.meters(depth)) inside its border"
            }
        }
        return given
    }

    /// Counts a contradiction and keeps its warning while fewer than ``maxWarnings`` are kept.
    ///
    /// The message is only made for kept warnings: it needs a GEOS distance, which takes about
    /// 0.2 ms for a point kilometres from the country (GEOS 3.11), and a file can have thousands.
    private mutating func warn(_ line: Int, _ message: () throws -> String) throws {
        contradictions += 1
        if warnings.count < Self.maxWarnings {
            warnings.append("\(path):\(line): \(try message())")
        } else {
            warningsOmitted += 1
        }
    }

    private static func place(_ country: CountryCode?) -> String {
        country.map { "in \($0)" } ?? "outside NL, BE and DE"
    }

    /// `340 m`, or `1.2 km` from a kilometre on.
    static func meters(_ d: Double) -> String {
        guard d.isFinite else { return "an unknown distance" }
        if d < 999.5 { return "\(Int(d.rounded())) m" }
        let tenths = Int((d / 100).rounded())
        return "\(tenths / 10).\(tenths % 10) km"
    }
}
