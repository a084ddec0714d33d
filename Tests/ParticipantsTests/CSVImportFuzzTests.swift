import Foundation
import Geo
import TestSupport
import Testing

@testable import Participants

/// Robustness of the participant CSV import under random and mutated input.
///
/// `FANOUT_FUZZ_SECONDS` (default 2) per test. Every refusal is the import's own error naming the file (and, for a row,
/// the line and field), phone numbers and e-mail addresses are never quoted in it, and what is
/// accepted is a checked row. The seeds and dictionary are libFuzzer's (`tools/fuzz/`).
@Suite struct CSVImportFuzzTests {
    static func mutator() throws -> InputMutator {
        try InputMutator(corpus: "participant-csv", dictionary: "csv", openers: ["\"", ",", "\n"])
    }

    /// Reads every record of `file` through the import's reader and row checks.
    ///
    /// - Returns: Whether every row was accepted.
    static func checkRows(_ bytes: [UInt8], file: URL) throws -> Bool {
        try Data(bytes).write(to: file)
        let path = file.path
        var reader = try CSVReader(url: file, chunkSize: 64)  // small chunks: records cross chunk ends
        let layout: CSVLayout
        do {
            guard let header = try reader.next() else { return false }
            layout = try CSVLayout(header: header.fields, path: path, crs: nil)
        } catch {
            try requireOwnError(error, naming: path)
            return false
        }
        var allAccepted = true
        while true {
            let record: CSVReader.Record
            do {
                guard let r = try reader.next() else { break }
                record = r
            } catch {
                try requireOwnError(error, naming: path)
                return false
            }
            do {
                let row = try layout.parse(record, path: path)
                let id = row.record.id
                try PropertyViolation.require(id > 0 && row.line == record.line, "row \(id) line \(row.line)")
                try PropertyViolation.require(row.x.isFinite && row.y.isFinite, "a non-finite position accepted")
                if let c = row.record.country?.description {
                    try PropertyViolation.require(
                        c.utf8.count == 2 && c.utf8.allSatisfy { (65...90).contains($0) }, "country '\(c)'")
                }
                if let l = row.record.language?.code {
                    try PropertyViolation.require(l == l.lowercased() && (2...3).contains(l.count), "language '\(l)'")
                }
            } catch let error as PropertyViolation {
                throw error
            } catch {
                allAccepted = false
                try requireOwnError(error, naming: "\(path):\(record.line)")
                // Personal data is described, never quoted.
                let text = "\(error)"
                for (column, name) in layout.attributes.filter({ [.phone, .email].contains($0.column) }).map({
                    ($0.index, $0.column.sqlName)
                }) {
                    guard column < record.fields.count, text.contains("field '\(name)'") else { continue }
                    let value = record.fields[column].trimmingCharacters(in: .whitespaces)
                    try PropertyViolation.require(
                        value.count < 4 || !text.contains(value), "the \(name) is quoted in: \(text)")
                }
            }
        }
        return allAccepted
    }

    static func requireOwnError(_ error: any Error, naming name: String) throws {
        try PropertyViolation.requireError(error, is: [RegistryError.self, GeoError.self], naming: name)
    }

    @Test func csvRowsSurviveMutatedInput() throws {
        let dir = try Fixtures.temporaryDirectory("csv-fuzz")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.csv")
        let mutator = try Self.mutator()
        let run = FuzzRun.run("participant-rows", mutator: mutator) { try Self.checkRows($0, file: file) }
        #expect(run.failure == nil, "\(run)")
        let prefixes = FuzzRun.prefixes("participant-rows", mutator: mutator) { try Self.checkRows($0, file: file) }
        #expect(prefixes.failure == nil, "\(prefixes)")
    }

    /// The whole import (transaction, transformation, countries): a refused file changes nothing.
    @Test func importIsAllOrNothingOnMutatedInput() throws {
        // Small borders (three squares, tools/fuzz/borders-small.geojson): the country code paths
        // run, and the locator every import builds stays cheap.
        let small = Fixtures.packageRoot.appendingPathComponent("tools/fuzz/borders-small.geojson")
        let borders = try CountryBorders.load(.file(small), converter: try CoordinateConverter())
        let dir = try Fixtures.temporaryDirectory("csv-fuzz-import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("p.csv")
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        let options = ImportOptions(countries: .preloaded(borders))
        let run = FuzzRun.run("participant-import", mutator: try Self.mutator()) { bytes in
            try Data(bytes).write(to: file)
            let before = try registry.count()
            do {
                let report = try registry.importCSV(file, options: options)
                try PropertyViolation.require(report.rows > 0, "an import without rows succeeded")
                try PropertyViolation.require(
                    try registry.count() == before + report.inserted, "the count does not match the report")
                return true
            } catch {
                try Self.requireOwnError(error, naming: file.path)
                try PropertyViolation.require(try registry.count() == before, "a refused import changed the registry")
                return false
            }
        }
        #expect(run.failure == nil, "\(run)")
        #expect(run.inputs > 0, "\(run)")
    }
}

/// Memory limits of the CSV reader.
@Suite struct CSVReaderLimitTests {
    /// A file without line ends (or with a quote never closed) used to be held whole as one
    /// record, so memory grew with the file; a record is now limited to 1 MiB.
    @Test(arguments: ["id,lon,lat\n1,5,52,", "id,lon,lat\n\"1,5,52\n"])
    func recordLongerThanOneMebibyteIsRefused(start: String) throws {
        let dir = try Fixtures.temporaryDirectory("csv-limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("long.csv")
        try Data((start + String(repeating: "9", count: CSVReader.maxRecordBytes)).utf8).write(to: file)
        var reader = try CSVReader(url: file)
        #expect(try reader.next()?.fields == ["id", "lon", "lat"])
        let message: String
        do {
            _ = try reader.next()
            message = "no error"
        } catch let e as RegistryError {
            message = e.message
        }
        #expect(
            message
                == "\(file.path):2: a record longer than 1048576 bytes (a quote that is never closed, or not a "
                + "CSV file?)")
    }

    /// A record just under the limit is still read whole.
    @Test func recordJustUnderTheLimitIsRead() throws {
        let dir = try Fixtures.temporaryDirectory("csv-limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ok.csv")
        let field = String(repeating: "x", count: CSVReader.maxRecordBytes - 10)
        try Data("a,b\n1,\(field)\n".utf8).write(to: file)
        var reader = try CSVReader(url: file)
        _ = try reader.next()
        #expect(try reader.next()?.fields == ["1", field])
    }
}
