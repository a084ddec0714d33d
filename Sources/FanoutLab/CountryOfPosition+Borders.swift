import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

extension CountryOfPosition {
    /// The country lookup of the NL/BE/DE borders file, the one an import checks countries with.
    ///
    /// Built on a ``LonLatCountryGrid``: tens of nanoseconds per position, so a generator can ask
    /// for every household.
    ///
    /// - Parameter source: Where the borders file is (default: the package's own files).
    /// - Throws: ``GeoError`` `.countryBorders` when the file is missing or malformed.
    public static func borders(_ source: CountryBordersSource = .data(.bundled)) throws -> CountryOfPosition {
        let grid = try LonLatCountryGrid.load(source)
        return CountryOfPosition(codes: grid.countries.map(\.description)) { lon, lat in
            grid.countryIndex(lon: lon, lat: lat)
        }
    }
}
