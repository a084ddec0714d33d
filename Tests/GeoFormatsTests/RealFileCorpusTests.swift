import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// Every area reader over a corpus of real files, each with the verdict its source gives.
///
/// Files written by others (JTS's validity suite, published CAP alerts, GDAL GeoPackages, country
/// outlines) and the project's own seeds, asserting the
/// verdict each source gives: valid or invalid for the validity suites, read or refused for the
/// rest. Prints the counts: files, verdicts matching, crashes (a throw that is not a `GeoError`).
@Suite struct RealFileCorpusTests {
    /// What a file must give.
    enum Verdict: Equatable, CustomStringConvertible {
        /// Read, and GEOS finds the area valid.
        case valid
        /// Read but invalid, or refused by the reader (a ring GEOS will not build is invalid too).
        case invalid
        /// Refused with a `GeoError` (not an area, or not a well-formed file).
        case refused
        /// Expected only: not accepted as a valid area (invalid or refused), where the source says
        /// the reader rejects the input, or for an empty geometry (JTS calls it valid; it holds no area).
        case notValid

        var description: String {
            switch self {
            case .valid: "valid"
            case .invalid: "invalid"
            case .refused: "refused"
            case .notValid: "invalid or refused"
            }
        }

        /// Whether an outcome meets this expectation.
        func accepts(_ got: Verdict) -> Bool { self == .notValid ? got != .valid : self == got }
    }

    struct Entry {
        var name: String
        var expected: Verdict
        var read: () throws -> AreaGeometry
    }

    struct Tally {
        var files = 0
        var matching = 0
        var crashes = 0
        var mismatches: [String] = []
    }

    /// Runs one entry: the reader, then GEOS's validity of what it read.
    static func verdict(_ entry: Entry, context: GEOSContext) -> Result<Verdict, any Error> {
        do {
            let area = try entry.read()
            do {
                return .success(try context.makeMultiPolygon(area.polygons).validity().isValid ? .valid : .invalid)
            } catch let e as GeoError where e.code == .invalidGeometry {
                return .success(.invalid)
            }
        } catch let e as GeoError {
            return .success(e.code == .invalidGeometry ? .invalid : .refused)
        } catch {
            return .failure(error)
        }
    }

    /// `--feature '#N'`.
    static func position(_ n: Int) -> FeatureChoice { FeatureID("#\(n)").map(FeatureChoice.id) ?? .single }

    static func url(_ path: String) -> URL {
        path.hasPrefix("tools/") ? Fixtures.packageRoot.appendingPathComponent(path) : Fixtures.url(path)
    }

    static func file(_ path: String, _ expected: Verdict, features: FeatureChoice = .single, layer: String? = nil)
        -> Entry
    {
        Entry(
            name: path + (layer.map { " --layer \($0)" } ?? "") + (features == .single ? "" : " (\(features))"),
            expected: expected
        ) {
            try AreaReader.read(
                contentsOf: url(path), crs: nil, layer: layer, features: features, context: try GEOSContext())
        }
    }

    /// JTS's isValid cases: polygonal ones get JTS's verdict (a reader refusal of an invalid one
    /// counts as invalid), the others (points, lines, empty) are not areas and must be refused.
    static func jtsEntries() throws -> [Entry] {
        let xml = try String(contentsOf: url("GeoTests/Fixtures/validity/jts_TestValid.xml"), encoding: .utf8)
        return xml.components(separatedBy: "<case>").dropFirst().enumerated().compactMap { i, block in
            func between(_ a: String, _ b: String) -> String? {
                guard let o = block.range(of: a), let c = block.range(of: b, range: o.upperBound..<block.endIndex)
                else { return nil }
                return String(block[o.upperBound..<c.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let wkt = between("<a>", "</a>"), let op = between("<op name=\"isValid\" arg1=\"A\">", "</op>")
            else { return nil }
            let text = wkt.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let upper = text.uppercased()
            let polygonal = upper.hasPrefix("POLYGON") || upper.hasPrefix("MULTIPOLYGON")
            // An empty geometry holds no area (JTS calls it valid).
            let empty =
                upper.replacingOccurrences(of: " ", with: "")
                .range(of: #"^[A-Z]+(EMPTY|\(EMPTY(,EMPTY)*\))$"#, options: .regularExpression) != nil
            let expected: Verdict = empty ? .notValid : !polygonal ? .refused : (op == "true" ? .valid : .invalid)
            return Entry(name: "jts #\(i + 1): \(text.prefix(50))", expected: expected) {
                try AreaReader.parseWKT(text, name: "jts-\(i + 1).wkt", crs: .rdNew, context: try GEOSContext())
            }
        }
    }

    /// The authored extra cases: their `is_valid`, or a reader error where they record one.
    static func extraEntries() throws -> [Entry] {
        let data = try Data(contentsOf: url("GeoTests/Fixtures/validity/extra_cases_geos_3.11.1.json"))
        guard case .object(let root) = try JSONDecoder().decode(JSONValue.self, from: data),
            case .array(let cases)? = root["cases"]
        else { return [] }
        return cases.enumerated().compactMap { i, c in
            guard case .object(let o) = c, case .string(let input)? = o["input"],
                case .string(let format)? = o["format"]
            else { return nil }
            let expected: Verdict =
                switch o["is_valid"] {
                case .bool(true)?: .valid
                case .bool(false)?: .invalid
                default: .notValid  // `reader_error`: the reader rejects the input
                }
            return Entry(name: "extra #\(i + 1) (\(format))", expected: expected) {
                if format == "geojson" {
                    return try AreaReader.parseGeoJSON(Data(input.utf8), name: "extra-\(i + 1).geojson")
                }
                return try AreaReader.parseWKT(
                    input, name: "extra-\(i + 1).wkt", crs: .rdNew, context: try GEOSContext())
            }
        }
    }

    static func fileEntries() throws -> [Entry] {
        let cap = "GeoTests/Fixtures/corpus/cap/"
        let gpkg = "tools/fuzz/corpus/gpkg/"
        let geojson = "tools/fuzz/corpus/geojson/"
        var entries: [Entry] = [
            // CAP: what the alerts are, as their source describes them.
            file(cap + "thunderstorm.cap", .valid),
            file(cap + "canada.cap", .refused),  // two different areas and no choice
            file(cap + "canada.cap", .valid, features: .all),
            file(cap + "canada.cap", .valid, features: position(2)),
            file(cap + "canada_errors.cap", .valid),  // a schema error only; its polygon is valid
            file(cap + "earthquake.cap", .refused),  // a circle of radius 0
            file(cap + "noaa_errors.cap", .refused),  // trailing commas in the pairs
            file(cap + "invalid.cap", .refused),  // no polygon or circle
            file(cap + "xee.cap", .refused),  // XXE: refused before parsing
            // GeoPackages: GDAL's files and the damaged seeds.
            file("GeoTests/Fixtures/corpus/gpkg/layers-srs.gpkg", .refused),  // three layers, none chosen
            file("GeoTests/Fixtures/corpus/gpkg/layers-srs.gpkg", .valid, layer: "wgs84"),
            file("GeoTests/Fixtures/corpus/gpkg/layers-srs.gpkg", .valid, layer: "rdnew"),
            file("GeoTests/Fixtures/corpus/gpkg/layers-srs.gpkg", .valid, layer: "lambert72"),
            file(gpkg + "gdal-rotterdam.gpkg", .valid),
            file(gpkg + "gdal-rotterdam-view.gpkg", .valid),
            file(gpkg + "gdal-rotterdam-view-null-fid.gpkg", .refused),
            file(gpkg + "gdal-rotterdam-missing-table.gpkg", .refused),
            file(gpkg + "gdal-rotterdam-null-srs.gpkg", .refused),
            file(gpkg + "multipolygon-hole.gpkg", .valid),
            file(gpkg + "rd-square.gpkg", .valid),
            file(gpkg + "small-pages.gpkg", .valid),
            // GeoJSON.
            file(geojson + "maastricht-670km2.geojson", .valid),
            file(geojson + "rotterdam-40km2.geojson", .valid),
            file(geojson + "multipolygon-hole.geojson", .valid),
            file(geojson + "featurecollection-rd.geojson", .valid),
            file(geojson + "feature-crs84.geojson", .valid),
            file(geojson + "point.geojson", .refused),
            file("GeoTests/Fixtures/corpus/boundaries/dcw_gmt_NL_BE_DE.geojson", .refused),  // three countries
        ]
        for n in 1...3 {
            entries.append(
                file(
                    "GeoTests/Fixtures/corpus/boundaries/dcw_gmt_NL_BE_DE.geojson", .valid,
                    features: position(n)))
        }
        return entries
    }

    @Test func everyReaderGivesEachFileItsVerdict() throws {
        let context = try GEOSContext()
        let entries = try Self.jtsEntries() + Self.extraEntries() + Self.fileEntries()
        var tally = Tally()
        for entry in entries {
            tally.files += 1
            switch Self.verdict(entry, context: context) {
            case .success(let got):
                if entry.expected.accepts(got) {
                    tally.matching += 1
                } else {
                    tally.mismatches.append("\(entry.name): expected \(entry.expected), got \(got)")
                }
            case .failure(let error):
                tally.crashes += 1
                tally.mismatches.append("\(entry.name): threw \(type(of: error)): \(error)")
            }
        }
        print(
            "corpus: \(tally.files) files, \(tally.matching) verdicts matching, \(tally.crashes) crashes"
                + (tally.mismatches.isEmpty ? "" : "\n  " + tally.mismatches.joined(separator: "\n  ")))
        #expect(tally.files == 87 + 9 + 31)
        #expect(tally.crashes == 0)
        #expect(tally.matching == tally.files, "\(tally.mismatches.joined(separator: "\n"))")
    }

    /// The XXE payload is refused before XMLParser sees it: its message names the protection and
    /// holds nothing of what the entity points at.
    @Test func theXXEPayloadIsRefusedWithoutResolvingAnything() throws {
        do {
            _ = try AreaReader.read(
                contentsOf: Self.url("GeoTests/Fixtures/corpus/cap/xee.cap"), crs: nil, context: try GEOSContext())
            Issue.record("xee.cap was read")
        } catch let e as GeoError {
            #expect(e.message.contains("DTDs and entities are not accepted (XXE protection)"), "\(e.message)")
            for leak in ["root:", "/bin/", "nologin"] { #expect(!e.message.contains(leak)) }
        }
    }
}
