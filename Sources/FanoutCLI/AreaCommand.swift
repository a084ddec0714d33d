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

struct AreaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "area",
        abstract: "Check, repair and size action areas (for GIS staff).",
        subcommands: [
            AreaCheckCommand.self, AreaFixCommand.self, AreaSuggestCommand.self, AreaConvertCommand.self,
            AreaMapCommand.self,
        ])
}

extension MakeValidMethod: ExpressibleByArgument {}

/// How to read an area file: the CRS of WKT, the GeoPackage layer, which features make the area.
///
/// Shared by every command that reads one (`area check|fix|convert|map`, `select --polygon`).
struct AreaReadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("CRS of WKT coordinates (default: WGS84 lon,lat).", valueName: "EPSG:NNNN"))
    var crs: CRS?

    @Option(
        help: ArgumentHelp("GeoPackage input: the layer to read (default: its only polygon layer).", valueName: "NAME"))
    var layer: String?

    @Option(
        help: ArgumentHelp(
            "A layer or FeatureCollection with several features: use the one with this id (GeoPackage fid, "
                + "GeoJSON id).", valueName: "ID"))
    var feature: FeatureID?

    @Flag(help: "A layer or FeatureCollection with several features: use the union of all of them as one area.")
    var allFeatures = false

    func validate() throws {
        if feature != nil && allFeatures {
            throw ValidationError("give --feature ID or --all-features, not both")
        }
    }

    /// Which features make the area.
    var features: FeatureChoice {
        if let feature { return .id(feature) }
        return allFeatures ? .all : .single
    }

    /// The options given, as typed, for the messages that say where an option applies.
    var given: [String] {
        (crs == nil ? [] : ["--crs"]) + (layer == nil ? [] : ["--layer"]) + (feature == nil ? [] : ["--feature"])
            + (allFeatures ? ["--all-features"] : [])
    }
}

/// The area file and how to read it: shared by `area check`, `area fix` and `area map`.
struct AreaInputOptions: ParsableArguments {
    @Argument(help: "The area file (GeoJSON, WKT, CAP or GeoPackage).")
    var file: String

    @OptionGroup var reading: AreaReadOptions

    /// The file as a URL.
    var url: URL { URL(fileURLWithPath: file) }
}

extension FeatureID: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
