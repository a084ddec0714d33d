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

struct ImportCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import participants from a CSV file into a registry.",
        discussion: """
            The CSV has a header. Required columns: id,lon,lat (WGS84) or, with --crs, id,x,y. A crs column \
            (EPSG:NNNN) gives a row its own CRS: WGS84 (4326), ETRS89 (4258), Belgian Lambert 72 (31370) or 2008 \
            (3812), UTM 32N (25832), RD New (28992) or any other EPSG code PROJ knows.

            Optional columns: country (ISO 3166-1 alpha-2), phone, email, language, channels ("voice,sms,email,app" \
            in order of preference), quiet_hours (HH:MM-HH:MM, see docs/dispatcher.md), person (rows of one person \
            at several addresses), opt_out (incident types the person wants no alerts for, for example \
            "burglary,bike-theft", or "all"). Unknown columns are ignored with one warning.

            A missing country is derived from the position with the NL/BE/DE borders in borders-nl-be-de.geojson \
            (OpenStreetMap, ODbL; in FANOUT_DATA_DIR when it is set, else bundled with fanout, like the RD grid); \
            outside those three countries it stays empty. A given country that the position contradicts by more than \
            25 m is kept, with a warning naming the line (the first 20 are listed).

            An id already in the registry is updated; columns the file lacks keep their stored value. The whole file \
            is one transaction: if any row is bad, nothing is written and the first bad rows are listed with line \
            and field (exit status 3). An import with warnings (unknown columns, contradicted or underivable \
            countries) exits with 1.
            """)

    @Option(help: ArgumentHelp("The registry database (created when missing).", valueName: "FILE"))
    var db: String

    @Option(help: ArgumentHelp("The participant CSV file.", valueName: "FILE"))
    var csv: String

    @Option(
        help: ArgumentHelp(
            "CRS of the position columns, for example EPSG:28992 for RD New x,y (default: WGS84 lon,lat).",
            valueName: "EPSG:NNNN"))
    var crs: CRS?

    @Flag(help: JSONOutput.flagHelp())
    var json = false
    @OptionGroup(title: "Logging") var logging: LogOptions

    func run() throws {
        let registry = try Registry.open(at: db, data: commandData)
        let progress = ProgressLine()
        let clock = ContinuousClock()
        let start = clock.now
        let report = try registry.importCSV(URL(fileURLWithPath: csv), options: ImportOptions(crs: crs)) { p in
            let pct = p.totalBytes > 0 ? " (\(p.bytesRead * 100 / p.totalBytes)%)" : ""
            progress.update("importing: \(grouped(p.rows)) rows\(pct)")
        }
        progress.finish()
        let seconds = (clock.now - start).seconds
        let total = try registry.count()
        for line in ImportText.notes(report, file: csv) { note(line) }
        note(
            "imported \(grouped(report.rows)) rows from \(csv): \(grouped(report.inserted)) new, "
                + "\(grouped(report.updated)) updated, in \(duration(seconds)); "
                + "registry holds \(grouped(total)) participants")
        if json {
            try JSONOutput.print(
                .importReport, report, adding: ["csv": csv, "registry_participants": total, "seconds": seconds])
        }
        let warned =
            !report.warnings.isEmpty || report.warningsOmitted > 0 || report.countriesUnknown > 0
            || !report.ignoredColumns.isEmpty
        if warned { throw CommandFailure(.warnings) }
    }
}
