import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// Robustness of the area readers (GeoJSON, WKT, CAP) and the borders reader under mutated input.
///
/// For `FANOUT_FUZZ_SECONDS` (default 2) per reader, plus every prefix of some small seeds. No input may crash or hang them; every refusal is a `GeoError` whose message
/// names the file; what they accept is usable (GEOS builds it and judges its validity). The seeds
/// and dictionaries are libFuzzer's (`tools/fuzz/`); `tools/fuzz.sh` runs the coverage-guided
/// fuzzer on the same readers.
@Suite struct ReaderFuzzTests {
    /// Reads `bytes` as an area file the way `select --polygon` and `area check` do; checks the outcome.
    static func checkArea(_ bytes: [UInt8], file: URL, context: GEOSContext) throws -> Bool {
        try Data(bytes).write(to: file)
        let area: AreaGeometry
        do { area = try AreaReader.read(contentsOf: file, crs: nil, context: context) } catch {
            try requireGeoError(error, naming: file.path)
            return false
        }
        try PropertyViolation.require(!area.polygons.isEmpty, "an area without polygons was accepted")
        try PropertyViolation.require(area.source == file.path, "the area names '\(area.source)'")
        // Usable: GEOS builds it (or refuses a bad ring, naming it) and judges its validity.
        do {
            let geometry = try context.makeMultiPolygon(area.polygons)
            _ = try geometry.validity()
        } catch {
            try PropertyViolation.require(error is GeoError, "building the area threw \(type(of: error)): \(error)")
            try PropertyViolation.require(!"\(error)".isEmpty, "an empty message building the area")
        }
        return true
    }

    /// A refusal must be a `GeoError` whose message names the input.
    static func requireGeoError(_ error: any Error, naming name: String) throws {
        try PropertyViolation.requireError(error, is: [GeoError.self], naming: name)
    }

    /// Runs the area reader on mutations of one corpus, then on every prefix of its small seeds.
    func fuzzArea(_ corpus: String, dictionary: String, openers: [String], prefixes: Bool = true) throws {
        let mutator = try InputMutator(corpus: corpus, dictionary: dictionary, openers: openers)
        let dir = try Fixtures.temporaryDirectory("reader-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("area.\(corpus)")
        let context = try GEOSContext()
        let run = FuzzRun.run("area-\(corpus)", mutator: mutator) {
            try Self.checkArea($0, file: file, context: context)
        }
        #expect(run.failure == nil, "\(run)")
        #expect(run.inputs > 0, "\(run)")
        guard prefixes else { return }
        let cut = FuzzRun.prefixes("area-\(corpus)", mutator: mutator, maxSeedBytes: 2048) {
            try Self.checkArea($0, file: file, context: context)
        }
        #expect(cut.failure == nil, "\(cut)")
    }

    @Test func geoJSONAreasSurviveMutatedInput() throws {
        try fuzzArea("geojson", dictionary: "json", openers: ["[", "{\"type\":\"Polygon\",\"coordinates\":["])
    }

    @Test func wktAreasSurviveMutatedInput() throws {
        try fuzzArea("wkt", dictionary: "wkt", openers: ["(", "POLYGON(", "GEOMETRYCOLLECTION("])
    }

    /// GeoPackage: damaged SQLite files, tables and geometry blobs. (No prefix run: the seeds are
    /// 8 to 40 KB, too many prefixes for the time budget.)
    @Test func geoPackageAreasSurviveMutatedInput() throws {
        try fuzzArea("gpkg", dictionary: "gpkg", openers: ["GP\u{0}\u{1}"], prefixes: false)
    }

    /// The GeoPackage geometry header: what decodes encodes and decodes again to the same fields.
    @Test func geoPackageBlobsRoundTrip() throws {
        let mutator = try InputMutator(corpus: "gpkg-blob", dictionary: "gpkg", openers: ["GP\u{0}\u{1}"])
        let check: ([UInt8]) throws -> Bool = { bytes in
            let blob: GeoPackageBinary
            do throws(GeoPackageBinary.DecodingError) { blob = try GeoPackageBinary.decode(bytes) } catch {
                try PropertyViolation.require(!error.reason.isEmpty, "an empty reason")
                return false
            }
            _ = GeoPackageBinary.curveTypeName(wkb: blob.wkb)
            let again = try GeoPackageBinary.decode(blob.encoded())
            func bits(_ e: Envelope?) -> [UInt64]? { e.map { [$0.minX, $0.minY, $0.maxX, $0.maxY].map(\.bitPattern) } }
            try PropertyViolation.require(
                again.srsID == blob.srsID && again.isEmpty == blob.isEmpty && again.wkb == blob.wkb
                    && bits(again.envelope) == bits(blob.envelope), "the round trip changed \(bytes.prefix(48))")
            return true
        }
        let run = FuzzRun.run("gpkg-blob", mutator: mutator, check: check)
        #expect(run.failure == nil, "\(run)")
        #expect(run.accepted > 0, "\(run)")
        let cut = FuzzRun.prefixes("gpkg-blob", mutator: mutator, check: check)
        #expect(cut.failure == nil, "\(cut)")
    }

    @Test func capAlertsSurviveMutatedInput() throws {
        try fuzzArea("cap", dictionary: "xml", openers: ["<a>", "<info>", "<area>"])
    }

    /// CAP's own guarantees on what it accepts: closed rings of at least 4 in-range vertices,
    /// circles with an in-range centre and a finite radius.
    @Test func capParseKeepsItsGuarantees() throws {
        let mutator = try InputMutator(corpus: "cap", dictionary: "xml", openers: ["<a>"])
        let run = FuzzRun.run("cap-parse", mutator: mutator) { bytes in
            let alert: CAPAlert
            do { alert = try CAPReader.parse(Data(bytes), name: "m.cap") } catch {
                try Self.requireGeoError(error, naming: "m.cap")
                return false
            }
            for a in alert.areas {
                for ring in a.polygons {
                    try PropertyViolation.require(ring.count >= 4 && ring.first == ring.last, "\(a.place): ring")
                    try PropertyViolation.require(
                        ring.allSatisfy { (-180...180).contains($0.x) && (-90...90).contains($0.y) }, "\(a.place)")
                }
                for c in a.circles {
                    try PropertyViolation.require(c.center.isInRange && c.radiusKm.isFinite && c.radiusKm >= 0, "\(c)")
                    // What select says about a circle must not trap on any radius.
                    _ = CAPReader.circleAdvice(c)
                    _ = CAPReader.describe(a)
                }
            }
            return true
        }
        #expect(run.failure == nil, "\(run)")
    }

    @Test func bordersReaderSurvivesMutatedInput() throws {
        let mutator = try InputMutator(corpus: "borders", dictionary: "json", openers: ["[", "{\"a\":"])
        let converter = try CoordinateConverter()
        let file = URL(fileURLWithPath: "/fuzz/borders.geojson")
        let check: ([UInt8]) throws -> Bool = { bytes in
            let borders: CountryBorders
            do { borders = try CountryBorders.parse(Data(bytes), file: file, converter: converter) } catch {
                try Self.requireGeoError(error, naming: file.path)
                return false
            }
            for t in borders.territories {
                try PropertyViolation.require(!t.polygons.isEmpty, "\(t.country): no polygons")
            }
            return true
        }
        let run = FuzzRun.run("borders", mutator: mutator, check: check)
        #expect(run.failure == nil, "\(run)")
        let prefixes = FuzzRun.prefixes("borders", mutator: mutator, check: check)
        #expect(prefixes.failure == nil, "\(prefixes)")
    }

    /// The mutator itself: deterministic in (seed, input number), and it does change its seeds.
    @Test func mutatorIsDeterministicAndMutates() throws {
        let mutator = InputMutator(seeds: [Array("{\"a\":[1,2.5]}".utf8)], tokens: [[0x22]], openers: [[0x5B]])
        let first = (0..<50).map { mutator.input(seed: 7, iteration: $0) }
        let again = (0..<50).map { mutator.input(seed: 7, iteration: $0) }
        #expect(first == again)
        #expect(Set(first).count > 40)
        #expect(first.contains { $0 != mutator.seeds[0] })
        #expect(InputMutator.parseDictionary("# c\n\"a\\x41\\\"\"\nname=\"\\\\\"\n") == [[0x61, 0x41, 0x22], [0x5C]])
    }
}
