import Foundation

/// What this process has open, read from the operating system (`/proc/self/fd`), as an oracle
/// independent of the code that opens the files.
public enum OpenFiles {
    /// Whether the system lists a process's descriptors in `/proc/self/fd` (Linux).
    public static let available = FileManager.default.fileExists(atPath: "/proc/self/fd")

    /// The number of this process's file descriptors open on the file `path` (any spelling; the
    /// file itself, not its `-wal` or `-shm` companions).
    ///
    /// SQLite opens the database file once per connection, so this counts connections.
    public static func descriptors(on path: String) throws -> Int {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        return fds.count { fd in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) == target
        }
    }
}
