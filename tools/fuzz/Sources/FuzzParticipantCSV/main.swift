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

/// libFuzzer target: the participant CSV import (`Registry.importCSV`: the streaming `CSVReader`,
/// the column layout, the row checks, the CRS transformation and the country derivation).
private final class ParticipantTarget {
    let file = ScratchFile(name: "participants.csv")
    let database = ScratchFile(name: "registry.sqlite")
    let registry: Registry
    let options: ImportOptions

    init() {
        do {
            // Small borders (three squares): the country code paths run, and building the
            // locator for every import stays cheap.
            let small = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .appendingPathComponent("../../borders-small.geojson").standardizedFileURL
            let borders = try CountryBorders.load(.file(small), converter: try CoordinateConverter())
            registry = try Registry.open(at: database.url.path)
            options = ImportOptions(countries: .preloaded(borders))
        } catch {
            Fuzz.fail("fuzz harness: cannot open the registry or load the borders: \(error)")
        }
    }

    func run(_ data: Data) {
        file.write(data)
        let path = file.url.path
        let before = count()
        do {
            let report = try registry.importCSV(file.url, options: options)
            Fuzz.require(report.rows > 0, "an import without rows succeeded")
            Fuzz.require(count() == before + report.inserted, "the count does not match the report")
        } catch let error as GeoError {
            Fuzz.requireOwnError(error, GeoError.self, naming: path)
            Fuzz.require(count() == before, "a failed import changed the registry")
        } catch {
            Fuzz.requireOwnError(error, RegistryError.self, naming: path)
            Fuzz.require(count() == before, "a failed import changed the registry")
        }
    }

    func count() -> Int {
        do { return try registry.count() } catch {
            Fuzz.require(false, "cannot count the registry: \(error)")
            return 0
        }
    }
}

private let target = ParticipantTarget()

exit(
    Fuzz.run { data in
        target.run(data)
    })
