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
