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

/// The one exit-status scheme, run as a real process for every command: 0 done, 1 done with
/// warnings, 2 input read but refused, 3 input unreadable, 64 usage error (and only then the
/// usage text), 70 internal error. One case per status each command can end with.
@Suite(.serialized) struct ExitStatusTests {
    static let shared: Result<ActionFixture, any Error> = Result { try ActionFixture(count: 400, label: "exits") }

    /// Runs `fanout ARGS` in the fixture's directory and checks the status, a fragment of standard
    /// error, that the usage text appears exactly for status 64, and that nothing crashed.
    @discardableResult
    func expect(
        _ arguments: [String], _ status: Int32, _ fragment: String = "", in fx: ActionFixture,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandResult {
        let r = try await CommandRunner.run(arguments, in: fx.dir)
        #expect(r.status == status, "\(arguments): \(r.status) \(r.stderr)", sourceLocation: sourceLocation)
        if !fragment.isEmpty {
            #expect(r.stderr.contains(fragment), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        }
        #expect(
            r.stderr.contains("Usage:") == (status == 64), "\(arguments): usage text \(r.stderr)",
            sourceLocation: sourceLocation)
        for crash in ["Fatal error", "backtrace", "CommandError("] {
            #expect(!r.stderr.contains(crash), "\(arguments): \(r.stderr)", sourceLocation: sourceLocation)
        }
        return r
    }

    /// Files the cases read: a valid square around the grid's middle, a bowtie, garbage, a square with a hole.
    struct Areas {
        var square, clockwise, bowtie, garbage, holed: String
    }

    func areas(_ fx: ActionFixture) throws -> Areas {
        let c = fx.centre
        func ring(_ d: Double, clockwise: Bool = false) -> String {
            let pts = [(c.lon - d, c.lat - d), (c.lon + d, c.lat - d), (c.lon + d, c.lat + d), (c.lon - d, c.lat + d)]
            let ordered = clockwise ? Array(pts.reversed()) : pts
            return (ordered + [ordered[0]]).map { "\($0.0) \($0.1)" }.joined(separator: ", ")
        }
        return Areas(
            square: try fx.write("square.wkt", "POLYGON ((\(ring(0.004))))"),
            clockwise: try fx.write("clockwise.geojson", Self.geoJSON(ring(0.004, clockwise: true))),
            bowtie: try fx.write("bowtie.wkt", "POLYGON ((5.0 52.0, 5.1 52.1, 5.1 52.0, 5.0 52.1, 5.0 52.0))"),
            garbage: try fx.write("garbage.wkt", "POLYGUN ((1 2, 3 4))"),
            holed: try fx.write("holed.wkt", "POLYGON ((\(ring(0.004))), (\(ring(0.001, clockwise: true))))"))
    }

    /// A GeoJSON Polygon from a WKT-style ring `x y, x y, ...`.
    static func geoJSON(_ ring: String) -> String {
        let points = ring.split(separator: ",").map { p in
            "[" + p.split(separator: " ").joined(separator: ",") + "]"
        }
        return #"{"type":"Polygon","coordinates":[["# + points.joined(separator: ",") + "]]}"
    }

    @Test func selectImportGenerateDemoAndLoadtest() async throws {
        let fx = try Self.shared.get()
        let a = try areas(fx)
        let circle = ["--circle", "\(fx.centre.lon),\(fx.centre.lat),300"]
        let missing = fx.dir.appendingPathComponent("missing.sqlite").path

        try await expect(["select", "--db", fx.db] + circle, 0, in: fx)
        try await expect(["select", "--db", fx.db, "--polygon", a.bowtie], 2, "Self-intersection", in: fx)
        try await expect(["select", "--db", fx.db] + circle + ["--out", fx.db], 2, "registry", in: fx)
        try await expect(["select", "--db", fx.db, "--polygon", a.garbage], 3, "WKT", in: fx)
        try await expect(["select", "--db", missing] + circle, 3, "no such registry", in: fx)
        try await expect(["select", "--db", fx.db], 64, "give exactly one of", in: fx)
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let r = try await CommandRunner.run(["select", "--db", fx.db] + circle, standardOutput: full, in: fx.dir)
        #expect(r.status == 70 && r.stderr.contains("cannot write standard output"), "\(r.stderr)")

        let db = fx.dir.appendingPathComponent("import.sqlite").path
        let good = try fx.write("good.csv", "id,lon,lat,country\n1,4.9,52.3,NL\n")
        try await expect(["import", "--db", db, "--csv", good], 0, in: fx)
        let extra = try fx.write("extra.csv", "id,lon,lat,country,hobby\n2,4.9,52.3,NL,chess\n")
        try await expect(["import", "--db", db, "--csv", extra], 1, "ignored unknown column(s): hobby", in: fx)
        let bad = try fx.write("bad.csv", "id,lon,lat\n3,4.9,abc\n")
        try await expect(["import", "--db", db, "--csv", bad], 3, "'abc' is not a number", in: fx)
        try await expect(["import", "--db", db, "--csv", good, "--crs", "EPSG:999999"], 3, "EPSG:999999", in: fx)
        try await expect(["import", "--db", db, "--csv", fx.dir.appendingPathComponent("none.csv").path], 3, in: fx)
        try await expect(["import", "--db", good, "--csv", good], 3, "not an SQLite database", in: fx)
        try await expect(["import", "--db", db], 64, "--csv", in: fx)

        try await expect(["generate", "--count", "10", "--out", "g.csv"], 0, in: fx)
        try await expect(["generate", "--count", "10", "--out", fx.dir.path], 2, "is a directory", in: fx)
        try await expect(["generate", "--count", "0", "--out", "g.csv"], 64, "--count", in: fx)

        try await expect(["demo", "--count", "0"], 64, "--count must be 1...20,000,000", in: fx)

        try await expect(["loadtest", "--db", missing], 3, "no such registry", in: fx)
        try await expect(["loadtest", "--db", fx.db, "--repetitions", "0"], 64, "--repetitions", in: fx)
        try await expect(["loadtest", "--db", fx.db, "--query", "Atlantis"], 64, "no reference query matches", in: fx)
        try await expect(
            [
                "loadtest", "--db", fx.db, "--repetitions", "1", "--peers", "engine", "--query", "Dam 1 km",
                "--concurrency-seconds", "0",
            ], 0, in: fx)
        try await expect(["loadtest", "dispatch", "--db", missing], 3, "no such registry", in: fx)
    }

    @Test func actionCommands() async throws {
        let fx = try Self.shared.get()
        let db = ["--db", fx.db]
        let centre = ["--lon", "\(fx.centre.lon)", "--lat", "\(fx.centre.lat)"]
        let request = ["--incident-type", "burglary", "--message", "Red van", "--simulation", "ideal"]
        let small = try fx.write("small.json", #"{"confirmationThresholds": {"burglary": 5, "*": 100000}}"#)
        let broken = try fx.write("broken.json", #"{"sms": "#)

        try await expect(["action", "start"] + db + centre + ["--radius", "300"] + request + ["--config", small], 2,
            "more than the 5 usual", in: fx)
        try await expect(["action", "start"] + db + centre + ["--radius", "300"] + request + ["--config", broken], 3,
            "broken.json", in: fx)
        let missing = fx.dir.appendingPathComponent("missing.sqlite").path
        try await expect(["action", "start", "--db", missing] + centre + ["--radius", "300"] + request, 3,
            "no such registry", in: fx)
        try await expect(["action", "start"] + db + centre + request, 64, "a circle needs --radius", in: fx)
        let started = try await expect(["action", "start"] + db + centre + ["--radius", "300"] + request, 0, in: fx)
        let id = try #require(try Ledger.open(at: fx.db).summaries().last?.id)
        #expect(started.stdout.contains("action \(id)"), "\(started.stdout)")

        // An enlargement to an area with none of those already included: done, with a warning.
        let far = ["--lon", "\(fx.centre.lon + 0.02)", "--lat", "\(fx.centre.lat)", "--radius", "100"]
        try await expect(["action", "enlarge", "\(id)"] + db + far, 1, "warning:", in: fx)
        try await expect(["action", "enlarge", "999"] + db + far, 2, "no action 999", in: fx)
        try await expect(["action", "enlarge", "\(id)"] + db, 64, "circle centre", in: fx)

        try await expect(["action", "run"] + db, 0, in: fx)
        try await expect(["action", "run", "--db", missing], 3, "no such registry", in: fx)
        try await expect(["action", "stop", "\(id)"] + db, 0, in: fx)
        try await expect(["action", "stop", "\(id)"] + db, 2, "it is stopped", in: fx)
        try await expect(["action", "end", "\(id)", "--result", "Found"] + db + ["--run"], 0, in: fx)
        try await expect(["action", "end", "\(id)", "--result", "Again"] + db, 2, "it is ended", in: fx)
        try await expect(["action", "end", "\(id)"] + db, 64, "--result", in: fx)

        try await expect(["action", "status", "\(id)"] + db, 0, in: fx)
        try await expect(["action", "status", "999"] + db, 2, "no action 999", in: fx)
        try await expect(["action", "status", "--db", missing], 3, "no such registry", in: fx)
        try await expect(["action", "status", "--ring-width", "0"] + db, 64, "--ring-width", in: fx)
        try await expect(["action", "explain", "\(id)", "1"] + db, 0, in: fx)
        try await expect(["action", "explain", "999", "1"] + db, 2, "no action 999", in: fx)
        try await expect(["action", "explain", "\(id)"] + db, 64, "participant", in: fx)
    }

    @Test func areaCommands() async throws {
        let fx = try Self.shared.get()
        let a = try areas(fx)
        let missing = fx.dir.appendingPathComponent("missing.geojson").path

        try await expect(["area", "check", a.square], 0, in: fx)
        try await expect(["area", "check", a.clockwise], 1, in: fx)
        try await expect(["area", "check", a.bowtie], 2, in: fx)
        try await expect(["area", "check", a.garbage], 3, "WKT", in: fx)
        try await expect(["area", "check", missing], 3, "missing.geojson", in: fx)
        try await expect(["area", "check", a.square, "--incident-type", "alien"], 2, "valid types", in: fx)
        try await expect(["area", "check"], 64, "<file>", in: fx)

        try await expect(["area", "fix", a.bowtie, "--out", fx.dir.appendingPathComponent("f.wkt").path], 0, in: fx)
        try await expect(["area", "fix", a.bowtie, "--out", a.bowtie], 2, "is the input file", in: fx)
        try await expect(["area", "fix", a.garbage, "--out", fx.dir.appendingPathComponent("g.wkt").path], 3, in: fx)
        try await expect(["area", "fix", a.bowtie], 64, "--out", in: fx)

        let suggest = ["area", "suggest", "--mode", "foot", "--minutes"]
        try await expect(suggest + ["10", "--incident-type", "missing-child"], 0, in: fx)
        try await expect(suggest + ["10", "--incident-type", "alien"], 2, "valid types", in: fx)
        try await expect(suggest + ["0", "--incident-type", "missing-child"], 64, "minutes", in: fx)
        let table = fx.dir.appendingPathComponent("no-table.csv").path
        try await expect(suggest + ["10", "--incident-type", "missing-child", "--table", table], 3, "no-table", in: fx)

        let out = { (name: String) in fx.dir.appendingPathComponent(name).path }
        try await expect(["area", "convert", a.square, "--out", out("c.geojson")], 0, in: fx)
        try await expect(["area", "convert", a.holed, "--out", out("c.cap")], 2, "single ring", in: fx)
        try await expect(["area", "convert", a.square, "--out", fx.db, "--to", "wkt"], 2, "registry", in: fx)
        try await expect(["area", "convert", a.garbage, "--out", out("d.geojson")], 3, in: fx)
        try await expect(["area", "convert", a.square, "--out", out("x.shp")], 64, "cannot tell the format", in: fx)
        try await expect(["area", "convert", a.square, "--out", out("no/such/dir/x.geojson")], 70, "cannot write", in: fx)

        try await expect(["area", "map", a.square, "--out", out("m.svg")], 0, in: fx)
        try await expect(["area", "map", a.bowtie, "--out", out("b.svg")], 2, "Self-intersection", in: fx)
        let registryLink = out("registry-\(UUID().uuidString).svg")  // the registry, by a name map accepts
        try FileManager.default.createSymbolicLink(atPath: registryLink, withDestinationPath: fx.db)
        try await expect(["area", "map", a.square, "--db", fx.db, "--out", registryLink], 2, "registry", in: fx)
        try await expect(["area", "map", missing, "--out", out("n.svg")], 3, "missing.geojson", in: fx)
        try await expect(["area", "map", a.square, "--out", out("m.pdf")], 64, ".svg or .png", in: fx)
        try await expect(["area", "map", a.square, "--out", out("no/such/dir/m.svg")], 70, "cannot write", in: fx)
    }

    @Test func theRootHelpDocumentsTheScheme() async throws {
        let fx = try Self.shared.get()
        let r = try await expect(["help"], 0, in: fx)
        let text = r.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for fragment in [
            "0 done;", "1 done with warnings;", "2 the input was read but refused", "3 an input cannot be read",
            "64 a command-line usage error", "70 an internal error",
        ] {
            #expect(text.contains(fragment), "\(fragment): \(text)")
        }
    }
}
