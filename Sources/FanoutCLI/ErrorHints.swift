import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// The command-line way out of a library error: the flags and commands that fix it.
///
/// Library messages say what is wrong and what the choices are in the library's terms
/// (`FeatureChoice.id`, `ImportOptions.crs`); a service has no flags. This is the one place that
/// adds the `fanout` command's own words to every error a command ends with: the flag an error's
/// field stands for before the message (``flag(for:)``), and after it a hint by the error's code
/// and field, and one per remedy the error carries (``ErrorRemedy``).
enum ErrorHints {
    /// The flag each library argument is given with, by the field name an error's location uses.
    static let flags: [String: String] = ["crs": "--crs", "output": "--out", "layerName": "--layer-name"]

    /// What goes before the message of an error about an argument the command gave from a flag:
    /// `--crs: ` before a message about the CRS given (which names no place), `--out ` before one
    /// that starts with the output path; `nil` for other errors.
    static func flag(for error: any Error) -> String? {
        guard let error = error as? any FanoutError, let location = error.location, location.line == nil,
            let field = location.field, let flag = flags[field]
        else { return nil }
        guard let input = location.input else { return flag + ": " }
        return error.message.hasPrefix(input) ? flag + " " : nil
    }

    /// The hint for `error`, or `nil` when its message needs none.
    static func hint(for error: any Error) -> String? {
        guard let error = error as? any FanoutError else { return nil }
        let field = error.location?.field
        let remedies = error.remedies.map(text(of:))
        switch error.code.id {
        case "geo.featureChoice":
            return "with fanout: --feature FID or --feature ID chooses one feature ('#N' by position), "
                + "--all-features takes their union; choose one with --layer NAME for a GeoPackage layer"
        case "geo.parse" where field == "layer":
            return "with fanout: --layer applies to a GeoPackage (.gpkg) FILE only"
        case "registry.input" where error.location?.line == 1 && ["id", "lon", "lat", "crs"].contains(field):
            return "with fanout import: give the CRS of columns x,y with --crs EPSG:NNNN"
        case "registry.olderSchema":
            return "with fanout: a writing command (fanout import, fanout action run) upgrades it"
        case "areaTool.badArgument" where field == "output":
            return "with fanout: give the format with --to geojson|wkt|cap|gpkg"
        default:
            return remedies.isEmpty ? nil : "with fanout: " + remedies.joined(separator: "; ")
        }
    }

    /// A remedy in the command's words.
    static func text(of remedy: ErrorRemedy) -> String {
        switch remedy {
        case .giveCRS(let crs?): "give the CRS with --crs \(crs)"
        case .giveCRS(nil): "give the CRS with --crs EPSG:NNNN"
        case .dropCRS: "leave out --crs"
        case .selectCircle(let lon, let lat, let metres?):
            "--circle \(lon),\(lat),\(Int(exactly: metres.rounded()).map(String.init) ?? "\(metres)") "
                + "(LON,LAT,RADIUS_M: radius in metres)"
        case .selectCircle(let lon, let lat, nil): "--circle \(lon),\(lat),RADIUS_M (radius in metres)"
        }
    }

    /// The text a command prints for `error`: the flag, its description, then the hint on a line of
    /// its own.
    static func text(of error: any Error) -> String {
        let text = (flag(for: error) ?? "") + "\(error)"
        guard let hint = hint(for: error) else { return text }
        return text + "\n" + hint
    }
}
