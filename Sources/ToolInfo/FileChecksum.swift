import Crypto
import Foundation

/// SHA-256 checksums of files, as `sha256sum` prints them (swift-crypto's `SHA256`).
public enum FileChecksum {
    /// The SHA-256 of a file, 64 lower-case hex digits, read in 1 MiB pieces.
    ///
    /// - Throws: The file system's error when the file cannot be opened or read.
    /// - Complexity: O(n) in the file's size, with constant memory.
    public static func sha256(ofFile url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
        return hash.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
