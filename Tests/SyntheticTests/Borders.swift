import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Geo
import GeoFormats
import ProviderAdapters
import Registry
import Selection
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
