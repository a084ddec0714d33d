import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic

/// A child process started with `posix_spawn`, its output appended to a file; ``stop()`` ends it
/// (SIGTERM, then SIGKILL) and reaps it exactly once, also from `deinit`.
///
/// Not Foundation's `Process`: its children inherit the test runner's blocked signals, so SIGTERM
/// did not stop Kannel (each stop waited 5 s for the SIGKILL). Here the child starts with no
/// signal blocked and every signal at its default.
final class ChildProcess {
    let pid: pid_t
    private var reaped = false

    /// Starts `path` with `arguments`, stdin from /dev/null, stdout and stderr to `output`.
    init(_ path: String, _ arguments: [String], output: URL) throws {
        var actions = posix_spawn_file_actions_t()
        guard posix_spawn_file_actions_init(&actions) == 0 else {
            throw KannelPeerError("posix_spawn_file_actions_init failed")
        }
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Each returns 0 or an error number.
        guard posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0) == 0,
            posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_APPEND, 0o644) == 0,
            posix_spawn_file_actions_adddup2(&actions, 1, 2) == 0
        else { throw KannelPeerError("posix_spawn file actions failed") }
        // The test runner blocks or ignores some signals; the child starts with none blocked and
        // every signal at its default (else SIGTERM would not stop Kannel).
        var attributes = posix_spawnattr_t()
        guard posix_spawnattr_init(&attributes) == 0 else { throw KannelPeerError("posix_spawnattr_init failed") }
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        var all = sigset_t()
        guard sigemptyset(&none) == 0, sigfillset(&all) == 0,  // 0, or -1 with errno
            posix_spawnattr_setsigmask(&attributes, &none) == 0,
            posix_spawnattr_setsigdefault(&attributes, &all) == 0,
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) == 0
        else { throw KannelPeerError("posix_spawnattr signal settings failed") }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let r = posix_spawn(&pid, path, &actions, &attributes, argv, environ)  // 0, or an error number
        guard r == 0 else { throw KannelPeerError("cannot start \(path): \(String(cString: strerror(r)))") }
        self.pid = pid
    }

    deinit { stop() }

    /// Whether it has exited (reaping it if so); `status` is its wait status.
    func poll() -> (exited: Bool, status: Int32) {
        if reaped { return (true, 0) }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)  // pid when exited, 0 while running, -1 with errno
        if r == pid || (r < 0 && errno == ECHILD) {
            reaped = true
            return (true, status)
        }
        return (false, 0)
    }

    /// SIGTERM, up to 5 s to exit, then SIGKILL; reaps it.
    func stop() {
        guard !poll().exited else { return }
        _ = kill(pid, SIGTERM)  // 0, or -1 if it is gone: the wait below tells
        let deadline = ContinuousClock.now + .seconds(5)
        while !poll().exited, ContinuousClock.now < deadline { usleep(5_000) }
        guard !poll().exited else { return }
        _ = kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}  // blocks until the kill lands
        reaped = true
    }
}
