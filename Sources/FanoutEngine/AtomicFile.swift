import Foundation

/// Writes a file so that readers see either the old file or the complete new one, never half:
/// the bytes go to a temporary file in the same directory, which is renamed over the target
/// when everything has been written.
public final class AtomicFileWriter {
    /// The final path.
    public let url: URL
    private let temporaryURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var finished = false

    /// Creates the temporary file beside `url`.
    ///
    /// - Throws: An error naming the path when the directory is not writable.
    public init(url: URL) throws {
        self.url = url
        temporaryURL = Self.temporaryURL(beside: url)
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: temporaryURL.path])
        }
        handle = try FileHandle(forWritingTo: temporaryURL)
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends bytes (buffered).
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends a string's UTF-8 bytes (buffered).
    public func write(_ string: String) throws { try write(string.utf8) }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered, closes and renames the temporary file over the target.
    public func commit() throws {
        try flush()
        try handle.synchronize()
        try handle.close()
        finished = true
        if rename(temporaryURL.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporaryURL)
            throw CocoaError(
                .fileWriteUnknown,
                userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "rename failed: \(reason)"])
        }
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporaryURL)
        }
    }
}

extension AtomicFileWriter {
    /// `.NAME.PID.tmp` in the directory of `url`: same file system, so the rename is atomic.
    static func temporaryURL(beside url: URL) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
    }

    /// Lets `write` create a file at a temporary path beside `url`, then renames it over `url`;
    /// for writers that need a path rather than bytes (SQLite, for a GeoPackage).
    ///
    /// On any error the temporary file (and an SQLite `-journal` beside it) is removed and `url`
    /// is left as it was.
    ///
    /// - Throws: What `write` throws, or an error naming `url` when the rename fails.
    public static func replace(_ url: URL, write: (URL) throws -> Void) throws {
        let temporary = temporaryURL(beside: url)
        let leftovers = [temporary.path, temporary.path + "-journal"]
        for path in leftovers { try? FileManager.default.removeItem(atPath: path) }
        do {
            try write(temporary)
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                throw CocoaError(
                    .fileWriteUnknown,
                    userInfo: [NSFilePathErrorKey: url.path, NSLocalizedDescriptionKey: "rename failed: \(reason)"])
            }
        } catch {
            for path in leftovers { try? FileManager.default.removeItem(atPath: path) }
            throw error
        }
    }
}
