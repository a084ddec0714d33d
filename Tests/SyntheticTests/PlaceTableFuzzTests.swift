import Foundation
import TestSupport
import Testing

@testable import Synthetic
import Geo
import FanoutLab

/// Robustness of the place-table reader (`CSVRecordReader` under `PlaceTable`) under random and
/// mutated bytes (`FANOUT_FUZZ_SECONDS`, default 2 s): every refusal is a `SyntheticError` naming
/// the file and line; every accepted place is in range.
@Suite struct PlaceTableFuzzTests {
    static func check(_ bytes: [UInt8]) throws -> Bool {
        let places: [Place]
        do { places = try PlaceTable.parse(bytes: bytes, file: "places-fuzz.csv") } catch {
            try PropertyViolation.require(error is SyntheticError, "threw \(type(of: error)): \(error)")
            let e = error as? SyntheticError
            try PropertyViolation.require(
                "\(error)".hasPrefix("places-fuzz.csv:") && e?.line != nil, "file or line missing: \(error)")
            return false
        }
        for p in places {
            try PropertyViolation.require(
                (-180...180).contains(p.lon) && (-90...90).contains(p.lat) && p.population >= 0 && !p.name.isEmpty
                    && p.country.utf8.count == 2, "an unchecked place accepted: \(p)")
        }
        return true
    }

    @Test func placeTableSurvivesMutatedInput() throws {
        let mutator = try InputMutator(corpus: "place-csv", dictionary: "csv", openers: ["\"", ","])
        let run = FuzzRun.run("place-table", mutator: mutator, check: Self.check)
        #expect(run.failure == nil, "\(run)")
        #expect(run.inputs > 0 && run.accepted > 0, "\(run)")
        let prefixes = FuzzRun.prefixes("place-table", mutator: mutator, check: Self.check)
        #expect(prefixes.failure == nil, "\(prefixes)")
    }
}
