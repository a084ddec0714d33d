import Foundation

/// An independent command-line checker (GDAL's `ogrinfo`, libxml2's `xmllint`) found on `PATH`.
///
/// Tests that need one are enabled only when it is installed (`tools/test.sh` installs them);
/// the skip names the missing tool and its Debian package.
public enum ExternalTool {
    /// The executable `name` on `PATH`, or `nil`.
    public static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// GDAL's GeoPackage validator (`validate_gpkg.py`, Debian package python3-gdal, which
    /// gdal-bin depends on) as the command to run, when it is installed.
    public static let geoPackageValidator: [String]? = {
        let script = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py"
        let python = "/usr/bin/python3"  // Debian's, which has the osgeo module
        let fm = FileManager.default
        return fm.fileExists(atPath: script) && fm.isExecutableFile(atPath: python) ? [python, script] : nil
    }()

    /// Runs GDAL's GeoPackage validator on `path` (exit 0 and no output when the file conforms).
    ///
    /// - Throws: `CocoaError(.fileNoSuchFile)` when it is not installed.
    public static func validateGeoPackage(_ path: String) async throws -> CommandResult {
        guard let command = geoPackageValidator else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "validate_gpkg.py"])
        }
        return try await run(command[0], Array(command.dropFirst()) + [path])
    }

    /// Whether `name` is installed.
    public static func has(_ name: String) -> Bool { find(name) != nil }

    /// Runs `name` with `arguments` and captures its output.
    ///
    /// - Throws: `CocoaError(.fileNoSuchFile)` when the tool is not installed.
    public static func run(_ name: String, _ arguments: [String]) async throws -> CommandResult {
        guard let url = name.hasPrefix("/") ? URL(fileURLWithPath: name) : find(name) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: name])
        }
        return try await CommandRunner.run(executable: url, arguments)
    }
}

// MARK: - GeoPackages made by GDAL

extension ExternalTool {
    /// Whether GDAL's `ogr2ogr` and `ogrinfo` are installed (Debian package gdal-bin).
    public static var hasGDAL: Bool { has("ogr2ogr") && has("ogrinfo") }

    /// Writes `geoJSON` to `<name>.geojson` in `directory` and converts it with GDAL's `ogr2ogr`
    /// into the GeoPackage `<name>.gpkg` with one layer named `layer`, so that an independent tool
    /// made the file (its fids are 1, 2, … in feature order unless `options` say otherwise).
    ///
    /// - Returns: The GeoPackage's path.
    /// - Throws: `CocoaError(.fileNoSuchFile)` without ogr2ogr, `CocoaError(.fileWriteUnknown)`
    ///   (with GDAL's message) when ogr2ogr fails.
    public static func geoPackage(
        fromGeoJSON geoJSON: String, layer: String, named name: String, in directory: URL, options: [String] = []
    ) async throws -> String {
        let source = directory.appendingPathComponent(name + ".geojson")
        let target = directory.appendingPathComponent(name + ".gpkg")
        try geoJSON.write(to: source, atomically: true, encoding: .utf8)
        let r = try await run("ogr2ogr", ["-f", "GPKG", target.path, source.path, "-nln", layer] + options)
        guard r.status == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "ogr2ogr: \(r.stderr)"])
        }
        return target.path
    }
}

// MARK: - A writer that holds a database's write lock

/// SQLite's own command-line shell holding a database's write lock (`BEGIN IMMEDIATE`) until
/// ``release()``: a test double for a long writer such as an import's single transaction, so that
/// a test decides exactly when the lock is held instead of racing a real writer's duration.
public final class SQLiteWriteLockHolder {
    private let process = Process()
    private let input = Pipe()
    private var released = false

    /// Starts `sqlite3 path` and takes the write lock; returns once the lock is held.
    ///
    /// - Throws: `CocoaError(.fileNoSuchFile)` without sqlite3, `CocoaError(.fileLocking)` when the
    ///   lock was not taken within `timeout`.
    public init(path: String, timeout: Duration = .seconds(60)) async throws {
        guard let url = ExternalTool.find("sqlite3") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "sqlite3"])
        }
        process.executableURL = url
        process.arguments = [path]
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Waits for other writers as long as `timeout`, then holds the lock with a transaction
        // left open.
        let ms = Int(timeout.components.seconds * 1000)
        try input.fileHandleForWriting.write(contentsOf: Data(".timeout \(ms)\nBEGIN IMMEDIATE;\n".utf8))
        // Polls on a thread of its own: on a loaded parallel test run the cooperative pool was
        // not free for a minute, and a poll sleeping there missed its deadline.
        let process = self.process
        let held = try await onOwnThread { () throws -> Bool in
            let deadline = ContinuousClock.now + timeout
            while try ExternalTool.writableNow(path, sqlite3: url) {
                guard ContinuousClock.now < deadline, process.isRunning else { return false }
                Thread.sleep(forTimeInterval: 0.05)
            }
            return true
        }
        guard held else {
            release()
            throw CocoaError(.fileLocking, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// Ends the transaction (nothing was written) and the shell; called at most once.
    public func release() {
        guard !released else { return }
        released = true
        try? input.fileHandleForWriting.write(contentsOf: Data("ROLLBACK;\n.quit\n".utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { release() }
}

extension ExternalTool {
    /// Whether a writer could take `db`'s write lock now (SQLite's own CLI, no waiting).
    public static func writable(_ db: String) async throws -> Bool {
        guard let sqlite3 = find("sqlite3") else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "sqlite3"]) }
        return try await onOwnThread { try writableNow(db, sqlite3: sqlite3) }
    }

    /// ``writable(_:)``, blocking the calling thread (for a poll on a thread of its own).
    static func writableNow(_ db: String, sqlite3: URL) throws -> Bool {
        try CommandRunner.runBlocking(executable: sqlite3, [db, ".timeout 0", "BEGIN IMMEDIATE;", "ROLLBACK;"]).status == 0
    }
}
