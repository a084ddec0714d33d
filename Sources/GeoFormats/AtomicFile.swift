import Foundation
import Geo

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a checked ``OutputTarget`` so that readers see the old file or the complete new one.
///
/// The bytes go to a temporary file beside the target, which is renamed over it when everything
/// has been written, never half. A FIFO or character device is written in place instead.
public final class AtomicFileWriter {
    /// The path as given.
    public let url: URL
    private let target: OutputTarget
    private let temporaryPath: String?
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    /// Checks `url` with ``OutputTarget/check(_:option:kind:inputs:)`` (no inputs) and opens it.
    ///
    /// - Throws: ``OutputError`` `.refused` for a target that may not be written, `.writeFailed`
    ///   when the temporary file cannot be created.
    public convenience init(url: URL) throws {
        try self.init(target: OutputTarget.check(url.path))
    }

    /// Checks `target` again and opens it: a temporary file beside a regular file, or the FIFO or
    /// device itself (which blocks until a FIFO has a reader).
    ///
    /// - Precondition: `target.kind` is ``OutputTarget/Kind/stream``.
    /// - Throws: ``OutputError`` `.refused` when the target is no longer allowed, `.writeFailed`
    ///   naming the path when it cannot be opened.
    public init(target: OutputTarget) throws {
        precondition(target.kind == .stream, "AtomicFileWriter writes streams; use replace(_:write:)")
        let target = try target.rechecked()
        self.target = target
        url = URL(fileURLWithPath: target.path)
        switch target.mode {
        case .replace(let resolved):
            let temporary = Self.temporaryPath(beside: resolved)
            unlink(temporary)  // a leftover of a killed run with the same process id
            temporaryPath = temporary
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)  // -1 and errno on failure
            guard fd >= 0 else {
                let e = errno
                throw OutputError(
                    .writeFailed, "cannot create \(temporary) to write \(target.path): \(OutputTarget.reason(e))",
                    errno: e)
            }
        case .inPlace, .descriptor:
            temporaryPath = nil
            if case .descriptor(let given) = target.mode {
                fd = dup(given)  // a descriptor of our own to close; -1 and errno on failure
            } else {
                fd = open(target.path, O_WRONLY | O_CLOEXEC | O_NOCTTY)  // -1 and errno on failure
            }
            guard fd >= 0 else {
                let e = errno
                throw OutputError(.writeFailed, "cannot open \(target.path): \(OutputTarget.reason(e))", errno: e)
            }
        }
        buffer.reserveCapacity(1 << 20)
    }

    /// Appends bytes (buffered).
    ///
    /// - Throws: ``OutputError`` `.writeFailed` naming the path.
    public func write(_ bytes: some Sequence<UInt8>) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    /// Appends a string's UTF-8 bytes (buffered).
    public func write(_ string: String) throws { try write(string.utf8) }

    private func flush() throws {
        let code = buffer.withUnsafeBytes { RawWrite.all(fd, $0) }
        buffer.removeAll(keepingCapacity: true)
        if code != 0 { throw failure(code) }
    }

    /// Writes what is buffered and closes; a temporary file is synced and renamed over the target.
    ///
    /// - Throws: ``OutputError`` `.writeFailed` naming the path; a replaced file is then unchanged.
    public func commit() throws {
        try flush()
        finished = true
        guard let temporaryPath, case .replace(let resolved) = target.mode else {
            if close(fd) != 0 { throw failure(errno) }  // 0, or -1 with errno
            return
        }
        // Each returns 0, or -1 with errno; the descriptor is closed whatever fsync said.
        let synced = fsync(fd) == 0 ? 0 : errno
        let closed = close(fd) == 0 ? 0 : errno
        let failed = synced != 0 ? synced : closed != 0 ? closed : rename(temporaryPath, resolved) == 0 ? 0 : errno
        if failed != 0 {
            unlink(temporaryPath)
            throw failure(failed)
        }
    }

    private func failure(_ code: Int32) -> OutputError {
        let kept = temporaryPath == nil ? "" : " (nothing was replaced)"
        return OutputError(
            .writeFailed, "cannot write \(target.path): \(OutputTarget.reason(code))\(kept)", errno: code)
    }

    deinit {
        if !finished {
            close(fd)
            if let temporaryPath { unlink(temporaryPath) }
        }
    }
}

extension AtomicFileWriter {
    /// `.NAME.PID.tmp` in the directory of `path`: same file system, so the rename is atomic.
    static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp").path
    }

    /// Checks `url` for a GeoPackage (no inputs) and writes it as `replace(target, write:)` does.
    public static func replace(_ url: URL, write: (URL) throws -> Void) throws {
        try replace(OutputTarget.check(url.path, kind: .geoPackage), write: write)
    }

    /// Lets `write` create a file at a temporary path beside the target, then renames it over the
    /// target; for writers that need a path rather than bytes (SQLite, for a GeoPackage).
    ///
    /// On any error the temporary file (and an SQLite `-journal` beside it) is removed and the
    /// target is left as it was.
    ///
    /// - Precondition: `target.kind` is not ``OutputTarget/Kind/stream`` or ``OutputTarget/Kind/append``.
    /// - Throws: ``OutputError`` `.refused` when the target is no longer allowed, what `write`
    ///   throws, or ``OutputError`` `.writeFailed` when the rename fails.
    public static func replace(_ target: OutputTarget, write: (URL) throws -> Void) throws {
        precondition(target.kind == .geoPackage || target.kind == .rendered, "replace(_:write:) builds files by path")
        let target = try target.rechecked()
        guard case .replace(let resolved) = target.mode else {
            throw OutputError(
                .refused, "\(OutputTarget.named(target.path, target.option)): needs a regular file",
                location: OutputTarget.refusedLocation(target.path, target.option))
        }
        let temporary = temporaryPath(beside: resolved)
        let leftovers = [temporary, temporary + "-journal"]
        for path in leftovers { unlink(path) }
        do {
            try write(URL(fileURLWithPath: temporary))
            if rename(temporary, resolved) != 0 {  // 0, or -1 with errno
                let e = errno
                throw OutputError(
                    .writeFailed, "cannot write \(target.path): \(OutputTarget.reason(e)) (nothing was replaced)",
                    errno: e)
            }
        } catch {
            for path in leftovers { unlink(path) }
            throw error
        }
    }
}

/// Writing all of a buffer to a file descriptor with `write(2)`.
public enum RawWrite {
    /// Writes all of `bytes` to `fd`, retrying after a signal and after a short write.
    ///
    /// - Returns: 0 when everything was written, else the `errno` of the failed `write(2)`.
    public static func all(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32 {
        guard var next = bytes.baseAddress else { return 0 }
        var left = bytes.count
        while left > 0 {
            let n = write(fd, next, left)  // bytes written, or -1 with errno
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            next += n
            left -= n
        }
        return 0
    }
}
