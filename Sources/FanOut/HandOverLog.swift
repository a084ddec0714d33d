import Foundation
import Geo
import Participants
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// The ledger's write-ahead record of hand-overs: before the dispatcher hands a batch (or a round
/// of calls) to a provider, it appends the batch's keys here with one `write(2)`; once the ledger
/// has committed their `sent` states, the file is emptied.
///
/// After a kill at any moment, every key a provider may have taken is either `sent` in the ledger
/// or listed here; ``Dispatcher/resume(config:providers:deferredProviders:clock:ledger:options:metrics:logger:)``
/// marks the listed ones `sent` (in flight, outcome unknown) before anything else, so a later stop
/// or end never cancels a message that went out. A write to this file costs a system call, where a
/// ledger transaction per batch cost about 24 µs of CPU per message in the worst-case load test.
///
/// The file is `DB-handovers` beside the registry; one line per key (`action person kind`). A
/// line torn by a kill is ignored (its batch was not handed over: the write comes first).
final class HandOverLog: Sendable {
    /// The file.
    let path: String
    private let descriptor = Mutex<Int32?>(nil)

    /// The record of the ledger in `ledgerPath`: one per file, whatever spelling of its path.
    init(ledgerPath: String) { path = DatabaseHandle.companionPath(of: ledgerPath, suffix: "-handovers") }

    deinit { descriptor.withLock { fd in if let fd { close(fd) } } }

    /// Appends `keys` in one write.
    ///
    /// - Throws: ``DispatchError`` `.ledger` when the file cannot be opened or written.
    func append(_ keys: [MessageKey]) throws {
        guard !keys.isEmpty else { return }
        var text = ""
        text.reserveCapacity(keys.count * 24)
        for k in keys { text += "\(k.action.rawValue) \(k.person) \(k.kind.rawValue)\n" }
        try descriptor.withLock { stored in
            let fd: Int32
            if let open = stored {
                fd = open
            } else {
                fd = try open()
                stored = fd
            }
            let bytes = Array(text.utf8)
            var done = 0
            while done < bytes.count {
                let n = bytes[done...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }  // -1 and errno
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DispatchError(.ledger, "\(path): writing the hand-over record failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    /// Empties the file (the ledger holds every state it listed).
    ///
    /// - Throws: ``DispatchError`` `.ledger`.
    func clear() throws {
        try descriptor.withLock { fd in
            guard let fd else {
                guard FileManager.default.fileExists(atPath: path) else { return }
                guard truncate(path, 0) == 0 else { throw failure("emptying") }  // 0, or -1 with errno
                return
            }
            guard ftruncate(fd, 0) == 0 else { throw failure("emptying") }
        }
    }

    /// The keys the file lists (none when it is missing); a torn or malformed line is skipped.
    ///
    /// - Throws: ``DispatchError`` `.ledger` when it exists but cannot be read.
    func keys() throws -> [MessageKey] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        guard let data = FileManager.default.contents(atPath: path) else { throw failure("reading") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ")
            guard f.count == 3, let action = Int64(f[0]), let person = Int64(f[1]),
                let kind = MessageKind(rawValue: String(f[2]))
            else { return nil }
            return MessageKey(action: ActionID(rawValue: action), person: person, kind: kind)
        }
    }

    private func open() throws -> Int32 {
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644)  // -1 and errno
        guard fd >= 0 else { throw failure("opening") }
        return fd
    }

    private func failure(_ doing: String) -> DispatchError {
        DispatchError(.ledger, "\(path): \(doing) the hand-over record failed: \(String(cString: strerror(errno)))")
    }
}
