import FanOut
import FanoutAreaTools
import FanoutEngine
import Foundation
import FuzzSupport
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// libFuzzer target: the country borders GeoJSON (`CountryBorders.load` with its own single-pass
/// JSON reader), then a `CountryLocator` built on what it accepted.
private final class BordersTarget {
    let file = ScratchFile(name: "borders.geojson")
    let converter: CoordinateConverter

    init() {
        do { converter = try CoordinateConverter() } catch {
            Fuzz.fail("fuzz harness: cannot start PROJ: \(error)")
        }
    }

    func run(_ data: Data) {
        file.write(data)
        let borders: CountryBorders
        do { borders = try CountryBorders.load(.file(file.url), converter: converter) } catch {
            Fuzz.requireOwnError(error, GeoError.self, naming: file.url.path)
            return
        }
        for territory in borders.territories {
            Fuzz.require(!territory.polygons.isEmpty, "\(territory.country): no polygons")
        }
        // Usable: a locator can be built on it (or refuses with a GeoError) and answers a query.
        do {
            let locator = try CountryLocator(borders: borders)
            _ = try locator.country(at: RDPoint(x: 155_000, y: 463_000))
        } catch {
            Fuzz.requireOwnError(error, GeoError.self, naming: "")
        }
    }
}

private let target = BordersTarget()

exit(
    Fuzz.run { data in
        target.run(data)
    })
