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

struct AreaCheckCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report everything about an action area: validity, vertices, likely mistakes, size, countries.",
        discussion: """
            Reads GeoJSON, WKT, CAP or GeoPackage (as 'fanout select --polygon'; a layer or FeatureCollection with \
            several features needs --feature ID or --all-features, the union of all). Reports GEOS validity with the \
            reason and the location of the defect (lon/lat and RD New), ring orientation (RFC 7946 wants \
            counter-clockwise shells and clockwise holes: a warning), consecutive vertices closer than 1 cm, spikes \
            (edges meeting at less than 1°), swapped lat/lon, RD metres given as degrees, an area larger than 4 × \
            the largest suggested circle for --incident-type, area, perimeter, bounding boxes, vertex count and the \
            countries (NL, BE, DE) the area touches. The Dutch municipalities the area crosses, with the share of \
            the area in each (CBS 2023, generalised: boundaries typically within 20 m, 90% within 130 m). With --db: \
            the participants inside per country and how long reaching the last one takes at BE-Alert rates (everyone \
            by SMS at 100/s; voice and e-mail alone are listed too); with fewer than 10 inside, the distance and \
            direction of the nearest participant outside.

            Exit status: 0 valid, 1 valid with warnings, 2 invalid or unusable (the engine would refuse it) or an \
            unknown --incident-type, 3 the file (or the registry, the travel-radius table) cannot be read.
            """)

    @OptionGroup var input: AreaInputOptions

    @Option(help: ArgumentHelp("A registry: count the participants inside.", valueName: "FILE"))
    var db: String?

    @Option(
        help: ArgumentHelp(
            "Compare the size with the travel-radius table for this incident type (for example missing-child).",
            valueName: "TYPE"))
    var incidentType: String?

    @Option(
        help: ArgumentHelp(
            "The travel-radius table (default: travel-radius.csv in FANOUT_DATA_DIR, else bundled).", valueName: "FILE")
    )
    var table: String?

    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        let inspector = try AreaInspector(data: commandData)
        let area = try inspector.read(
            contentsOf: input.url, crs: input.reading.crs, layer: input.reading.layer, features: input.reading.features)
        let warned = warnAboutReading(area)
        var travel: TravelRadiusTable?
        if incidentType != nil {
            travel = try TravelRadiusTable.load(from: table.map { URL(fileURLWithPath: $0) }, data: commandData)
        }
        var engine: Engine?
        if let db {
            try requireRegistry(db, create: "create one with 'fanout import'")
            engine = try Engine.open(registryAt: db, readOnly: true, data: commandData)
        }
        let report = try inspector.check(area, incidentType: incidentType, table: travel, engine: engine)
        if json { try JSONOutput.print(.areaCheck, report) } else { print(report.humanText(), terminator: "") }
        if report.exitStatus > 1 { throw CommandFailure(.refused) }
        if report.exitStatus == 1 || warned { throw CommandFailure(.warnings) }
    }
}
