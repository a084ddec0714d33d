import BuildInfo
import FanoutAreaTools
import FanoutEngine
import Foundation
import Geo
import Synthetic

/// What a `fanout` binary is (`fanout --version`, `fanout version`): its version, the commit it
/// was built from, the C libraries the process runs and the data files the engine loads.
///
/// The library versions are asked of the libraries themselves at run time (`GEOSversion`,
/// `proj_info`, `sqlite_version()`), so they name what is linked, not the headers of the build.
/// Data files are found as the commands find them (``DataDirectory/fromEnvironment``:
/// `FANOUT_DATA_DIR`, else the files bundled with the binary; the place table from the Synthetic
/// resource bundle), and the RD transformation is the one the commands would use.
public struct ToolIdentity: Sendable, Codable, Equatable {
    /// This version of fanout (semantic versioning): the one place it is written.
    public static let currentVersion = "0.12.0"

    /// One data file the engine loads, where it is and its SHA-256.
    public struct DataFile: Sendable, Codable, Equatable {
        /// What it is for: `rd-grid`, `borders`, `municipalities`, `places`, `travel-radius`.
        public var role: String
        /// The resolved absolute path.
        public var path: String
        /// SHA-256, 64 lower-case hex digits; `nil` when the file is missing or unreadable.
        public var sha256: String?
        /// Why there is no checksum (missing, unreadable), else `nil`.
        public var problem: String?

        /// Every key written, `null` where there is no value (the `version` schema requires them).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(role, forKey: .role)
            try c.encode(path, forKey: .path)
            try c.encode(sha256, forKey: .sha256)
            try c.encode(problem, forKey: .problem)
        }
    }

    /// The C libraries' versions.
    public struct Libraries: Sendable, Codable, Equatable {
        /// GEOS, e.g. `3.11.1`.
        public var geos: String
        /// PROJ, e.g. `9.1.1`.
        public var proj: String
        /// SQLite, e.g. `3.40.1`.
        public var sqlite: String
    }

    /// ``currentVersion``.
    public var version: String
    /// The git commit the binary was built from (40 hex digits), or `unknown` (no git or no
    /// `.git` at build time, as for a source tarball).
    public var commit: String
    /// Whether tracked files differed from that commit at build time; `nil` when unknown.
    public var dirty: Bool?
    /// The C libraries the process runs.
    public var libraries: Libraries
    /// The data directory and how it was chosen (such as `/srv/data (FANOUT_DATA_DIR=/srv/data)`).
    public var dataDirectory: String
    /// How commands compute RD New: RDNAPTRANS2018 with the grid (and its path), or why they cannot
    /// (the grid is required; the message the commands would stop with).
    public var rdTransformation: String
    /// The data files, in a fixed order.
    public var dataFiles: [DataFile]

    private enum CodingKeys: String, CodingKey {
        case version, commit, dirty, libraries
        case dataDirectory = "data_directory"
        case rdTransformation = "rd_transformation"
        case dataFiles = "data_files"
    }

    /// Every key written with its snake_case name, `null` where there is no value.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(commit, forKey: .commit)
        try c.encode(dirty, forKey: .dirty)
        try c.encode(libraries, forKey: .libraries)
        try c.encode(dataDirectory, forKey: .dataDirectory)
        try c.encode(rdTransformation, forKey: .rdTransformation)
        try c.encode(dataFiles, forKey: .dataFiles)
    }

    /// The identity of this process.
    ///
    /// - Parameters:
    ///   - commit: The commit the build saw (default: the generated ``BuildInfo``).
    ///   - dirty: Whether the work tree had changes then.
    ///   - data: The data directory the commands use (``DataDirectory/fromEnvironment``).
    ///   - environment: The process environment (for `FANOUT_DATA_DIR`).
    /// - Throws: ``RegistryError`` when SQLite cannot be asked its version.
    /// - Complexity: Reads every data file once (about 5 MB).
    public static func current(
        commit: String = BuildInfo.commit, dirty: Bool? = BuildInfo.dirty, data: DataDirectory = .fromEnvironment,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> ToolIdentity {
        var files: [(String, URL?)] = [
            ("rd-grid", RDCorrectionGrid.fileName), ("borders", CountryBorders.fileName),
            ("municipalities", Municipalities.fileName), ("travel-radius", TravelRadiusTable.fileName),
        ].map { ($0.0, data.url(for: $0.1, environment: environment)) }
        files.insert(("places", PlaceTable.resourceURL), at: 3)
        let dataFiles = files.map { role, url in
            guard let url else {
                return DataFile(role: role, path: "places.csv", sha256: nil, problem: "not in the resource bundle")
            }
            let path = url.standardizedFileURL.path
            guard FileManager.default.fileExists(atPath: path) else {
                return DataFile(role: role, path: path, sha256: nil, problem: "missing")
            }
            do {
                return DataFile(role: role, path: path, sha256: try FileChecksum.sha256(ofFile: url), problem: nil)
            } catch {
                return DataFile(
                    role: role, path: path, sha256: nil, problem: "unreadable: \(error.localizedDescription)")
            }
        }
        return ToolIdentity(
            version: currentVersion, commit: commit, dirty: dirty,
            libraries: Libraries(
                geos: GEOSContext.libraryVersion, proj: PROJContext.libraryVersion.version,
                sqlite: try Registry.sqliteVersion()),
            dataDirectory: describe(data, environment: environment),
            rdTransformation: rdTransformation(data, environment: environment), dataFiles: dataFiles)
    }

    /// The directory's path and how it was chosen.
    private static func describe(_ data: DataDirectory, environment: [String: String]) -> String {
        let (url, how) = data.resolved(environment: environment)
        return "\(url.path) (\(how))"
    }

    /// What the commands would use for RD New: the grid is required, so either RDNAPTRANS2018 with
    /// it or the error they would stop with.
    private static func rdTransformation(_ data: DataDirectory, environment: [String: String]) -> String {
        do {
            let grid = try RDCorrectionGrid.locate(.data(data, .required), environment: environment)
            return try grid.map { try CoordinateConverter(rdGrid: .file($0)).rdAccuracy.description } ?? ""
        } catch {
            return "none, commands stop with: \(error)"
        }
    }
}
