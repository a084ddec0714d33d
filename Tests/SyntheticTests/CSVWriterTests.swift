import FanoutLab
import Foundation
import Geo
import Synthetic
import TestSupport
import Testing

@Suite struct CSVWriterTests {
    private func write(count: Int, seed: UInt64, in directory: URL, name: String = "people.csv") throws -> Data {
        let url = directory.appendingPathComponent(name)
        try PopulationGenerator.writeCSV(
            count: count, seed: seed, places: PlaceTable.load(), countries: Borders.lookup, to: url, progress: nil)
        return try Data(contentsOf: url)
    }

    private func contents(of directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    @Test func sameSeedGivesByteIdenticalFilesAndAnotherSeedDoesNot() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = try write(count: 20_000, seed: 99, in: directory, name: "a.csv")
        let b = try write(count: 20_000, seed: 99, in: directory, name: "b.csv")
        let c = try write(count: 20_000, seed: 100, in: directory, name: "c.csv")
        #expect(a == b)
        #expect(a != c)
        #expect(try contents(of: directory) == ["a.csv", "b.csv", "c.csv"], "no temporary file remains")
    }

    @Test func rowsMatchTheGeneratedParticipants() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = try #require(String(data: try write(count: 3_000, seed: 5, in: directory), encoding: .utf8))
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.removeLast() == "")
        #expect(lines.removeFirst() == "id,lon,lat,country,phone,email,language")
        var expected: [String] = []
        PopulationGenerator(places: try PlaceTable.load(), countries: Borders.lookup, seed: 5).generate(count: 3_000) {
            p in
            let lon = String(format: "%.6f", p.lon)
            let lat = String(format: "%.6f", p.lat)
            expected.append("\(p.id),\(lon),\(lat),\(p.country),\(p.phone),\(p.email ?? ""),\(p.language)")
        }
        #expect(lines.map(String.init) == expected)
    }

    @Test func negativeLongitudesAndZeroAreFormattedWithSixDecimals() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let places = [Place(name: "Greenwich", country: "GB", lon: -0.0005, lat: 51.4779, population: 0)]
        let url = directory.appendingPathComponent("gb.csv")
        // A lookup that puts every position in GB (the borders file has no GB).
        let everywhereGB = CountryOfPosition(codes: ["GB"]) { _, _ in 0 }
        try PopulationGenerator.writeCSV(
            count: 2_000, seed: 1, places: places, countries: everywhereGB, to: url, progress: nil)
        let text = try String(contentsOf: url, encoding: .utf8)
        var parsed: [SyntheticParticipant] = []
        PopulationGenerator(places: places, countries: everywhereGB, seed: 1).generate(count: 2_000) {
            parsed.append($0)
        }
        #expect(parsed.contains { $0.lon < 0 } && parsed.contains { $0.lon > 0 })
        for (line, p) in zip(text.split(separator: "\n").dropFirst(), parsed) {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            #expect(fields[1] == String(format: "%.6f", p.lon))
            #expect(fields[5] == (p.email ?? "")[...])
            #expect(fields[5].isEmpty || fields[5].hasSuffix("@example.com"))
        }
    }

    @Test func anInvalidCountThrowsBeforeAnythingIsWritten() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("people.csv")
        let error = try #require(throws: SyntheticError.self) {
            try PopulationGenerator.writeCSV(
                count: -1, seed: 1, places: PlaceTable.load(), countries: Borders.lookup, to: url, progress: nil)
        }
        #expect(error.code == .invalidArgument)
        #expect(try contents(of: directory).isEmpty)
        #expect(throws: SyntheticError.self) {
            try PopulationGenerator.writeCSV(
                count: 10, seed: 1, places: [], countries: Borders.lookup, to: url, progress: nil)
        }
        #expect(try contents(of: directory).isEmpty)
    }

    @Test func aFailureHalfwayLeavesNoFileAndKeepsTheOldOne() throws {
        struct Stop: Error {}
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("people.csv")
        let places = try PlaceTable.load()
        #expect(throws: Stop.self) {
            try PopulationGenerator.writeCancellableCSV(
                count: 100_000, seed: 1, places: places, countries: Borders.lookup, to: url
            ) { rows in
                if rows < 100_000 { throw Stop() }
            }
        }
        #expect(try contents(of: directory).isEmpty)

        try Data("old\n".utf8).write(to: url)
        #expect(throws: Stop.self) {
            try PopulationGenerator.writeCancellableCSV(
                count: 100_000, seed: 1, places: places, countries: Borders.lookup, to: url
            ) { _ in
                throw Stop()
            }
        }
        #expect(try contents(of: directory) == ["people.csv"])
        #expect(try Data(contentsOf: url) == Data("old\n".utf8))
    }

    @Test func progressIsReportedAndEndsWithTheCount() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        var reports: [Int] = []
        try PopulationGenerator.writeCSV(
            count: 50_000, seed: 1, places: PlaceTable.load(), countries: Borders.lookup,
            to: directory.appendingPathComponent("p.csv"),
            progress: { reports.append($0) })
        #expect(reports.count >= 3)
        #expect(reports == reports.sorted())
        #expect(reports.last == 50_000)
    }

    @Test func writingAnEmptyPopulationGivesJustTheHeader() throws {
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(try write(count: 0, seed: 1, in: directory) == Data("id,lon,lat,country,phone,email,language\n".utf8))
    }

    /// Measures 1.6 million rows (the size of the real network); skipped unless SYNTHETIC_BENCH_ROWS is set.
    ///
    /// Run it in release mode (`-enable-testing` because other test targets use `@testable`):
    /// `SYNTHETIC_BENCH_ROWS=1600000 swift test -c release -Xswiftc -enable-testing --filter CSVWriterTests/timing`.
    /// It prints the times and asserts none.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SYNTHETIC_BENCH_ROWS"] != nil))
    func timing() throws {
        let rows = Int(ProcessInfo.processInfo.environment["SYNTHETIC_BENCH_ROWS"] ?? "") ?? 1_600_000
        let directory = try Fixtures.temporaryDirectory("synthetic")
        defer { try? FileManager.default.removeItem(at: directory) }
        let places = try PlaceTable.load()
        let url = directory.appendingPathComponent("bench.csv")
        let clock = ContinuousClock()
        let write = clock.measure {
            try? PopulationGenerator.writeCSV(
                count: rows, seed: 1, places: places, countries: Borders.lookup, to: url, progress: nil)
        }
        var sink = 0
        let generate = clock.measure {
            PopulationGenerator(places: places, countries: Borders.lookup, seed: 1).generate(count: rows) {
                sink &+= Int($0.id)
            }
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        print("SYNTHETIC_BENCH rows=\(rows) writeCSV=\(write) generate=\(generate) bytes=\(size ?? -1) (\(sink))")
        #expect(size != nil)
    }
}
