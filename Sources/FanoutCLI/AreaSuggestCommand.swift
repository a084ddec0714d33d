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

struct AreaSuggestCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "suggest",
        abstract: "Suggest a circle radius from the incident type, travel mode and time since the incident.",
        discussion: """
            radius = typical speed × minutes, capped, from travel-radius.csv in FANOUT_DATA_DIR, else the copy \
            bundled with fanout (or --table FILE, columns incident_type,mode,speed_kmh,cap_m). The speeds are \
            assumptions for the control room to tune; data/travel-radius.md says where they come from. With --at the \
            circle is printed as a 'fanout select --circle' argument. An incident type or mode the table lacks is \
            refused (exit 2, the valid ones listed); minutes out of 0...1440 are a usage error (64).
            """)

    @Option(help: ArgumentHelp("Incident type, for example missing-child.", valueName: "TYPE"))
    var incidentType: String

    @Option(help: ArgumentHelp("How the person sought travels.", valueName: "foot|bicycle|scooter|car"))
    var mode: String

    @Option(help: ArgumentHelp("Minutes since the incident.", valueName: "MINUTES"))
    var minutes: Double

    @Option(help: ArgumentHelp("The incident point, for a ready-made --circle argument.", valueName: "LON,LAT"))
    var at: LonLatArgument?

    @Option(
        help: ArgumentHelp(
            "The travel-radius table (default: travel-radius.csv in FANOUT_DATA_DIR, else bundled).", valueName: "FILE")
    )
    var table: String?

    @Flag(help: JSONOutput.flagHelp())
    var json = false
    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if let at, let problem = ServiceRegion.problem(with: at.value) { throw ValidationError("--at: \(problem)") }
    }

    func run() throws {
        let t = try TravelRadiusTable.load(from: table.map { URL(fileURLWithPath: $0) }, data: commandData)
        let s = try t.suggest(incidentType: incidentType, mode: mode, minutes: minutes)
        let circle = at.map { "\($0.value.lon),\($0.value.lat),\(Int(s.radiusMeters.rounded()))" }
        if json { return try JSONOutput.print(.areaSuggest, s, adding: ["circle": circle, "table": t.source]) }
        print(s.summary)
        if let circle { print("fanout select --circle \(circle)") }
    }
}
