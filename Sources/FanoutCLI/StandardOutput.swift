import ArgumentParser
import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synchronization
import Synthetic

/// Standard output and standard error, written with `write(2)` so that a failed write is noticed.
///
/// Swift's `print` ignores write errors and `FileHandle.write(_:)` traps on them: a full disk, an
/// I/O error or `> /dev/full` either lost the output silently (exit 0) or crashed. Here a failed
/// write of standard output is remembered (the first one) and ends the command with
/// "cannot write standard output: REASON" and a non-zero exit (see ``Fanout/finish(_:)``). A
/// closed pipe (`| head`) ends it quietly with status 141, as SIGPIPE would.
enum StandardOutput {
    /// The `errno` of the first failed write of standard output.
    private static let failure = Mutex<Int32?>(nil)

    /// Writes `bytes` to standard output.
    ///
    /// - Throws: ``OutputError`` `.writeFailed` ("cannot write standard output: …") at the first
    ///   failure and on every write after it.
    static func write(_ bytes: ArraySlice<UInt8>) throws {
        if let code = failure.withLock({ $0 }) { throw error(code) }
        let code = bytes.withUnsafeBytes { RawWrite.all(STDOUT_FILENO, $0) }
        if code != 0 {
            record(code)
            throw error(code)
        }
    }

    /// Writes `text` to standard output; a failure is remembered for ``check()``, later text dropped.
    static func print(_ text: String) {
        do { try write(Array(text.utf8)[...]) } catch {}
    }

    /// Throws the remembered failure, if standard output could not be written.
    ///
    /// - Throws: ``OutputError`` `.writeFailed` with the failed write's `errno`.
    static func check() throws {
        if let code = failure.withLock({ $0 }) { throw error(code) }
    }

    private static func record(_ code: Int32) {
        failure.withLock { if $0 == nil { $0 = code } }
    }

    private static func error(_ code: Int32) -> OutputError {
        OutputError(.writeFailed, "cannot write standard output: \(String(cString: strerror(code)))", errno: code)
    }
}

/// This module's `print`: it shadows `Swift.print` (same signature, so every `print` in the
/// commands resolves here) and writes through ``StandardOutput``, so no command can lose its
/// output without an error.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    StandardOutput.print(items.map { "\($0)" }.joined(separator: separator) + terminator)
}

/// Writes a line to standard error, never over the progress bar (see ``TerminalWriter``; a
/// failure there cannot be reported anywhere and is ignored).
func note(_ text: String) {
    TerminalWriter.standardError.line(text)
}

// MARK: - Output files

/// Checks an output file of a command (see ``OutputTarget``).
///
/// - Throws: ``OutputError`` `.refused` (exit 2, see ``ExitStatus``) with the reason, naming the
///   option and the path, when the target may not be written.
func checkOutput(
    _ path: String, option: String = "--out", kind: OutputTarget.Kind = .stream, inputs: [OutputTarget.Input] = []
) throws -> OutputTarget {
    try OutputTarget.check(path, option: option, kind: kind, inputs: inputs)
}

/// The rule for output files, for the `--help` of the commands that write them.
let outputFilesHelp = """
    a regular file is written to a temporary file beside it and renamed over it when complete; a FIFO or character \
    device (/dev/null, mkfifo) is written in place, /dev/stdout and /dev/fd/N through the open descriptor (so '>> \
    log' appends); a GeoPackage or PNG needs a regular file. Refused, with nothing written: a file the command reads \
    (compared by device and inode, so also through symbolic links and hard links), any SQLite database such as a \
    registry (a GeoPackage output may replace a GeoPackage), a directory, and other special files. A failed write, \
    also of standard output, is an error with a non-zero exit.
    """
