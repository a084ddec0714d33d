import ArgumentParser
import FanoutEngine
import Foundation

struct AreaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "area",
        abstract: "Check, repair and size action areas (for GIS staff).",
        subcommands: [AreaCheckCommand.self, AreaFixCommand.self, AreaSuggestCommand.self, AreaConvertCommand.self,
            AreaMapCommand.self,
        ])
}

extension MakeValidMethod: ExpressibleByArgument {}

/// Exit status for input that cannot be read at all (distinct from 1 = warnings, 2 = invalid).
let unreadableInputExit = ExitCode(3)

/// Prints the message and exits with ``unreadableInputExit``.
func failUnreadable(_ error: any Error) -> ExitCode {
    note("error: \(error)")
    return unreadableInputExit
}

/// The area file and how to read it: shared by `area check`, `area fix` and `area map`.
struct AreaInputOptions: ParsableArguments {
    @Argument(help: "The area file (GeoJSON, WKT, CAP or GeoPackage).")
    var file: String

    @Option(help: ArgumentHelp("CRS of WKT coordinates (default WGS84 lon,lat).", valueName: "EPSG:NNNN"))
    var crs: CRS?

    @Option(help: "GeoPackage input: the layer to read (default: its only polygon layer).")
    var layer: String?

    /// The file as a URL.
    var url: URL { URL(fileURLWithPath: file) }
}
