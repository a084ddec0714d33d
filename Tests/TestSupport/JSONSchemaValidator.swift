import Foundation

// MARK: - JSON Schema validation of `--json` outputs

extension ExternalTool {
    /// A Python 3 that has the `jsonschema` module: `python3` on `PATH`, else Debian's
    /// `/usr/bin/python3` (package python3-jsonschema, which `tools/test.sh` installs).
    public static let pythonWithJSONSchema: URL? = {
        let candidates = [find("python3"), URL(fileURLWithPath: "/usr/bin/python3")].compactMap { $0 }
        return candidates.first { python in
            let r = try? CommandRunner.runBlocking(executable: python, ["-c", "import jsonschema"])
            return r?.status == 0
        }
    }()

    /// The schema `docs/schemas/<kind>.schema.json`.
    public static func schemaURL(_ kind: String) -> URL {
        Fixtures.packageRoot.appendingPathComponent("docs/schemas/\(kind).schema.json")
    }

    /// Validates `json` against the schema of `kind` (`docs/schemas/<kind>.schema.json`, Draft
    /// 2020-12) with `tools/validate-json.py`, that is with Python's jsonschema, independent of
    /// the Swift code that wrote the document.
    ///
    /// - Returns: The violations, one line each (the place in the document and the message);
    ///   empty when the document conforms.
    /// - Throws: `CocoaError(.fileNoSuchFile)` when no Python with jsonschema is installed,
    ///   `CocoaError(.fileReadCorruptFile)` (with the validator's message) when the schema or the
    ///   document cannot be read, or the schema is not a valid Draft 2020-12 schema.
    public static func validateJSON(schema kind: String, json: String) async throws -> [String] {
        guard let python = pythonWithJSONSchema else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "python3 with jsonschema (python3-jsonschema)"])
        }
        let directory = try Fixtures.temporaryDirectory("validate-json")
        defer { try? FileManager.default.removeItem(at: directory) }
        let document = directory.appendingPathComponent("document.json")
        try Data(json.utf8).write(to: document)
        let script = Fixtures.packageRoot.appendingPathComponent("tools/validate-json.py")
        let r = try await CommandRunner.run(executable: python, [script.path, schemaURL(kind).path, document.path])
        switch r.status {
        case 0: return []
        case 1: return r.stderr.split(separator: "\n").map(String.init)
        default:
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "validate-json: \(r.stderr)"])
        }
    }
}
