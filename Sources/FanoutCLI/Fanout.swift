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

@main
struct Fanout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Select the registered participants inside an action area, outside-in.",
        discussion: """
            fanout keeps a registry of citizen-alert participants in an embedded SQLite database and answers, for a \
            circle or polygon drawn by a control room, who is inside it: farthest from the incident first, so the \
            search closes in.

            Coordinates are WGS84 lon,lat unless --crs says otherwise; distances are RD New metres.

            Output files are checked before anything is done: \(outputFilesHelp)

            \(ExitStatus.help)
            """,
        subcommands: [
            DemoCommand.self, ImportCommand.self, GenerateCommand.self, SelectCommand.self, LoadTestCommand.self,
            AreaCommand.self, ActionCommand.self, ServeCommand.self, VersionCommand.self,
        ])

    @Flag(help: "Print the version, the commit, the GEOS, PROJ and SQLite versions and the data files' SHA-256.")
    var version = false

    /// `fanout --version` prints what `fanout version` prints; `fanout` alone prints the help.
    func run() throws {
        guard version else { throw CleanExit.helpRequest(self) }
        try VersionCommand.printIdentity(json: false)
    }

    /// Parses (a parse error exits as ArgumentParser does: 64 with the usage), bootstraps the log
    /// with the command's ``LogOptions``, runs the command, and exits through ``finish(_:command:)``.
    static func main() {
        var command: any ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        ((command as? any LoggingCommand)?.logging ?? (try? LogOptions.parse([])))?.bootstrap()
        do {
            try command.run()
            finish(nil, command: type(of: command))
        } catch {
            finish(error, command: type(of: command))
        }
    }

    /// Ends the process after a command: a failed write of standard output turns success into
    /// "cannot write standard output: …" and a non-zero exit; every error exits with the status
    /// of its kind (see ``ExitStatus``).
    static func finish(_ error: (any Error)?, command: any ParsableCommand.Type) -> Never {
        var error = error
        if let code = error as? ExitCode, code.isSuccess { error = nil }
        do { try StandardOutput.check() } catch let e as OutputError {
            if error == nil {
                error = e
            } else if e.errno != EPIPE, (error as? OutputError)?.message != e.message {
                note("error: \(e.message)")
            }
        } catch {}
        guard let error else { Self.exit() }
        endCommand(with: error, command: command)
    }

    /// The words that run `command`, e.g. `fanout action start`.
    static func commandPath(of command: any ParsableCommand.Type) -> String {
        func path(_ type: any ParsableCommand.Type, _ prefix: [String]) -> [String]? {
            let here = prefix + [type._commandName]
            if type == command { return here }
            for sub in type.configuration.subcommands {
                if let found = path(sub, here) { return found }
            }
            return nil
        }
        return (path(Self.self, []) ?? ["fanout"]).joined(separator: " ")
    }
}
