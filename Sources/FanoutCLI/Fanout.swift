import ArgumentParser
import FanoutEngine
import Foundation

@main
struct Fanout: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fanout",
        abstract: "Select the registered participants inside an action area, outside-in.",
        discussion: """
            fanout keeps a registry of citizen-alert participants in an embedded SQLite database and
            answers, for a circle or polygon drawn by a control room, who is inside it: farthest from
            the incident first, so the search closes in.

            Coordinates are WGS84 lon,lat unless --crs says otherwise; distances are RD New metres.

            Output files are checked before anything is done: \(outputFilesHelp)
            """,
        subcommands: [
            DemoCommand.self, ImportCommand.self, GenerateCommand.self, SelectCommand.self, LoadTestCommand.self,
            AreaCommand.self, ActionCommand.self,
        ])

    /// Parses, runs the command, and exits through ``finish(_:)``.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
            finish(nil)
        } catch {
            finish(error)
        }
    }

    /// Ends the process after a command: a failed write of standard output turns success into
    /// "cannot write standard output: …" and a non-zero exit; an ``OutputError`` is mapped by
    /// ``exitError(for:)``; everything else exits as ArgumentParser does.
    static func finish(_ error: (any Error)?) -> Never {
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
        exit(withError: (error as? OutputError).map(exitError(for:)) ?? error)
    }
}
