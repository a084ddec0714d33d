import Foundation

/// Locates test fixtures relative to this source file, so tests need no bundle resources.
public enum Fixtures {
    /// The `Tests/` directory of the package.
    public static let testsDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The package root.
    public static let packageRoot: URL = testsDirectory.deletingLastPathComponent()

    /// A file under `Tests/<relativePath>`.
    public static func url(_ relativePath: String) -> URL {
        testsDirectory.appendingPathComponent(relativePath)
    }

    /// Writes `text` (UTF-8) to the file `name` in `directory`, replacing it, and returns its path.
    @discardableResult
    public static func write(_ text: String, named name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// A fresh empty temporary directory, unique per call.
    public static func temporaryDirectory(_ label: String = "fanout") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
