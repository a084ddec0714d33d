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

struct AreaConvertCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an area between GeoJSON, WKT, CAP 1.2 and GeoPackage.",
        discussion: """
            Reads GeoJSON, WKT, a CAP 1.2/1.1 alert or a GeoPackage (--layer NAME when it has several polygon \
            layers; --feature ID or --all-features when the layer or FeatureCollection holds several features) and \
            writes --out in the format of --to, or of its extension (.geojson/.json, .wkt, .cap/.xml, .gpkg). \
            GeoJSON, WKT and GeoPackage keep the input's CRS and coordinates exactly (WKT does not store the CRS; \
            GeoJSON turns rings as RFC 7946 wants: shells counter-clockwise, holes clockwise); CAP is WGS84, one \
            <info> per --languages entry, one <polygon> per polygon (holes cannot be written to CAP). Output file: \
            \(outputFilesHelp)

            Attributes go along: GeoJSON properties and GeoPackage attribute columns (an integer 'fid' property \
            becomes the GeoPackage fid). The area's name (its 'name' property, or naam, statnaam, ...; a CAP \
            <areaDesc>; a GeoPackage layer's identifier) becomes the GeoPackage layer (letters, digits and _; \
            --layer-name NAME overrides it; 'area' when there is no name) and the CAP <areaDesc> (--area-desc \
            overrides it); a CAP <areaDesc> read becomes a 'name' property.

            CAP: --msg-type Update or Cancel needs --references sender,identifier,sent (several separated by \
            spaces); texts default per language (nl-NL, fr-BE, de-DE) and can be given as --headline nl=TEXT (or \
            TEXT for every language), likewise --event and --description. --circle LON,LAT,RADIUS_M instead of a \
            file writes a circular action as a CAP <circle>.

            Exit status: 0 written, 2 the area cannot be written in that format or the output may not be written (it \
            is the input, a database), 3 the input cannot be read, 64 bad arguments, 70 the output cannot be \
            written.
            """)

    @Argument(help: "The area file (GeoJSON, WKT, CAP or GeoPackage).")
    var file: String?

    @Option(
        help: ArgumentHelp(
            "Instead of a file: a circular action area, written as a CAP <circle> (--to cap only).",
            valueName: "LON,LAT,RADIUS_M"))
    var circle: CircleArgument?

    @Option(help: ArgumentHelp("Where to write the converted area.", valueName: "FILE"))
    var out: String

    @Option(help: "Output format (default: from --out's extension).")
    var to: AreaFormat?

    @Flag(help: JSONOutput.flagHelp())
    var json = false

    @OptionGroup var reading: AreaReadOptions

    @Option(help: ArgumentHelp("CAP <identifier> (default: fanout-<UUID>).", valueName: "ID"))
    var identifier: String?

    @Option(help: ArgumentHelp("CAP <sender>.", valueName: "ADDRESS"))
    var sender = CAPAlertOptions().sender

    @Option(help: ArgumentHelp("CAP <sent> (default: now).", valueName: "YYYY-MM-DDTHH:MM:SS+HH:MM"))
    var sent: CAPDateTime?

    @Option(help: "CAP <status>.")
    var status = CAPMessage.Status.actual

    @Option(name: .customLong("msg-type"), help: "CAP <msgType>.")
    var msgType = CAPMessage.MessageType.alert

    @Option(help: "CAP <scope>.")
    var scope = CAPMessage.Scope.public

    @Option(help: ArgumentHelp("Earlier messages (Update/Cancel).", valueName: "SENDER,ID,SENT ..."))
    var references: String?

    @Option(help: ArgumentHelp("One <info> per language: nl, fr, de or a tag.", valueName: "nl,fr,de"))
    var languages = "nl"

    @Option(help: "CAP <category>.")
    var category = CAPMessage.Category.safety

    @Option(help: "CAP <urgency>.")
    var urgency = CAPMessage.Urgency.immediate

    @Option(help: "CAP <severity>.")
    var severity = CAPMessage.Severity.moderate

    @Option(help: "CAP <certainty>.")
    var certainty = CAPMessage.Certainty.observed

    @Option(help: ArgumentHelp("CAP <event>, per language as LANG=TEXT.", valueName: "[LANG=]TEXT"))
    var event: [String] = []

    @Option(help: ArgumentHelp("CAP <headline>, per language as LANG=TEXT.", valueName: "[LANG=]TEXT"))
    var headline: [String] = []

    @Option(help: ArgumentHelp("CAP <description>, per language as LANG=TEXT.", valueName: "[LANG=]TEXT"))
    var description: [String] = []

    @Option(
        name: .customLong("area-desc"),
        help: ArgumentHelp(
            "CAP <areaDesc> (default: the area's name attribute, else the input's file name).", valueName: "TEXT"))
    var areaDesc: String?

    @OptionGroup(title: "Logging") var logging: LogOptions

    @Option(
        name: .customLong("layer-name"),
        help: ArgumentHelp(
            "GeoPackage layer (table) to write (default: the area's name, else 'area').", valueName: "NAME"))
    var layerName: String?

    func validate() throws {
        guard (file == nil) != (circle == nil) else { throw ValidationError("give an area FILE or --circle, not both") }
        if circle != nil, let option = reading.given.first {
            throw ValidationError("\(option) applies to an area FILE, not to --circle")
        }
        let format = to ?? AreaFormat(pathExtension: URL(fileURLWithPath: out).pathExtension)
        if let circle {
            guard format == .cap else {
                throw ValidationError("--circle is written as CAP only (--to cap or a .cap --out)")
            }
            guard circle.center.isInRange, circle.radiusMeters > 0, circle.radiusMeters <= 500_000 else {
                throw ValidationError("--circle: a lon,lat in range and 0 < RADIUS_M <= 500000")
            }
        }
        let capOnly =
            identifier != nil || sent != nil || references != nil || msgType != .alert
            || !event.isEmpty || !headline.isEmpty || !description.isEmpty || areaDesc != nil
        if capOnly && format != .cap { throw ValidationError("the CAP options apply to CAP output (--to cap) only") }
        if layerName != nil && format != .gpkg {
            throw ValidationError("--layer-name applies to GeoPackage output (--to gpkg or a .gpkg --out) only")
        }
    }

    func run() throws {
        let options = try capOptions()
        let converter = try AreaConverter(data: commandData)
        if let circle {
            let message = options.message(
                circle: circle.center, radiusMeters: circle.radiusMeters, areaDesc: areaDesc ?? "circle")
            let report = try converter.writeCAP(circle: message, to: try checkOutput(out), output: out)
            if json { return try JSONOutput.print(.areaConvert, report) }
            print(
                "wrote \(out): cap, 1 circle (\(circle.radiusMeters / 1000) km), EPSG:4326, \(grouped(report.bytes)) bytes"
            )
            return
        }
        guard let file else { throw ValidationError("give an area FILE or --circle") }
        let report = try converter.convert(
            input: file, output: out, format: to, crs: reading.crs, layer: reading.layer,
            features: reading.features, cap: options, layerName: layerName)
        if json {
            try JSONOutput.print(.areaConvert, report)
        } else {
            var line = "wrote \(report.output): \(report.format.rawValue), \(report.polygons) polygon"
            line += report.polygons == 1 ? "" : "s"
            if report.holes > 0 { line += ", \(report.holes) hole\(report.holes == 1 ? "" : "s")" }
            line += ", \(grouped(report.vertices)) vertices"
            if let crs = report.crs { line += ", \(crs)" }
            line += ", \(grouped(report.bytes)) bytes"
            print(line)
            for n in report.notes { print("note: \(n)") }
            if let crs = report.readBackCRS { print("with fanout: read it back with --crs \(crs)") }
        }
        if warnAboutReading(report.dropped, file: URL(fileURLWithPath: report.input ?? file).path) {
            throw CommandFailure(.warnings)
        }
    }

    /// The CAP options from the arguments.
    func capOptions() throws -> CAPAlertOptions {
        var o = CAPAlertOptions()
        o.identifier = identifier
        o.sender = sender
        o.sent = sent?.date
        o.utcOffsetSeconds = sent?.utcOffsetSeconds
        o.status = status
        o.msgType = msgType
        o.scope = scope
        o.category = category
        o.urgency = urgency
        o.severity = severity
        o.certainty = certainty
        o.areaDesc = areaDesc
        o.references = try (references ?? "").split(whereSeparator: \.isWhitespace).map {
            guard let r = CAPMessage.Reference(parsing: String($0)) else {
                throw ValidationError("--references: '\($0.prefix(80))' is not sender,identifier,sent")
            }
            return r
        }
        if msgType != .alert && o.references.isEmpty {
            throw ValidationError(
                "--msg-type \(msgType.rawValue) needs --references sender,identifier,sent of the message it replaces")
        }
        o.languages = languages.split(separator: ",").map {
            CAPAlertOptions.languageTag($0.trimmingCharacters(in: .whitespaces))
        }
        guard !o.languages.isEmpty else { throw ValidationError("--languages: give at least one, e.g. nl,fr,de") }
        for tag in o.languages {
            var t = CAPAlertOptions.defaultTexts[tag] ?? CAPAlertOptions.defaultTexts["nl-NL"]
            for (values, apply) in [
                (event, { (t: inout CAPAlertOptions.Texts?, v: String) in t?.event = v }),
                (headline, { (t: inout CAPAlertOptions.Texts?, v: String) in t?.headline = v }),
                (description, { (t: inout CAPAlertOptions.Texts?, v: String) in t?.description = v }),
            ] {
                for v in values {
                    let (lang, text) = Self.split(v)
                    if lang == nil || lang == tag { apply(&t, text) }
                }
            }
            o.texts[tag] = t
        }
        return o
    }

    /// `nl=Text` → ("nl-NL", "Text"); `Text` → (nil, "Text").
    static func split(_ value: String) -> (String?, String) {
        guard let eq = value.firstIndex(of: "="), value[..<eq].allSatisfy({ $0.isLetter || $0 == "-" }),
            !value[..<eq].isEmpty
        else { return (nil, value) }
        return (CAPAlertOptions.languageTag(String(value[..<eq])), String(value[value.index(after: eq)...]))
    }
}

extension AreaFormat: ExpressibleByArgument {}
extension CAPMessage.Status: ExpressibleByArgument {}
extension CAPMessage.MessageType: ExpressibleByArgument {}
extension CAPMessage.Scope: ExpressibleByArgument {}
extension CAPMessage.Category: ExpressibleByArgument {}
extension CAPMessage.Urgency: ExpressibleByArgument {}
extension CAPMessage.Severity: ExpressibleByArgument {}
extension CAPMessage.Certainty: ExpressibleByArgument {}

/// `2026-11-29T23:40:00+01:00` on the command line (CAP's form: seconds and an explicit offset).
struct CAPDateTime: ExpressibleByArgument {
    var date: Date
    var utcOffsetSeconds: Int

    init?(argument: String) {
        let s = Array(argument.utf8)
        guard s.count == 25 else { return nil }
        func int(_ r: Range<Int>) -> Int? { Int(String(decoding: s[r], as: UTF8.self)) }
        guard s[4] == UInt8(ascii: "-"), s[7] == UInt8(ascii: "-"), s[10] == UInt8(ascii: "T"),
            s[13] == UInt8(ascii: ":"), s[16] == UInt8(ascii: ":"), s[22] == UInt8(ascii: ":"),
            s[19] == UInt8(ascii: "+") || s[19] == UInt8(ascii: "-"),
            let year = int(0..<4), let month = int(5..<7), let day = int(8..<10), let hour = int(11..<13),
            let minute = int(14..<16), let second = int(17..<19), let oh = int(20..<22), let om = int(23..<25),
            oh < 24, om < 60
        else { return nil }
        utcOffsetSeconds = (s[19] == UInt8(ascii: "-") ? -1 : 1) * (oh * 3600 + om * 60)
        guard let zone = TimeZone(secondsFromGMT: utcOffsetSeconds) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard parts.isValidDate(in: calendar), let date = calendar.date(from: parts) else { return nil }
        self.date = date
    }

    static var defaultValueDescription: String { "YYYY-MM-DDTHH:MM:SS+HH:MM" }
}
