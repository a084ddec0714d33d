import FanoutData
import Foundation

/// Where the engine's data files are: the RDNAPTRANS2018 grid, the country borders, the
/// municipalities, the travel-radius table and the reference areas.
///
/// One value chosen by the caller and passed to everything that reads a data file
/// (``CoordinateConverter/init(data:rdGrid:)``, ``CountryBorders/load(_:converter:)``,
/// ``Municipalities/load(from:data:converter:)``, and in `FanoutEngine` `Engine.open`), so that a
/// service knows which files it runs on. Nothing is found through the source tree of the machine
/// that built the binary.
///
/// ```swift
/// let engine = try Engine.open(registryAt: "participants.sqlite", data: .bundled)
/// let other = try Engine.open(registryAt: "participants.sqlite", data: .directory(URL(fileURLWithPath: "/srv/fanout-data")))
/// ```
///
/// A directory given on purpose (``directory(_:)``, or `FANOUT_DATA_DIR` with
/// ``fromEnvironment``) is the only place looked at: a file missing there is an error naming the
/// file and the directory, never a reason to look elsewhere.
public enum DataDirectory: Sendable, Hashable, CustomStringConvertible {
    /// The package's own files, shipped as the resource bundle of its `FanoutData` module
    /// (`fanout_FanoutData.resources` next to the executable; `.bundle` on Apple platforms).
    ///
    /// - Important: Ship the bundle with the binary. On Linux it is looked for next to the
    ///   executable only; without it every file is missing there (an error naming that directory),
    ///   never taken from the build directory. On Apple platforms SwiftPM's `Bundle.module` finds
    ///   it (in an app bundle or next to the executable) and stops the process when it cannot.
    case bundled
    /// This directory, holding the files under their own names (`rdtrans2018.gsb`, `areas/`, ...),
    /// as the package's `data/` does.
    case directory(URL)
    /// The directory named by `FANOUT_DATA_DIR` when that variable is set and not empty, else
    /// ``bundled``: what the `fanout` command uses.
    case fromEnvironment

    /// The environment variable ``fromEnvironment`` reads.
    public static let environmentVariable = "FANOUT_DATA_DIR"

    /// Where a data file should be, and how that place was chosen (for messages).
    package struct Candidate: Sendable, Hashable {
        /// The file's absolute URL (it may not exist).
        package var url: URL
        /// How the place was chosen, for messages.
        ///
        /// For example `FANOUT_DATA_DIR=/srv/data`, or "the directory given".
        package var how: String
        /// Whether a regular file (not a directory) is there.
        package var exists: Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The directory this value stands for now, and how it was chosen.
    ///
    /// - Parameter environment: The process environment (read by ``fromEnvironment`` only; a
    ///   parameter so that tests can set it).
    /// - Returns: The directory's absolute URL (it may not exist) and a phrase for messages, e.g.
    ///   `FANOUT_DATA_DIR=/srv/data`.
    public func resolved(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> (url: URL, how: String) {
        switch self {
        case .bundled:
            return (BundledData.directory.standardizedFileURL, "the package's resource bundle")
        case .directory(let url):
            return (url.standardizedFileURL, "the data directory given")
        case .fromEnvironment:
            if let dir = environment[Self.environmentVariable], !dir.isEmpty {
                return (
                    URL(fileURLWithPath: dir, isDirectory: true).standardizedFileURL,
                    "\(Self.environmentVariable)=\(dir)"
                )
            }
            return (
                BundledData.directory.standardizedFileURL,
                "the package's resource bundle, \(Self.environmentVariable) not set"
            )
        }
    }

    /// Where `fileName` should be in this directory.
    ///
    /// - Parameters:
    ///   - fileName: A file's name (or a path relative to the directory, e.g. `areas/x.geojson`).
    ///   - environment: The process environment (for ``fromEnvironment``).
    /// - Returns: The file's absolute URL; it may not exist.
    public func url(
        for fileName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL {
        candidate(for: fileName, environment: environment).url
    }

    /// The place to look for `fileName`, and how it was chosen.
    package func candidate(
        for fileName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Candidate {
        let (dir, how) = resolved(environment: environment)
        return Candidate(url: dir.appendingPathComponent(fileName), how: how)
    }

    /// Finds a file this directory must hold.
    ///
    /// - Parameters:
    ///   - fileName: The file's name, e.g. `rdtrans2018.gsb`.
    ///   - what: What it is, for the message, e.g. "the RDNAPTRANS2018 correction grid".
    ///   - code: The error code to throw.
    ///   - made: Where the file comes from, e.g. "tools/make_rd_grid.py makes it".
    ///   - alternative: A further way out, e.g. "or open with rdGrid: .optional ...", or "".
    ///   - environment: The process environment (for ``fromEnvironment``).
    /// - Returns: The file's absolute URL.
    /// - Throws: ``GeoError`` with `code`, naming the file, the directory searched, how it was
    ///   chosen and how to give the file.
    package func locate(
        _ fileName: String, what: String, code: GeoError.Code, made: String, alternative: String = "",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> URL {
        let candidate = candidate(for: fileName, environment: environment)
        guard candidate.exists else { throw missing(candidate, fileName, what, code, made, alternative) }
        return candidate.url
    }

    /// The error for a file that is not where this directory says it is.
    package func missing(
        _ candidate: Candidate, _ fileName: String, _ what: String, _ code: GeoError.Code, _ made: String,
        _ alternative: String
    ) -> GeoError {
        let directory = candidate.url.deletingLastPathComponent().path
        return GeoError(
            code,
            "\(what) \(fileName) is not in the data directory \(directory) (\(candidate.how)); give a directory "
                + "that holds it (DataDirectory.directory, or \(Self.environmentVariable) for the fanout command; "
                + "the package's data/ holds one; \(made)) or use the package's own files "
                + "(DataDirectory.bundled)\(alternative)")
    }

    public var description: String {
        switch self {
        case .bundled: "bundled"
        case .directory(let url): "directory \(url.path)"
        case .fromEnvironment: "from the environment (\(Self.environmentVariable))"
        }
    }
}
