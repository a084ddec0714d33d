import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The identity of a file: its device and inode, the same for every spelling of its path
/// (relative or absolute, `./x`, `a/../x`, a symbolic link).
///
/// Keys ``DatabaseHandle``'s table of open databases. An inode is not reused while the file is
/// open, so an identity in the table always names the file its pool has open; a file deleted and
/// created again under the same name is a new identity.
package struct FileIdentity: Hashable, Sendable, CustomStringConvertible {
    /// The device (`st_dev`).
    package var device: UInt64
    /// The inode (`st_ino`).
    package var inode: UInt64

    /// The identity of the file `path` names, following symbolic links.
    ///
    /// - Parameter create: Create the file (empty, mode 0644 less the umask) when it does not
    ///   exist, as SQLite does when it opens a new database for writing.
    /// - Throws: The `errno` of `stat` (or `open`, when creating), as a `POSIXError`.
    package init(path: String, create: Bool) throws {
        var info = stat()
        if stat(path, &info) != 0 {  // 0, or -1 with errno
            let code = errno
            guard create, code == ENOENT else { throw Self.error(code) }
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)  // -1 and errno on failure
            guard fd >= 0 else { throw Self.error(errno) }
            defer { close(fd) }
            guard fstat(fd, &info) == 0 else { throw Self.error(errno) }
        }
        device = UInt64(truncatingIfNeeded: info.st_dev)
        inode = UInt64(truncatingIfNeeded: info.st_ino)
    }

    package var description: String { "device \(device) inode \(inode)" }

    private static func error(_ code: Int32) -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
}
