import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// Every error that comes from a file's content names the file (and the line or field where it
/// is known), through the real binary: area files of every format, CSV imports, the travel-radius
/// table, the dispatcher configuration, a registry that is not one, and the data files.
@Suite struct ErrorNamesFileTests {
    let fx: CLIFixture
    let dir: URL
    init() throws {
        fx = try CLIFixture.shared.get()
        dir = try Fixtures.temporaryDirectory("error-names-file")
    }

    /// A bad file: its name and bytes, the command (`FILE` stands for its path), the exit status,
    /// and what else the message must say (the line, field or reason).
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var bytes: [UInt8]
        var command: [String]
        var status: Int32
        var says: String
        var description: String { name }

        init(_ name: String, _ text: String, _ command: [String], _ status: Int32, _ says: String) {
            self.init(name, Array(text.utf8), command, status, says)
        }

        init(_ name: String, _ bytes: [UInt8], _ command: [String], _ status: Int32, _ says: String) {
            self.name = name
            self.bytes = bytes
            self.command = command
            self.status = status
            self.says = says
        }
    }

    static let square = "[[[5.1,52.08],[5.12,52.08],[5.12,52.09],[5.1,52.08]]]"
    static let check = ["area", "check", "FILE"]
    static let select = ["select", "--db", "DB", "--polygon", "FILE"]
    static let cap = "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"

    static let cases: [Case] = [
        Case(
            "truncated.geojson", #"{"type":"Polygon","coordinates":[[[5.1,52.08]"#, check, 3,
            "not valid JSON: line 1: the text ends early"),
        // Column 39 of line 2 is where "52.08" follows "5.12" without a comma.
        Case(
            "comma.geojson", "{\"type\":\"Polygon\",\n \"coordinates\": [[[5.1, 52.08], [5.12 52.08]]]}", check, 3,
            "not valid JSON: line 2, column 39"),
        Case("point.geojson", #"{"type":"Point","coordinates":[5.1,52.08]}"#, select, 2, "got Point"),
        Case(
            "position.geojson", #"{"type":"Polygon","coordinates":[[[5.1,52.08],[5.12,"x"]]]}"#, check, 3,
            ".coordinates[0][1]: position values must be numbers"),
        Case(
            "crs-name.geojson",
            #"{"type":"Polygon","crs":{"type":"name","properties":{"name":"nonsense"}},"coordinates":"# + square + "}",
            ["area", "fix", "FILE", "--out", "OUT.geojson"], 3, "crs.properties.name: 'nonsense'"),
        Case(
            "collection.geojson",
            #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":null}]}"#,
            ["area", "convert", "FILE", "--out", "OUT.wkt"], 2, ".features[0].geometry: the Feature has no geometry"),
        Case("empty.geojson", "", check, 3, "empty file"),
        Case("truncated.wkt", "POLYGON((5.1 52.08, 5.12 52.08", check, 3, "ParseException"),
        Case("line.wkt", "LINESTRING(5.1 52.08, 5.12 52.08)", select, 2, "got LineString"),
        Case("trailing.wkt", "POLYGON((5.1 52.08, 5.12 52.08, 5.12 52.09, 5.1 52.08))\nmore", check, 3, "line 2"),
        Case(
            "bowtie.wkt", "POLYGON((5.05 52.05, 5.20 52.14, 5.20 52.05, 5.05 52.14, 5.05 52.05))", select, 2,
            "Self-intersection"),
        Case("latin1.wkt", Array("POLYGON((5.1 52.08, ".utf8) + [0xFF] + Array(" 52.09))".utf8), check, 3, "not UTF-8"),
        Case("nul.wkt", Array("POLYGON((5.1 52.08,".utf8) + [0] + Array(" 5.12 52.08))".utf8), check, 3, "NUL byte"),
        Case("root.cap", "<?xml version=\"1.0\"?>\n<feed/>\n", check, 3, "root element <feed>"),
        Case(
            "pair.cap", cap + "<info><area><areaDesc>x</areaDesc>\n<polygon>52.08,5.1 52,x</polygon></area></info></alert>",
            select, 3, "line 2: info 1, area 1, polygon 1: pair 2"),
        Case("broken.cap", cap + "\n<info>\n</area>\n</alert>\n", ["area", "map", "FILE", "--out", "OUT.svg"], 3, "line 3,"),
        Case("noarea.cap", cap + "<info><area><areaDesc>x</areaDesc></area></info></alert>", check, 2, "no <area>"),
        Case("text.gpkg", "not a database", check, 3, "not a SQLite file"),
        Case("header.csv", "id,lon\n1,5.1\n", ["import", "--db", "NEWDB", "--csv", "FILE"], 3, ":1: missing required column"),
        Case("number.csv", "id,lon,lat\n1,5.1,abc\n", ["import", "--db", "NEWDB", "--csv", "FILE"], 3, ":2: field 'lat'"),
        Case(
            "crs.csv", "id,x,y,crs\n1,136000,455000,EPSG:999999\n", ["import", "--db", "NEWDB", "--csv", "FILE"], 3,
            ":2: field 'crs': EPSG:999999"),
        Case(
            "table.csv", "incident_type,mode,speed_kmh,cap_m\nburglary,foot,fast,100\n",
            ["area", "suggest", "--incident-type", "burglary", "--mode", "foot", "--minutes", "5", "--table", "FILE"], 3,
            ":2: speed_kmh"),
        Case("registry.sqlite", "not a registry", ["select", "--db", "FILE", "--circle", "5.1,52.1,100"], 3, "not"),
        Case(
            "dispatch.json", #"{"sms": {"ratePerSecond": 5}}"#,
            ["action", "start", "--db", "DBCOPY", "--config", "FILE", "--incident-type", "burglary", "--message", "x",
             "--lon", "5.1", "--lat", "52.1", "--radius", "100"], 3, "'sms.ratePerSecond'"),
        Case(
            "syntax.json", "{\"sms\": {\"perSecond\": 5},\n \"voice\": x}",
            ["action", "start", "--db", "DBCOPY", "--config", "FILE", "--incident-type", "burglary", "--message", "x",
             "--lon", "5.1", "--lat", "52.1", "--radius", "100"], 3, "not valid JSON: line 2, column 11"),
        Case(
            "kannel.json", #"{"kannel": {"host": 5}}"#,
            ["action", "start", "--db", "DBCOPY", "--config", "FILE", "--incident-type", "burglary", "--message", "x",
             "--lon", "5.1", "--lat", "52.1", "--radius", "100"], 3, "'kannel.host'"),
    ]

    @Test(arguments: cases)
    func theMessageNamesTheFile(_ c: Case) async throws {
        let file = dir.appendingPathComponent(c.name)
        try Data(c.bytes).write(to: file)
        let db = dir.appendingPathComponent("copy-\(c.name).sqlite").path
        if c.command.contains("DBCOPY") { try FileManager.default.copyItem(atPath: fx.db, toPath: db) }
        let args = c.command.map { arg in
            switch arg {
            case "FILE": file.path
            case "DB": fx.db
            case "DBCOPY": db
            case "NEWDB": dir.appendingPathComponent("new-\(c.name).sqlite").path
            default: arg.replacingOccurrences(of: "OUT", with: dir.appendingPathComponent("out-\(c.name)").path)
            }
        }
        let r = try await CommandRunner.run(args)
        #expect(r.status == c.status, "\(c.name): \(r.status) \(r.stderr)")
        let error = r.stderr.split(separator: "\n").filter { $0.hasPrefix("error: ") || $0.contains(file.path) }
        #expect(error.contains { $0.contains(file.path) }, "\(c.name): the file is not named in: \(r.stderr)")
        #expect(r.stderr.contains(c.says), "\(c.name): '\(c.says)' not in: \(r.stderr)")
    }

    @Test func aBrokenBordersFileIsNamedByAreaCheck() async throws {
        let data = dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        for name in ["municipalities-nl.geojson", "rdtrans2018.gsb", "travel-radius.csv"] {
            let source = Fixtures.packageRoot.appendingPathComponent("data/\(name)")
            try? FileManager.default.copyItem(at: source, to: data.appendingPathComponent(name))
        }
        let borders = data.appendingPathComponent("borders-nl-be-de.geojson")
        try #"{"type":"FeatureCollection","features":["#.write(to: borders, atomically: true, encoding: .utf8)
        let area = dir.appendingPathComponent("square.geojson")
        try (#"{"type":"Polygon","coordinates":"# + Self.square + "}").write(to: area, atomically: true, encoding: .utf8)
        // env(1) sets the data directory for the one process.
        let r = try await CommandRunner.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            ["FANOUT_DATA_DIR=\(data.path)", try CommandRunner.executable().path, "area", "check", area.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains("countries-unavailable") && r.stdout.contains(borders.path), "\(r.stdout)")
    }
}
