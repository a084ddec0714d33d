import Foundation

// MARK: - Choosing the grid

/// Whether RD New may be computed without the RDNAPTRANS2018 correction grid.
public enum RDGridRequirement: Sendable, Hashable {
    /// The grid must be in the data directory; without it opening fails with an error naming the
    /// file and the directory searched. The library's default.
    case required
    /// Use the grid when the data directory has it, else PROJ's own datum transformation (errors
    /// up to 0.25 m; ``RDAccuracy/withoutGrid``). A grid that is there but damaged is still an error.
    case optional
}

/// Where a ``CoordinateConverter`` gets the RDNAPTRANS2018 correction grid for RD New.
public enum RDGridSource: Sendable, Hashable {
    /// `rdtrans2018.gsb` in this data directory; with ``RDGridRequirement/optional`` its absence
    /// means ``withoutGrid``.
    case data(DataDirectory, RDGridRequirement)
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

    /// The largest error of RD New positions against NSGI's validation points: 0.001 m with the
    /// grid, 0.25 m without it (0.240 m measured over the Z001 points in the NAP area, `TransformerTests`).
    public var maxErrorMeters: Double {
        switch self {
        case .correctionGrid: 0.001
        case .withoutGrid: 0.25
        }
    }

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

    /// Finds the grid file for `source`.
    ///
    /// With `.data(directory, _)`: `rdtrans2018.gsb` in that directory and only there (a directory
    /// named on purpose that lacks the grid is not a reason to look elsewhere).
    ///
    /// - Parameters:
    ///   - source: Where to look; `.withoutGrid`, or `.data(_, .optional)` without the file, gives `nil`.
    ///   - environment: The process environment (for ``DataDirectory/fromEnvironment``; a parameter
    ///     so that tests can set it).
    /// - Returns: The grid's absolute file URL, or `nil` when RD New goes without the grid.
    /// - Throws: ``GeoError`` `.correctionGrid` naming the file, the directory searched and how to fix it.
    package static func locate(
        _ source: RDGridSource, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL? {
        switch source {
        case .withoutGrid:
            return nil
        case .file(let url):
            let candidate = DataDirectory.Candidate(url: url.standardizedFileURL, how: "the file given")
            guard candidate.exists else {
                throw GeoError(
                    .correctionGrid,
                    "the RDNAPTRANS2018 correction grid \(url.path) (the file given) does not exist or is not a file")
            }
            return candidate.url
        case .data(let directory, let requirement):
            let candidate = directory.candidate(for: fileName, environment: environment)
            if candidate.exists { return candidate.url }
            if requirement == .optional { return nil }
            throw directory.missing(
                candidate, fileName, "the RDNAPTRANS2018 correction grid", .correctionGrid,
                "tools/make_rd_grid.py makes it",
                "; or open with rdGrid: .optional to accept errors up to 0.25 m without it")
        }
    }
}
