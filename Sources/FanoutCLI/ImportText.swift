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

/// The notes and warnings of an import, as `import` and `demo` print them (one wording for both).
enum ImportText {
    /// The lines about what an import did beyond inserting rows: positions outside the RD grid,
    /// country contradictions (the first warnings and a count of the rest), derived and unknown
    /// countries, ignored columns.
    ///
    /// - Parameters:
    ///   - report: The import's report.
    ///   - file: The CSV file, as the user named it.
    static func notes(_ report: ImportReport, file: String) -> [String] {
        var lines: [String] = []
        if report.uncorrected > 0 {
            lines.append(
                "note: \(grouped(report.uncorrected)) row(s) lie outside the RDNAPTRANS2018 correction grid "
                    + "(50-56 N, 2-8 E): transformed to RD New by NSGI's datum transformation alone")
        }
        for warning in report.warnings { lines.append("warning: \(warning)") }
        if report.warningsOmitted > 0 {
            lines.append(
                "warning: \(grouped(report.warningsOmitted)) more row(s) whose given country contradicts the "
                    + "position (\(grouped(report.countryContradictions)) in all; countries stored as given)")
        }
        if report.countriesDerived > 0 {
            lines.append(
                "note: \(grouped(report.countriesDerived)) row(s) without a country got it from the position"
                    + (report.countriesDerivedNearBorder > 0
                        ? " (\(grouped(report.countriesDerivedNearBorder)) of them within "
                            + "\(Int(CountryLocator.toleranceMeters)) m of a border)" : ""))
        }
        if report.countriesUnknown > 0 {
            lines.append(
                "warning: \(grouped(report.countriesUnknown)) row(s) without a country lie outside NL, BE and DE: "
                    + "country left empty")
        }
        if !report.ignoredColumns.isEmpty {
            lines.append(
                "warning: \(file): ignored unknown column(s): \(report.ignoredColumns.joined(separator: ", "))")
        }
        return lines
    }
}
