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

struct AreaFixCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "fix",
        abstract: "Repair an invalid area with GEOS MakeValid and write it to a new file.",
        discussion: """
            --method structure (default) rebuilds shells and holes (collapsed parts dropped); --method linework \
            keeps every edge (a bowtie becomes two triangles, a spike a line). Only polygonal parts are written; \
            anything else MakeValid returns is dropped and named. The output is GeoJSON, or WKT, GeoPackage or CAP \
            1.2 when --out ends in .wkt, .gpkg or .cap, in the input's CRS (CAP: WGS84).

            Output file: \(outputFilesHelp)

            Exit status: 0 the output is valid, 2 nothing polygonal is left or still invalid, or the output may not \
            be written (it is an input, a database), 3 the input cannot be read, 70 the output cannot be written.
            """)

    @OptionGroup var input: AreaInputOptions

    @Option(
        help: ArgumentHelp("Where to write the repaired area (.geojson/.json, .wkt, .gpkg or .cap).", valueName: "FILE")
    )
    var out: String

    @Option(help: "MakeValid method.")
    var method: MakeValidMethod = .structure

    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        let format = AreaFormat(pathExtension: URL(fileURLWithPath: out).pathExtension) ?? .geojson
        let target = try checkOutput(
            out, kind: format == .gpkg ? .geoPackage : .stream, inputs: [.init("input file", input.file)])
        let fixer = try AreaFixer(data: commandData)
        let area = try fixer.read(
            contentsOf: input.url, crs: input.reading.crs, layer: input.reading.layer, features: input.reading.features)
        let warned = warnAboutReading(area)
        let (fixed, report) = try fixer.fix(area, method: method)
        if !report.empty {
            _ = try AreaConverter(data: commandData).write(
                fixed, to: target, as: format,
                areaDesc: URL(fileURLWithPath: out).deletingPathExtension().lastPathComponent)
        }
        if json {
            try JSONOutput.print(.areaFix, report, adding: ["output": report.empty ? nil : out])
        } else {
            print(report.humanText(out: report.empty ? nil : out), terminator: "")
        }
        if report.empty || !report.validAfter { throw CommandFailure(.refused) }
        if warned { throw CommandFailure(.warnings) }
    }
}
