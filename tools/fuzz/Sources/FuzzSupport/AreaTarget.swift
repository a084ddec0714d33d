import FanOut
import FanoutAreaTools
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// Reads an area file the way `fanout area check` and `select --polygon` do, then checks it.
///
/// Used by the GeoJSON, WKT and CAP targets: `AreaReader` picks the reader from the first byte,
/// so each target only differs in its seeds and dictionary.
public final class AreaTarget {
    let file: ScratchFile
    let inspector: AreaInspector

    /// Creates the target; `fileName` is the scratch file's name (its extension matters for
    /// GeoPackage detection only).
    public init(fileName: String) {
        file = ScratchFile(name: fileName)
        do {
            inspector = try AreaInspector()
            // Warm up: the first check loads the country borders (seconds under ASan), which
            // libFuzzer's per-input timeout must not count.
            let square = [XY(5.1, 52.0), XY(5.2, 52.0), XY(5.2, 52.1), XY(5.1, 52.1), XY(5.1, 52.0)]
            _ = try inspector.check(
                AreaGeometry(polygons: [PlanarPolygon(shell: square)], crs: .wgs84, source: "warm-up"))
        } catch {
            Fuzz.fail("fuzz harness: cannot start GEOS/PROJ or load the borders: \(error)")
        }
    }

    /// Runs one input.
    public func run(_ data: Data) {
        file.write(data)
        let area: AreaGeometry
        do { area = try inspector.read(contentsOf: file.url) } catch {
            Fuzz.requireOwnError(error, GeoError.self, naming: file.url.path)
            return
        }
        Fuzz.require(!area.polygons.isEmpty, "an area without polygons was accepted")
        Fuzz.require(area.source == file.url.path, "the area does not name its source")
        // Usable: the whole check (validity, transformation, measures, countries) runs on it.
        do {
            let report = try inspector.check(area)
            Fuzz.require(
                report.verdict == .invalid || report.validity.valid, "a verdict other than invalid for an invalid area")
        } catch {
            Fuzz.requireOwnError(error, GeoError.self, naming: "")
        }
    }
}
