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

/// Parses a `--json` document (an object) from a command's standard output.
func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not an object: \(text)")
}

/// Runs `sqlite3 DB SQL` (SQLite's own shell, independent of fanout) and returns its output's lines.
func sqlite(_ db: String, _ sql: String) async throws -> [String] {
    let r = try await ExternalTool.run("sqlite3", [db, sql])
    guard r.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: r.stderr]) }
    return r.stdout.split(separator: "\n").map(String.init)
}

/// The `--json` machinery: the schemas in docs/schemas, the independent validator, `import --json`.
@Suite struct JSONOutputTests {
    /// Every document kind (docs/cli.md, "Machine-readable output").
    static let kinds = [
        "import", "action-start", "action-enlarge", "action-stop", "action-end", "action-run", "action-status",
        "action-explain", "area-check", "area-fix", "area-convert", "area-map", "area-suggest", "loadtest",
        "loadtest-dispatch", "version",
    ]

    @Test func everyKindHasOneStrictSchemaAndNoOtherSchemaExists() async throws {
        let directory = Fixtures.packageRoot.appendingPathComponent("docs/schemas")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".json") }
        #expect(Set(files) == Set(Self.kinds.map { "\($0).schema.json" }))
        for kind in Self.kinds {
            let schema = try jsonObject(try String(contentsOf: ExternalTool.schemaURL(kind), encoding: .utf8))
            #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema", "\(kind)")
            #expect(schema["additionalProperties"] as? Bool == false, "\(kind)")
            let required = schema["required"] as? [String] ?? []
            #expect(required.starts(with: ["schema_version", "kind"]), "\(kind)")
            let properties = schema["properties"] as? [String: Any] ?? [:]
            #expect((properties["kind"] as? [String: Any])?["const"] as? String == kind, "\(kind)")
            #expect((properties["schema_version"] as? [String: Any])?["const"] as? Int == 1, "\(kind)")
            // An empty object lacks the required keys: the validator runs the schema (a schema that is
            // not valid Draft 2020-12 makes it throw).
            let violations = try await ExternalTool.validateJSON(schema: kind, json: "{}")
            #expect(violations.contains { $0.contains("'schema_version' is a required property") }, "\(kind)")
        }
    }

    @Test func importJSONCountsTheCSVRowsAndTheRegistry() async throws {
        let dir = try Fixtures.temporaryDirectory("import-json")
        let db = dir.appendingPathComponent("r.sqlite").path
        // Three rows, one of them in Belgium without a country, one with an unknown column value.
        let csv = """
            id,lon,lat,country,shoe_size
            1,5.1214,52.0908,NL,42
            2,4.4025,51.2194,,40
            3,5.1300,52.0950,NL,44

            """
        try csv.write(to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let r = try await CommandRunner.run(["import", "--db", db, "--csv", "p.csv", "--json"], in: dir)
        #expect(r.status == 1, "unknown column: a warning\n\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "import", json: r.stdout) == [])
        let o = try jsonObject(r.stdout)
        #expect(o["schema_version"] as? Int == 1 && o["kind"] as? String == "import")
        let dataRows = csv.split(separator: "\n").count - 1
        #expect(o["rows"] as? Int == dataRows && o["inserted"] as? Int == dataRows && o["updated"] as? Int == 0)
        let stored = try await sqlite(db, "SELECT count(*) FROM participant")
        #expect(o["registry_participants"] as? Int == Int(stored.first ?? ""))
        #expect(o["ignored_columns"] as? [String] == ["shoe_size"])
        #expect(o["countries_derived"] as? Int == 1, "row 2 lies in Antwerp")
        #expect(o["csv"] as? String == "p.csv")
        // Warnings stay text on standard error; standard output is the document alone.
        #expect(r.stderr.contains("ignored unknown column(s): shoe_size"))
        #expect(r.stdout.hasPrefix("{") && r.stdout.hasSuffix("}\n"))

        // Importing the same file again updates the three.
        let again = try await CommandRunner.run(["import", "--db", db, "--csv", "p.csv", "--json"], in: dir)
        let o2 = try jsonObject(again.stdout)
        #expect(o2["inserted"] as? Int == 0 && o2["updated"] as? Int == dataRows)
    }

    @Test func aDocumentThatBreaksItsSchemaIsRejected() async throws {
        let dir = try Fixtures.temporaryDirectory("import-json-bad")
        try "id,lon,lat\n1,5.1214,52.0908\n".write(
            to: dir.appendingPathComponent("p.csv"), atomically: true, encoding: .utf8)
        let r = try await CommandRunner.run(["import", "--db", "r.sqlite", "--csv", "p.csv", "--json"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await ExternalTool.validateJSON(schema: "import", json: r.stdout) == [])
        // The real document with a wrong type, an unknown key and a missing key.
        var o = try jsonObject(r.stdout)
        o["rows"] = "1"
        o["participants"] = 1
        o["updated"] = nil
        let bad = String(decoding: try JSONSerialization.data(withJSONObject: o), as: UTF8.self)
        let violations = try await ExternalTool.validateJSON(schema: "import", json: bad)
        #expect(violations.contains { $0.hasPrefix("/rows:") && $0.contains("is not of type 'integer'") }, "\(violations)")
        #expect(violations.contains { $0.contains("'participants' was unexpected") }, "\(violations)")
        #expect(violations.contains { $0.contains("'updated' is a required property") }, "\(violations)")
        // Another kind's schema refuses it too.
        #expect(try await ExternalTool.validateJSON(schema: "area-check", json: r.stdout) != [])
    }
}
