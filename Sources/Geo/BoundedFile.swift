import Foundation

/// Reads a file whole, but never more than a limit: a file over the limit is refused after
/// reading `limit + 1` bytes, so a huge file (or `/dev/zero`, a pipe) costs no more memory than
/// an accepted one.
package enum BoundedFile {
    /// Why a file could not be read.
    package enum Failure: Error, Sendable {
        /// The file could not be opened or read.
        case unreadable(any Error)
        /// The file has more than `limit` bytes.
        case tooLarge(limit: Int)
    }

    /// The file's bytes, at most `limit` of them.
    ///
    /// - Throws: ``Failure/tooLarge(limit:)`` when the file holds more than `limit` bytes,
    ///   ``Failure/unreadable(_:)`` when it cannot be opened or read.
    /// - Complexity: O(min(file size, limit)) time and memory.
    package static func read(_ url: URL, limit: Int) throws(Failure) -> Data {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch { throw .unreadable(error) }
        defer { try? handle.close() }
        var data = Data()
        do {
            while data.count <= limit {
                guard let chunk = try handle.read(upToCount: min(limit + 1 - data.count, 1 << 20)), !chunk.isEmpty
                else { return data }
                data.append(chunk)
            }
        } catch {
            throw .unreadable(error)
        }
        throw .tooLarge(limit: limit)
    }

    /// "at most 1,048,576 bytes" for messages.
    package static func describe(limit: Int) -> String {
        let s = String(limit)
        var out = ""
        for (i, c) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return "\(String(out.reversed())) bytes"
    }
}
