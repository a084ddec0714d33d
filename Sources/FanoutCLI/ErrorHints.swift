import FanoutEngine

/// The command-line way out of a library error: the flags and commands that fix it.
///
/// Library messages say what is wrong and what the choices are in the library's terms
/// (`FeatureChoice.id`, `ImportOptions.crs`); a service has no flags. This is the one place that
/// adds the `fanout` command's own words, by the error's code (and, where one code covers several
/// problems, the field its location names), to every error a command ends with.
enum ErrorHints {
    /// The hint for `error`, or `nil` when its message needs none.
    static func hint(for error: any Error) -> String? {
        guard let error = error as? any FanoutError else { return nil }
        let field = error.location?.field
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
        default:
            return nil
        }
    }

    /// The text a command prints for `error`: its description, then the hint on a line of its own.
    static func text(of error: any Error) -> String {
        let text = "\(error)"
        guard let hint = hint(for: error) else { return text }
        return text + "\n" + hint
    }
}
