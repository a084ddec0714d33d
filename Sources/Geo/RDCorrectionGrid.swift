import Foundation

// MARK: - Choosing the grid

/// Where a ``CoordinateConverter`` gets the RDNAPTRANS2018 correction grid for RD New.
public enum RDGridSource: Sendable, Hashable {
    /// `$FANOUT_DATA_DIR/rdtrans2018.gsb` when `FANOUT_DATA_DIR` is set, else the package's own
    /// `data/rdtrans2018.gsb` (found from this source file's path, so it works for every build
    /// made from a checkout, whatever the current directory).
    case automatic
    /// This NTv2 file (made by `tools/make_rd_grid.py`).
    case file(URL)
    /// No grid: RD New comes from PROJ's own datum transformation, with errors up to 0.25 m.
    /// Only for callers that choose this knowingly; ``CoordinateConverter/rdAccuracy`` says so.
    case withoutGrid
}

/// How a ``CoordinateConverter`` computes RD New, for callers and the CLI to report.
public enum RDAccuracy: Sendable, Hashable, CustomStringConvertible {
    /// The official RDNAPTRANS2018 transformation: NSGI's correction grid (this file) inside its
    /// area, within 1 mm of NSGI's validation points; outside it the datum transformation alone,
    /// and those points are flagged in each ``RDTransformReport``.
    case correctionGrid(path: String)
    /// PROJ's own datum transformation without the correction grid (errors up to 0.25 m).
    case withoutGrid

    public var description: String {
        switch self {
        case .correctionGrid(let path): "RDNAPTRANS2018 with the correction grid \(path)"
        case .withoutGrid: "without the RDNAPTRANS2018 correction grid (errors up to 0.25 m)"
        }
    }
}

// MARK: - The grid file

/// NSGI's RDNAPTRANS2018 variant-2 correction grid as an NTv2 file: where it is and what it covers.
///
/// The grid (`data/rdtrans2018.gsb`, made by `tools/make_rd_grid.py` from NSGI's
/// `rdtrans2018.txt`, CC BY 4.0) holds ETRS89 minus Bessel for every node of 50…56° N,
/// 2…8° E in Bessel (Amersfoort) latitude and longitude.
package enum RDCorrectionGrid {
    /// The grid's file name.
    package static let fileName = "rdtrans2018.gsb"
    /// The environment variable naming a directory that holds ``fileName`` (see ``DataDirectory``).
    package static let environmentVariable = DataDirectory.environmentVariable

    /// Southern edge of the grid, Bessel latitude in degrees.
    package static let south = 50.0
    /// Northern edge of the grid, Bessel latitude in degrees.
    package static let north = 56.0
    /// Western edge of the grid, Bessel longitude in degrees.
    package static let west = 2.0
    /// Eastern edge of the grid, Bessel longitude in degrees.
    package static let east = 8.0

    /// Whether a Bessel (Amersfoort) position lies in the grid, edges included, or within `margin`
    /// degrees of it.
    @inline(__always)
    package static func contains(lon: Double, lat: Double, margin: Double = 0) -> Bool {
        lon >= west - margin && lon <= east + margin && lat >= south - margin && lat <= north + margin
    }

    /// The package's `data/` directory (see ``DataDirectory/packageDirectory``).
    package static var packageDataDirectory: URL { DataDirectory.packageDirectory }

    /// Finds the grid file for `source`.
    ///
    /// With `.automatic`: `$FANOUT_DATA_DIR/rdtrans2018.gsb` when the variable is set and not empty
    /// (and then only there: a directory named on purpose that lacks the grid is an error, not a
    /// reason to look elsewhere), else ``packageDataDirectory``.
    ///
    /// - Parameters:
    ///   - source: Where to look; `.withoutGrid` gives `nil`.
    ///   - environment: The process environment (a parameter so that tests can set it).
    /// - Returns: The grid's absolute file URL, or `nil` for `.withoutGrid`.
    /// - Throws: ``GeoError`` `.correctionGrid` naming every place looked at and how to fix it.
    package static func locate(
        _ source: RDGridSource, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL? {
        let candidate: DataDirectory.Candidate
        switch source {
        case .withoutGrid:
            return nil
        case .file(let url):
            candidate = DataDirectory.Candidate(url: url.standardizedFileURL, how: "the file given")
        case .automatic:
            candidate = DataDirectory.candidate(for: fileName, environment: environment)
        }
        guard candidate.exists else {
            throw GeoError(
                .correctionGrid,
                "the RDNAPTRANS2018 correction grid \(fileName) is not at \(candidate.url.path) (\(candidate.how)); "
                    + "set \(environmentVariable) to the directory holding it (the package's data/, made by "
                    + "tools/make_rd_grid.py), or choose RDGridSource.withoutGrid to accept errors up to 0.25 m")
        }
        return candidate.url
    }
}
