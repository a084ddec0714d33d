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
import Synthetic

/// The exit statuses of every fanout command: one scheme, documented in `fanout help` and the README.
enum ExitStatus: Int32, CaseIterable {
    /// Done.
    case done = 0
    /// Done, with warnings (on standard error).
    case warnings = 1
    /// The input was read but refused.
    case refused = 2
    /// The input cannot be read.
    case unreadable = 3
    /// A command-line usage error (the only status that prints the usage text).
    case usage = 64
    /// An internal error: SQLite or other I/O failures, a failed write, anything unexpected.
    case internalError = 70

    /// The status for a failure of `kind`.
    init(_ kind: FailureKind) {
        switch kind {
        case .refused: self = .refused
        case .unreadable: self = .unreadable
        case .usage: self = .usage
        case .internalFailure: self = .internalError
        }
    }

    /// The scheme, for the root command's `--help` and the README.
    static let help = """
        Exit status, the same for every command: 0 done; 1 done with warnings; 2 the input was read but refused (an \
        invalid or unusable area, an area file whose feature or layer must be chosen, the confirmation threshold, an \
        action state that does not allow the command, an unknown action, another process holding the ledger that \
        refuses the command, an output path that may not be written, such as an input or a registry); 3 an input \
        cannot be read (a missing file, a parse error, a file that is not a registry, an unknown EPSG code, a bad \
        configuration or data file); 64 a command-line usage error (only then is the usage text printed); 70 an \
        internal error (SQLite or another I/O failure, a failed write, an unexpected error). A closed standard \
        output ('| head') ends a command quietly with 141.
        """
}

/// A failure a command ends with: its status, and the message printed on standard error
/// (`nil` when the command printed it already).
struct CommandFailure: Error, CustomStringConvertible {
    var status: ExitStatus
    var message: String?

    init(_ status: ExitStatus, _ message: String? = nil) {
        self.status = status
        self.message = message
    }

    var description: String { message ?? "exit status \(status.rawValue)" }

    /// The failure a command ends with for `error`: its kind's status and its text, with the
    /// command-line hint of ``ErrorHints`` for a library error.
    ///
    /// A closed pipe ends quietly with 141 (128 + SIGPIPE, what a shell shows after `| head`).
    static func from(_ error: any Error) -> any Error {
        if let e = error as? CommandFailure { return e }
        // ArgumentParser's own errors (help, parse errors, ExitCode, CleanExit) end as it says.
        if error is ValidationError || Fanout.exitCode(for: error) != .failure { return error }
        if let e = error as? OutputError, e.errno == EPIPE { return ExitCode(128 + SIGPIPE) }
        let kind = FailureKind(of: error)
        if kind == .usage { return ValidationError(ErrorHints.text(of: error)) }
        return CommandFailure(ExitStatus(kind), ErrorHints.text(of: error))
    }
}

/// Ends the process for a command's `error` (see ``ExitStatus``).
///
/// A ``ValidationError`` (a usage error) prints the message and `command`'s usage and exits with
/// 64, as ArgumentParser does for errors found while parsing; an `ExitCode` exits silently; every
/// other error prints `error: MESSAGE` and exits with its kind's status.
func endCommand(with error: any Error, command: any ParsableCommand.Type) -> Never {
    switch CommandFailure.from(error) {
    case let e as CommandFailure:
        if let message = e.message { note("error: \(message)") }
        exit(e.status.rawValue)
    case let e as ValidationError:
        var usage = Fanout.usageString(for: command)
        if !usage.isEmpty { usage = "\nUsage: " + usage.replacingOccurrences(of: "\n", with: "\n       ") }
        let name = Fanout.commandPath(of: command)
        note("Error: \(e.message)\(usage)\n  See '\(name) --help' for more information.")
        exit(ExitStatus.usage.rawValue)
    case let e:
        Fanout.exit(withError: e)
    }
}

/// Checks that the registry `db` exists.
///
/// - Parameter create: How to make one, for the message (e.g. "create one with 'fanout import'").
/// - Throws: ``CommandFailure`` `.unreadable` (a missing input file) naming `--db` and the path.
func requireRegistry(_ db: String, create: String? = nil) throws {
    guard FileManager.default.fileExists(atPath: db) else {
        throw CommandFailure(.unreadable, "--db \(db): no such registry" + (create.map { " (\($0))" } ?? ""))
    }
}

/// Ends a check in `validate()` that is not a usage error (a refused output path, say): prints
/// `error: MESSAGE` and returns the `ExitCode` of its kind, which ArgumentParser exits with
/// silently (an error of another type thrown while parsing would exit with 1).
func failDuringValidation(_ error: any Error) -> any Error {
    guard case let failure as CommandFailure = CommandFailure.from(error) else { return error }
    if let message = failure.message { note("error: \(message)") }
    return ExitCode(failure.status.rawValue)
}
