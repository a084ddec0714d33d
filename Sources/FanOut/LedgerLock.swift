import Foundation
import Geo
import Participants

#if canImport(Glibc)
    import Glibc
#endif

/// The one-writer lock of a ledger: an exclusive OS file lock (`flock`) on `DB-dispatcher.lock`
/// beside the registry, held by the one process that runs a dispatcher on it.
///
/// The operating system releases the lock when its holder exits, however it exits (a kill -9
/// included), so a lock is never left stale. The holder writes its process id, start time and
/// command into the file, for the message another process shows when it finds the lock taken.
/// Readers (`status`, `explain`, `select`) never take it.
public final class LedgerLock: Sendable {
    /// Who holds a lock, as its holder wrote it.
    public struct Holder: Sendable, Hashable, CustomStringConvertible {
        /// The holder's process id.
        public var pid: Int32
        /// When it took the lock.
        public var since: Date
        /// The command it runs, e.g. `fanout action run`.
        public var command: String

        public var description: String {
            "process \(pid) ('\(command)', since \(ISO8601DateFormatter().string(from: since)))"
        }
    }

    /// The lock file.
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// The lock file of the ledger in the registry at `database`: one per registry file, whatever
    /// spelling of its path (a symbolic link included) a process was given.
    public static func lockPath(for database: String) -> String {
        DatabaseHandle.companionPath(of: database, suffix: "-dispatcher.lock")
    }

    /// Takes the lock of the ledger in `database` if no other process holds it.
    ///
    /// - Parameter command: What the holder runs, for others' messages (no personal data).
    /// - Returns: The lock (held until it is released or deinitialised), or `nil` when another
    ///   process (or another lock object of this process) holds it.
    /// - Throws: ``DispatchError`` `.ledger` when the lock file cannot be opened or locked.
    public static func acquire(for database: String, command: String) throws -> LedgerLock? {
        let path = lockPath(for: database)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)  // -1 and errno on failure
        guard fd >= 0 else {
            throw DispatchError(.ledger, "\(path): cannot open the dispatcher lock file: \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {  // 0, or -1 with errno EWOULDBLOCK when held
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { return nil }
            throw DispatchError(.ledger, "\(path): cannot lock the dispatcher lock file: \(String(cString: strerror(code)))")
        }
        let line = "\(getpid())\t\(Date().timeIntervalSince1970)\t\(command.prefix(200))\n"
        let bytes = Array(line.utf8)
        // The holder line is advice for messages: a failure to write it does not weaken the lock.
        if ftruncate(fd, 0) == 0 { _ = pwrite(fd, bytes, bytes.count, 0) }
        return LedgerLock(path: path, descriptor: fd)
    }

    /// The holder of the ledger lock in `database` as it wrote itself into the file, if the file
    /// has a well-formed holder line (it says nothing about whether the lock is held now).
    public static func holder(of database: String) -> Holder? {
        guard let data = FileManager.default.contents(atPath: lockPath(for: database)), data.count < 4096 else {
            return nil
        }
        let fields = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
            .split(separator: "\t", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3, let pid = Int32(fields[0]), let seconds = Double(fields[1]) else { return nil }
        return Holder(pid: pid, since: Date(timeIntervalSince1970: seconds), command: String(fields[2]))
    }

    /// Whether some process holds the lock of the ledger in `database` now.
    ///
    /// - Throws: ``DispatchError`` `.ledger` when the lock file cannot be opened.
    public static func isHeld(for database: String) throws -> Bool {
        let path = lockPath(for: database)
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            if errno == ENOENT { return false }
            throw DispatchError(.ledger, "\(path): cannot open the dispatcher lock file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) != 0 { return errno == EWOULDBLOCK }
        flock(fd, LOCK_UN)
        return false
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
