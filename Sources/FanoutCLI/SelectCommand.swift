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

struct SelectCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "select",
        abstract: "List the participants inside an action area, farthest from the incident first.",
        discussion: """
            Give the area as --circle LON,LAT,RADIUS_M (a closed disc in RD New metres around the incident point) or \
            --polygon FILE (GeoJSON Polygon/MultiPolygon/Feature/FeatureCollection, WKT, a CAP 1.2/1.1 alert with \
            one polygon area, or a GeoPackage layer). A layer or FeatureCollection with several features is refused \
            with a list of them: choose one with --feature ID (GeoPackage fid, GeoJSON id) or take their union with \
            --all-features. Points on the boundary are inside; holes are respected. An invalid polygon is refused \
            with GEOS's reason and location, never repaired.

            Output (standard output or --out): CSV participant_id,distance_m,country, outside-in (equal distances by \
            id ascending), or --format geojson; --gpkg FILE also writes a GeoPackage point layer 'participants' \
            (participant_id, rank, distance_m, country; no contact details). A summary goes to standard error.

            Positions next to participant ids are home addresses: GeoJSON and GeoPackage output give the centre of \
            each participant's 250 m RD New cell (floor(x/250)*250+125, the same for y, back to WGS84), and say so \
            (GeoJSON member "fanout:positions", the layer's description in gpkg_contents). --exact-positions writes \
            the registered positions.

            Output files: \(outputFilesHelp)
            """)

    @Option(help: ArgumentHelp("The registry database.", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("Circle: centre lon,lat and radius in metres.", valueName: "LON,LAT,RADIUS_M"))
    var circle: CircleArgument?

    @Option(help: ArgumentHelp("Polygon file (GeoJSON, WKT, CAP or GeoPackage).", valueName: "FILE"))
    var polygon: String?

    @OptionGroup(title: "Reading the --polygon file")
    var reading: AreaReadOptions

    @Option(
        help: ArgumentHelp(
            "Incident point for the order (default: circle centre or polygon centroid).", valueName: "LON,LAT"))
    var incident: LonLatArgument?

    @Option(
        help: "Distance: rd (RD New metres) or geodesic (on the WGS84 ellipsoid, exact far from Amersfoort).")
    var distance: SelectionRequest.Distance = .rdNew

    @Option(help: ArgumentHelp("Only participants of these countries (ISO 3166-1 alpha-2).", valueName: "NL,BE,..."))
    var country: CountryList?

    @Option(help: "Output format.")
    var format: SelectionFormat = .csv

    @Option(
        help: ArgumentHelp(
            "Write to this file (atomically; a FIFO or device in place) instead of standard output.", valueName: "FILE")
    )
    var out: String?

    @Option(
        help: ArgumentHelp("Also write the selection as a GeoPackage point layer (lon/lat).", valueName: "FILE.gpkg"))
    var gpkg: String?

    @Flag(help: "Write exact home positions in GeoJSON/GeoPackage output (default: 250 m cell centres).")
    var exactPositions = false

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        guard (circle == nil) != (polygon == nil) else {
            throw ValidationError("give exactly one of --circle LON,LAT,RADIUS_M and --polygon FILE")
        }
        if polygon == nil, let option = reading.given.first {
            throw ValidationError("\(option) applies to --polygon only")
        }
    }

    func run() throws {
        try requireRegistry(db, create: "create one with 'fanout import'")
        let inputs = [OutputTarget.Input("--db registry", db)] + (polygon.map { [.init("--polygon file", $0)] } ?? [])
        let outTarget = try out.map { try checkOutput($0, inputs: inputs) }
        let gpkgTarget = try gpkg.map {
            try checkOutput(
                $0, option: "--gpkg", kind: .geoPackage,
                inputs: inputs + (out.map { [.init("--out file", $0)] } ?? []))
        }
        let engine = try Engine.open(registryAt: db, readOnly: true, data: commandData)
        let area: SelectionRequest.Area
        var warned = false
        if let circle {
            area = .circle(center: circle.center, radiusMeters: circle.radiusMeters)
        } else if let polygon {
            let geometry = try engine.readArea(
                contentsOf: URL(fileURLWithPath: polygon), crs: reading.crs, layer: reading.layer,
                features: reading.features)
            warned = warnAboutReading(geometry)
            area = .polygon(geometry)
        } else {
            throw ValidationError("no area given")
        }
        let result = try engine.select(
            SelectionRequest(area: area, incident: incident?.value, distance: distance, countries: country?.codes))
        let positions: PositionPrecision = exactPositions ? .exact : .coarsened
        if let outTarget {
            let writer = try AtomicFileWriter(target: outTarget)
            try engine.write(result, as: format, positions: positions, to: { try writer.write($0) })
            try writer.commit()
        } else {
            try engine.write(result, as: format, positions: positions, to: { try StandardOutput.write($0) })
        }
        note(Summary.line(result))
        if let gpkg, let gpkgTarget {
            let start = ContinuousClock.now
            try engine.writeGeoPackage(result, to: gpkgTarget, positions: positions)
            let d = (ContinuousClock.now - start).components
            let seconds = Double(d.seconds) + Double(d.attoseconds) * 1e-18
            note("wrote \(gpkg): \(grouped(result.participants.count)) points in \(duration(seconds))")
        }
        if warned { throw CommandFailure(.warnings) }
    }
}

/// The one-line summary of a selection printed on stderr.
enum Summary {
    static func line(_ result: SelectionResult) -> String {
        let counts = result.countsByCountry.map { "\($0.country) \(grouped($0.count))" }.joined(separator: ", ")
        var text = "selected \(grouped(result.participants.count)) participants"
        if !counts.isEmpty { text += " (\(counts))" }
        text += " in \(duration(result.seconds))"
        if result.distance == .geodesic { text += "; distances geodesic (WGS84 ellipsoid)" }
        if result.incidentSource == .centroid {
            text += "; incident point: polygon centroid (give --incident LON,LAT to set it)"
        }
        return text
    }
}
