import Foundation

/// Where the engine's data files (`data/` in the package) are found at run time.
///
/// One rule for every data file (the RDNAPTRANS2018 grid, the country borders): the directory
/// named by `FANOUT_DATA_DIR` when that variable is set and not empty, and then only there (a
/// directory named on purpose that lacks the file is an error, not a reason to look elsewhere);
/// else the package's own `data/` directory, found from this source file's path (`#filePath`),
/// so it works for every build made from a checkout, whatever the current directory.
package enum DataDirectory {
    /// The environment variable naming the directory that holds the data files.
    package static let environmentVariable = "FANOUT_DATA_DIR"

    /// The package's `data/` directory, found from this source file's path (`#filePath`).
    package static let packageDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Geo
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // package root
        .appendingPathComponent("data", isDirectory: true)

    /// Where a data file should be, and how that place was chosen (for error messages).
    package struct Candidate: Sendable, Hashable {
        /// The file's absolute URL (it may not exist).
        package var url: URL
        /// How the place was chosen, for messages.
        ///
        /// For example `FANOUT_DATA_DIR=/srv/data`, or "the package's data directory
        /// (FANOUT_DATA_DIR is not set)".
        package var how: String
        /// Whether a regular file (not a directory) is there.
        package var exists: Bool {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// The place to look for `fileName`: `$FANOUT_DATA_DIR/<fileName>` when the variable is set
    /// and not empty, else `<package>/data/<fileName>`.
    ///
    /// - Parameters:
    ///   - fileName: The file's name, e.g. `rdtrans2018.gsb`.
    ///   - environment: The process environment (a parameter so that tests can set it).
    /// - Returns: The candidate; check ``Candidate/exists`` and throw a message naming
    ///   ``Candidate/how`` when it is missing.
    package static func candidate(
        for fileName: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Candidate {
        if let dir = environment[environmentVariable], !dir.isEmpty {
            return Candidate(
                url: URL(fileURLWithPath: dir, isDirectory: true).appendingPathComponent(fileName),
                how: "\(environmentVariable)=\(dir)")
        }
        return Candidate(
            url: packageDirectory.appendingPathComponent(fileName),
            how: "the package's data directory (\(environmentVariable) is not set)")
    }
}
