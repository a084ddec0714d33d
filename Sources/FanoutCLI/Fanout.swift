import ArgumentParser
import FanoutEngine

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
            """,
        subcommands: [
            DemoCommand.self, ImportCommand.self, GenerateCommand.self, SelectCommand.self, LoadTestCommand.self,
            AreaCommand.self, ActionCommand.self,
        ])
}
