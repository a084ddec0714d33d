import FanoutCore
import Foundation
import Geo

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file a command is about to write, checked so that writing it cannot destroy anything else.
///
/// Every file `fanout` writes is checked with ``check(_:option:kind:inputs:)`` before any work is
/// done, and again when it is opened. The rule:
///
/// - A **regular file** (or a name that does not exist yet, in an existing directory) is written
///   to a temporary file beside it and renamed over it when complete. Symbolic links are followed:
///   the file they point to is replaced, the link stays.
/// - A **FIFO or character device** (`/dev/null`, `/dev/tty`, `mkfifo`) is written in place,
///   never replaced, by the writers whose output is a stream of bytes (CSV, GeoJSON, WKT, CAP,
///   SVG, the provider record). A GeoPackage and a PNG are built through a path by SQLite and
///   `rsvg-convert` and need a regular file.
/// - `/dev/stdout`, `/dev/stderr`, `/dev/fd/N` and `/proc/self/fd/N` are written through that
///   open descriptor, into whatever it was redirected to (at its offset, so `>>` appends).
/// - Refused, with nothing written: a file that is an input of the same command (compared by
///   device and inode, so also through symbolic links, `..` and hard links), or the `-wal`,
///   `-shm` or `-journal` file of one; a directory; a block device, socket or other special file;
///   a symbolic link to nothing; and any existing
///   **SQLite database** (a fanout registry with its ledger and audit, say), SQLite journal or
///   write-ahead log, except that a GeoPackage output may replace a GeoPackage.
public struct OutputTarget: Sendable {
    /// What a writer makes: decides what the writer may replace and whether it may stream into a device.
    public enum Kind: Sendable, Equatable {
        /// Bytes written front to back (CSV, GeoJSON, WKT, CAP, SVG).
        case stream
        /// A GeoPackage, built by SQLite through a path: needs a regular file; may replace a GeoPackage.
        case geoPackage
        /// A file another program renders through a path (the PNG of `rsvg-convert`): needs a regular file.
        case rendered
        /// Lines appended to what is there (the provider record): never replaces anything.
        case append
    }

    /// How the file is to be written.
    public enum Mode: Sendable, Equatable {
        /// Write a temporary file beside this resolved path (symbolic links followed) and rename it over it.
        case replace(String)
        /// Open ``OutputTarget/path`` as given and write into it: a FIFO or a character device, or
        /// any allowed file for ``Kind/append``.
        case inPlace
        /// Write into this open file descriptor of the process (`/dev/stdout`, `/dev/fd/N`): into
        /// whatever the shell redirected it to, at its offset (`>>` keeps appending), never replaced.
        case descriptor(Int32)
    }

    /// A file the command reads (or writes elsewhere), which the output may never be.
    public struct Input: Sendable, Equatable {
        /// How messages name it (`--db registry`).
        public var label: String
        /// Its path as given.
        public var path: String

        /// Creates an input named `label` at `path`.
        public init(_ label: String, _ path: String) {
            self.label = label
            self.path = path
        }
    }

    /// The path as given.
    public let path: String
    /// The name the caller's user gave it under (a command's `--gpkg`), for messages; `nil` when
    /// the caller named none (messages then start with the path, and the error's location names
    /// the field `output`).
    public let option: String?
    /// What is written.
    public let kind: Kind
    /// The files it may not be.
    public let inputs: [Input]
    /// How it is written.
    public let mode: Mode

    /// Checks that `path` may be written by a writer of `kind` in a command that reads `inputs`.
    ///
    /// - Parameters:
    ///   - path: The output path as the user gave it.
    ///   - option: The name it was given under, for messages (a command's `--gpkg`), or `nil`.
    ///   - kind: What is written there.
    ///   - inputs: The files of the command the output may never be (missing ones are skipped).
    /// - Returns: The checked target, with the way to write it.
    /// - Throws: ``OutputError`` `.refused`, naming the option, the path and the reason; `.writeFailed`
    ///   when the path cannot be reached (its directory does not exist, permission denied).
    public static func check(
        _ path: String, option: String? = nil, kind: Kind = .stream, inputs: [Input] = []
    ) throws -> OutputTarget {
        let refuse = { (why: String) in
            OutputError(.refused, "\(named(path, option)): \(why)", location: refusedLocation(path, option))
        }
        guard !path.isEmpty else {
            throw OutputError(
                .refused, (option.map { "\($0): " } ?? "") + "the path is empty",
                location: ErrorLocation(field: option == nil ? "output" : nil))
        }
        let mode: Mode
        var link = stat()
        if let fd = descriptor(named: path) {
            mode = try descriptorMode(fd, path: path, kind: kind, inputs: inputs, refuse)
        } else if lstat(path, &link) == 0 {  // 0, or -1 with errno
            mode = try existingFileMode(
                path, isLink: link.st_mode & S_IFMT == S_IFLNK, kind: kind, inputs: inputs, refuse)
        } else {
            mode = try newFileMode(path, lstatError: errno, kind: kind, inputs: inputs, refuse)
        }
        return OutputTarget(path: path, option: option, kind: kind, inputs: inputs, mode: mode)
    }

    private typealias Refusal = (String) -> OutputError

    /// `OPTION PATH`, or the path alone when no option named it.
    static func named(_ path: String, _ option: String?) -> String { option.map { "\($0) \(path)" } ?? path }

    /// Where a refusal is: the path, and the field `output` when no option named it.
    static func refusedLocation(_ path: String, _ option: String?) -> ErrorLocation {
        ErrorLocation(input: path, field: option == nil ? "output" : nil)
    }

    /// `/dev/stdout` and the like: written through the descriptor, whatever it was redirected to.
    private static func descriptorMode(
        _ fd: Int32, path: String, kind: Kind, inputs: [Input], _ refuse: Refusal
    ) throws -> Mode {
        var status = stat()
        guard fstat(fd, &status) == 0 else {  // 0, or -1 with errno
            let e = errno
            throw OutputError(.writeFailed, "cannot write \(path): \(reason(e))", errno: e)
        }
        try refuseInputs(inputs, resolved: nil, status: status, refuse)
        switch (status.st_mode & S_IFMT, kind) {
        case (S_IFDIR, _): throw refuse("is a directory")
        case (S_IFBLK, _):
            throw refuse("is a block device; fanout writes only regular files, FIFOs and character devices")
        case (_, .stream), (_, .append): return .descriptor(fd)
        case (_, .geoPackage):
            throw refuse("is an open file descriptor; a GeoPackage is built by SQLite and needs a file name")
        case (_, .rendered):
            throw refuse("is an open file descriptor; a PNG is rendered by rsvg-convert and needs a file name")
        }
    }

    /// A name that does not exist yet: its directory must.
    private static func newFileMode(
        _ path: String, lstatError e: Int32, kind: Kind, inputs: [Input], _ refuse: Refusal
    ) throws -> Mode {
        guard e == ENOENT else { throw OutputError(.writeFailed, "cannot write \(path): \(reason(e))", errno: e) }
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard let real = resolvedPath(directory), isDirectory(real) else {
            throw OutputError(
                .writeFailed, "cannot write \(path): the directory \(directory) does not exist", errno: ENOENT)
        }
        let resolved = URL(fileURLWithPath: real).appendingPathComponent(url.lastPathComponent).path
        try refuseInputs(inputs, resolved: resolved, status: nil, refuse)
        return kind == .append ? .inPlace : .replace(resolved)
    }

    /// An existing path: what it is (symbolic links followed) decides.
    private static func existingFileMode(
        _ path: String, isLink: Bool, kind: Kind, inputs: [Input], _ refuse: Refusal
    ) throws -> Mode {
        var status = stat()
        guard stat(path, &status) == 0 else {  // 0, or -1 with errno
            let e = errno
            if isLink {
                let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: path)) ?? "?"
                throw refuse("is a symbolic link to \(target), which does not exist; give the file's own path")
            }
            throw OutputError(.writeFailed, "cannot write \(path): \(reason(e))", errno: e)
        }
        let resolved = resolvedPath(path)
        try refuseInputs(inputs, resolved: resolved, status: status, refuse)
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            if let why = try databaseRefusal(path, kind: kind, refuse) { throw refuse(why) }
            guard let resolved else { throw refuse("cannot resolve the path") }
            return kind == .append ? .inPlace : .replace(resolved)
        case S_IFIFO, S_IFCHR:
            let what = status.st_mode & S_IFMT == S_IFIFO ? "a FIFO" : "a character device"
            switch kind {
            case .stream, .append: return .inPlace
            case .geoPackage: throw refuse("is \(what); a GeoPackage is built by SQLite and needs a regular file")
            case .rendered: throw refuse("is \(what); a PNG is rendered by rsvg-convert and needs a regular file")
            }
        case S_IFDIR:
            throw refuse("is a directory; give a file name")
        case S_IFBLK:
            throw refuse("is a block device; fanout writes only regular files, FIFOs and character devices")
        case S_IFSOCK:
            throw refuse("is a socket; fanout writes only regular files, FIFOs and character devices")
        default:
            throw refuse("is not a regular file; fanout writes only regular files, FIFOs and character devices")
        }
    }

    /// The same check again, just before the file is opened (the file system may have changed).
    func rechecked() throws -> OutputTarget {
        try Self.check(path, option: option, kind: kind, inputs: inputs)
    }

    // MARK: - Inputs

    /// Refuses an output that is one of `inputs`, or an SQLite side file of one.
    private static func refuseInputs(
        _ inputs: [Input], resolved: String?, status: stat?, _ refuse: Refusal
    ) throws {
        for input in inputs {
            for (suffix, what) in [
                ("", ""), ("-wal", "the -wal file of "), ("-shm", "the -shm file of "),
                ("-journal", "the -journal file of "),
            ] {
                let candidate = input.path + suffix
                var other = stat()
                let sameFile =
                    status.map { s in
                        stat(candidate, &other) == 0 && other.st_dev == s.st_dev && other.st_ino == s.st_ino
                    }
                    ?? false
                let samePath = resolved != nil && resolvedName(candidate) == resolved
                if sameFile || samePath {
                    throw refuse(
                        "is \(what)the \(input.label) \(input.path); fanout never writes over a file the same command "
                            + "reads or writes, choose another file")
                }
            }
        }
    }

    // MARK: - Databases

    /// `application_id` values (header bytes 68...71, big-endian) of a GeoPackage: 'GPKG', 'GP10', 'GP11'.
    static let geoPackageIDs: Set<UInt32> = [0x4750_4B47, 0x4750_3130, 0x4750_3131]
    /// `application_id` of a fanout registry: 'FANO'.
    static let registryID: UInt32 = 0x4641_4E4F

    /// Why the regular file at `path` may not be replaced by a writer of `kind`, or nil when it may.
    private static func databaseRefusal(
        _ path: String, kind: Kind, _ refuse: Refusal
    ) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)  // returns -1 and sets errno on failure
        guard fd >= 0 else {
            throw refuse("cannot be read to check that it is not a database (\(reason(errno)))")
        }
        defer { close(fd) }
        var header = [UInt8](repeating: 0, count: 100)
        let count = header.withUnsafeMutableBytes { read(fd, $0.baseAddress, 100) }  // bytes read, or -1
        guard count >= 0 else { throw refuse("cannot be read to check that it is not a database (\(reason(errno)))") }
        let head = header.prefix(count)
        let word = { (at: Int) -> UInt32 in
            head.count >= at + 4 ? head[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } : 0
        }
        if word(0) == 0x377F_0682 || word(0) == 0x377F_0683 {
            return
                "is an SQLite write-ahead log; fanout never writes an output over a database file, choose another file"
        }
        if head.starts(with: [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7]) {
            return
                "is an SQLite rollback journal; fanout never writes an output over a database file, choose another file"
        }
        guard head.starts(with: Array("SQLite format 3\0".utf8)) else { return nil }
        let applicationID = word(68)
        if geoPackageIDs.contains(applicationID) {
            return kind == .geoPackage
                ? nil : "is a GeoPackage; only a GeoPackage output may replace it, choose another file"
        }
        let what = applicationID == registryID ? "a fanout registry (an SQLite database)" : "an SQLite database"
        return "is \(what); fanout never writes an output over a database, choose another file"
    }

    // MARK: - Paths

    /// The descriptor a path names on its own: `/dev/stdin|stdout|stderr`, `/dev/fd/N`, `/proc/self/fd/N`.
    ///
    /// Opening these anew would reopen the file behind the descriptor (at offset 0, without `O_APPEND`)
    /// and resolving them would replace the file a shell redirected to: they are written through the
    /// descriptor itself.
    static func descriptor(named path: String) -> Int32? {
        switch path {
        case "/dev/stdin": return 0
        case "/dev/stdout": return 1
        case "/dev/stderr": return 2
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                return Int32(path.dropFirst(prefix.count)).flatMap { $0 >= 0 ? $0 : nil }
            }
            return nil
        }
    }

    /// `realpath(3)` of an existing path.
    private static func resolvedPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }  // malloc'ed, or NULL with errno
        defer { free(p) }
        return String(cString: p)
    }

    /// The resolved path of a file that may not exist yet: its directory resolved, then its name.
    private static func resolvedName(_ path: String) -> String? {
        if let real = resolvedPath(path) { return real }
        let url = URL(fileURLWithPath: path)
        guard let directory = resolvedPath(url.deletingLastPathComponent().path) else { return nil }
        return URL(fileURLWithPath: directory).appendingPathComponent(url.lastPathComponent).path
    }

    private static func isDirectory(_ path: String) -> Bool {
        var s = stat()
        return stat(path, &s) == 0 && s.st_mode & S_IFMT == S_IFDIR
    }

    /// The system's text for an `errno` value.
    static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }
}
