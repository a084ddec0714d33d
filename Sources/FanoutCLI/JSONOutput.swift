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

/// The `--json` documents: what each command reports, as one JSON document on standard output.
///
/// Every document is an object with `schema_version` (``schemaVersion``) and `kind` (the
/// ``Kind``, which names its schema `docs/schemas/KIND.schema.json`) beside the report's own
/// keys, sorted, in snake_case. Warnings, progress and errors stay text on standard error; exit
/// statuses are those of the text output. This is the only place documents are encoded.
enum JSONOutput {
    /// The version of every schema; it increases on any incompatible change (docs/cli.md).
    static let schemaVersion = 1

    /// The documents, one per reporting command; the raw value is the `kind` and the schema's name.
    enum Kind: String, CaseIterable {
        case importReport = "import"
        case actionStart = "action-start"
        case actionEnlarge = "action-enlarge"
        case actionStop = "action-stop"
        case actionEnd = "action-end"
        case actionRun = "action-run"
        case actionStatus = "action-status"
        case actionExplain = "action-explain"
        case areaCheck = "area-check"
        case areaFix = "area-fix"
        case areaConvert = "area-convert"
        case areaMap = "area-map"
        case areaSuggest = "area-suggest"
        case loadtest = "loadtest"
        case loadtestDispatch = "loadtest-dispatch"
        case version = "version"
    }

    /// `body` with `schema_version` and `kind` added to its top-level object.
    private struct Document<Body: Encodable>: Encodable {
        var kind: Kind
        var body: Body
        var more: [(key: String, value: any Encodable)]

        func encode(to encoder: any Encoder) throws {
            try body.encode(to: encoder)
            var c = encoder.container(keyedBy: JSONKey.self)
            for (key, value) in more { try c.encode(value, forKey: JSONKey(key)) }
            try c.encode(JSONOutput.schemaVersion, forKey: "schema_version")
            try c.encode(kind.rawValue, forKey: "kind")
        }
    }

    /// JSON's `null`, for a key of ``print(_:_:adding:)`` that has no value.
    struct Null: Encodable {
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encodeNil()
        }
    }

    /// A body without keys of its own: the document is the keys given with `adding`.
    struct Fields: Encodable {
        func encode(to encoder: any Encoder) throws { _ = encoder.container(keyedBy: JSONKey.self) }
    }

    /// The document of `kind` for `body` (an object) and the keys in `more` (`nil` is written as
    /// `null`), pretty-printed with sorted keys, ending in a newline.
    ///
    /// Keys the body's type leaves in camelCase (the area reports' synthesized ones) are written
    /// in snake_case; keys already in snake_case stay as they are. A non-finite number, which no
    /// report should hold, is written as the string `"nan"`, `"inf"` or `"-inf"` (and then fails
    /// its schema) rather than losing the document.
    ///
    /// - Throws: `EncodingError` when the body cannot be encoded.
    static func text(
        _ kind: Kind, _ body: some Encodable, adding more: KeyValuePairs<String, any Encodable> = [:]
    ) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let data = try encoder.encode(Document(kind: kind, body: body, more: Array(more)))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Prints the document of `kind` for `body` and `more` on standard output.
    ///
    /// - Throws: `EncodingError` when the body cannot be encoded (nothing is printed then).
    static func print(
        _ kind: Kind, _ body: some Encodable, adding more: KeyValuePairs<String, any Encodable> = [:]
    ) throws {
        StandardOutput.print(try text(kind, body, adding: more))
    }
}

extension JSONOutput {
    /// The help of every command's `--json` flag.
    static func flagHelp(_ more: String = "") -> ArgumentHelp {
        ArgumentHelp(
            "Print the report as one JSON document (schema docs/schemas/<command>.schema.json); warnings, progress "
                + "and errors stay text on standard error." + (more.isEmpty ? "" : " " + more))
    }
}
