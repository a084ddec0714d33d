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

struct AreaMapCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "map",
        abstract: "Draw an action area as a map picture (SVG, or PNG through rsvg-convert).",
        discussion: """
            Draws, in RD New (grid north up) with the area plus a margin: the country territories and national \
            borders (OpenStreetMap), the Dutch municipalities with their names where they fit (CBS 2023, \
            generalised), the area outline (holes shown), the incident point (--incident, else the area's centroid), \
            a scale bar with a round length and a north arrow pointing to true north. With --db: the participants \
            inside as a density layer (counts per grid cell) and a legend with the counts per country and the total. \
            No web tiles: everything comes from the engine's own data.

            --out FILE.svg writes SVG; --out FILE.png (or --png FILE) writes a PNG through rsvg-convert (Debian \
            package librsvg2-bin), which must be installed.

            Output files: \(outputFilesHelp)

            Exit status: 0 written, 2 the area is invalid or unusable (check it with 'fanout area check') or an \
            output that may not be written, 3 the file cannot be read, 64 bad arguments, 70 the map cannot be \
            written (or rsvg-convert is missing or fails).
            """)

    @OptionGroup var input: AreaInputOptions

    @Option(help: ArgumentHelp("Where to write the map: .svg, or .png (through rsvg-convert).", valueName: "FILE"))
    var out: String?

    @Option(help: ArgumentHelp("Also (or only) write a PNG here (through rsvg-convert).", valueName: "FILE.png"))
    var png: String?

    @Option(
        help: ArgumentHelp("A registry: draw the participants inside and count them per country.", valueName: "FILE"))
    var db: String?

    @Option(help: ArgumentHelp("The incident point (default: the area's centroid).", valueName: "LON,LAT"))
    var incident: LonLatArgument?

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard out != nil || png != nil else { throw ValidationError("give --out FILE.svg|FILE.png or --png FILE.png") }
        if let out {
            let ext = URL(fileURLWithPath: out).pathExtension.lowercased()
            guard ext == "svg" || ext == "png" else {
                throw ValidationError("--out \(out): the name must end in .svg or .png (got '.\(ext)')")
            }
        }
        if let png, URL(fileURLWithPath: png).pathExtension.lowercased() != "png" {
            throw ValidationError("--png \(png): the name must end in .png")
        }
    }

    /// The --out and --png files, checked against the inputs and each other.
    func targets() throws -> [OutputTarget] {
        var inputs = [OutputTarget.Input("input file", input.file)] + (db.map { [.init("--db registry", $0)] } ?? [])
        var targets: [OutputTarget] = []
        for (option, path) in [("--out", out), ("--png", png)] {
            guard let path else { continue }
            let png = URL(fileURLWithPath: path).pathExtension.lowercased() == "png"
            targets.append(try checkOutput(path, option: option, kind: png ? .rendered : .stream, inputs: inputs))
            inputs.append(.init("\(option) file", path))
        }
        return targets
    }

    @Flag(help: JSONOutput.flagHelp())
    var json = false

    func run() throws {
        let targets = try targets()
        let inspector = try AreaInspector(data: commandData)
        let area = try inspector.read(
            contentsOf: input.url, crs: input.reading.crs, layer: input.reading.layer, features: input.reading.features)
        let warned = warnAboutReading(area)
        var engine: Engine?
        if let db {
            try requireRegistry(db, create: "create one with 'fanout import'")
            engine = try Engine.open(registryAt: db, readOnly: true, data: commandData)
        }
        let map: AreaMap
        do { map = try inspector.map(area, engine: engine, incident: incident?.value) } catch let e as SelectionError {
            // The message names the file already.
            throw CommandFailure(.refused, "\(e.message) (see 'fanout area check \(input.file)')")
        }
        var written: [String] = []
        for target in targets {
            if target.kind == .rendered {
                try map.writePNG(to: target)
            } else {
                try map.writeSVG(to: target)
            }
            written.append(target.path)
        }
        if json { try JSONOutput.print(.areaMap, map, adding: ["source": input.file, "written": written]) }
        var summary = "\(input.file): \(DecimalFormat.string(map.areaKm2, decimals: 2)) km²"
        if let d = map.density {
            let per = d.byCountry.map { "\($0.country) \($0.count)" }.joined(separator: ", ")
            summary += ", \(d.total) participants inside" + (per.isEmpty ? "" : " (\(per))")
        }
        if !json { print(summary + "; written: " + written.joined(separator: ", ")) }
        for problem in map.problems { note("note: \(problem)") }
        if map.incidentOutsideMeters > 0 {
            note(
                "note: the incident point (\(map.incident.source)) lies \(Int(map.incidentOutsideMeters.rounded())) m "
                    + "outside the area")
        }
        if warned { throw CommandFailure(.warnings) }
    }
}
