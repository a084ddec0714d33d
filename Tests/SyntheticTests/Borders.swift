import FanoutLab
import Geo
import Synthetic

/// The country lookup of the package's borders file, loaded once for the suites.
///
/// When the file cannot be loaded the lookup knows no country (every household then lives at its
/// place), and ``BordersTests`` fails saying why.
enum Borders {
    static let loaded: Result<CountryOfPosition, any Error> = Result { try CountryOfPosition.borders() }
    static let lookup: CountryOfPosition =
        (try? loaded.get()) ?? CountryOfPosition(codes: [], lookup: { _, _ in nil })
}
