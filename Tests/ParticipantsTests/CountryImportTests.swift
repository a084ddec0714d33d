import Foundation
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import Participants

/// The borders file, loaded once for the whole test process and handed to imports preloaded.
let importBorders: Result<CountryBorders, any Error> = Result {
    try CountryBorders.load(converter: try CoordinateConverter())
}

@Suite struct CountryImportTests {
    let borders: CountryBorders
    let options: ImportOptions

    init() throws {
        borders = try importBorders.get()
        options = ImportOptions(countries: .preloaded(borders))
    }

    func countries(_ s: Scratch) throws -> [Int64: String?] {
        try s.registry.pool.read { db in
            var out: [Int64: String?] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, country FROM participant") {
                out[row["id"]] = row["country"] as String?
            }
            return out
        }
    }

    /// The distance in whole metres from a WGS84 point to a country, as the warning prints it.
    func metres(_ lon: Double, _ lat: Double, to country: CountryCode) throws -> Int {
        let converter = try CoordinateConverter()
        let locator = try CountryLocator(borders: borders)
        let d = try #require(try locator.distance(from: try converter.toRD(LonLat(lon: lon, lat: lat)), to: country))
        return Int(d.rounded())
    }

    // MARK: - Deriving

    @Test func aFileWithoutACountryColumnGetsCountriesFromThePositions() throws {
        let s = try Scratch()
        let report = try s.registry.importCSV(
            try s.csv(
                """
                id,lon,lat
                1,4.92701,51.43626
                2,4.92340,51.43890
                3,6.0762,50.8530
                4,6.0752,50.8530
                5,6.2175,50.5641
                6,6.1296,49.6116
                7,5.6469,50.8927

                """), options: options)
        // Baarle: exclave H1 is BE, the counter-enclave inside it NL; Kerkrade's Nieuwstraat: the
        // east side DE, the west side NL (24 m from the border); Mützenich: a German enclave in
        // Belgium; Luxembourg: none of the three; Lanaken: BE.
        #expect(try countries(s) == [1: "BE", 2: "NL", 3: "DE", 4: "NL", 5: "DE", 6: nil, 7: "BE"])
        #expect(report.countriesDerived == 6 && report.countriesUnknown == 1)
        #expect(report.countriesDerivedNearBorder == 1)
        #expect(report.countryContradictions == 0 && report.warnings.isEmpty)
    }

    @Test func anEmptyCountryFieldIsDerivedAndAGivenOneKept() throws {
        let s = try Scratch()
        let report = try s.registry.importCSV(
            try s.csv("id,lon,lat,country\n1,4.93908,51.44876,\n2,4.93908,51.44876,BE\n3,4.8930,52.3731,\n"),
            options: options)
        #expect(try countries(s) == [1: "BE", 2: "BE", 3: "NL"])
        #expect(report.countriesDerived == 2 && report.warnings.isEmpty)
    }

    @Test func theDefaultOptionsFindTheBordersInTheDataDirectory() throws {
        let s = try Scratch()
        let report = try s.registry.importCSV(try s.csv("id,lon,lat\n1,4.92701,51.43626\n"))
        #expect(report.countriesDerived == 1)
        #expect(try countries(s) == [1: "BE"])
    }

    @Test func importsAndRegistrationsReadTheRegistrysDataDirectory() throws {
        let s = try Scratch()
        // A data directory with the grid but no borders: the default import and a registration
        // that must derive a country look there, and only there.
        let data = s.dir.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.packageRoot.appendingPathComponent("data/rdtrans2018.gsb"),
            to: data.appendingPathComponent("rdtrans2018.gsb"))
        let registry = try Registry.open(at: s.dir.appendingPathComponent("d.sqlite").path, data: .directory(data))
        #expect(registry.data == .directory(data) && registry.rdGrid == .required)
        let error = try #require(throws: GeoError.self) {
            try registry.importCSV(try s.csv("id,lon,lat\n1,4.92701,51.43626\n"))
        }
        #expect(error.code == .countryBorders)
        #expect(error.message.contains("borders-nl-be-de.geojson is not in the data directory \(data.path)"))
        let record = try ParticipantRecord(id: 1, position: SourcePoint(x: 4.92701, y: 51.43626, crs: .wgs84))
        #expect(throws: GeoError.self) { try registry.upsert([record]) }
        #expect(try registry.count() == 0)
        // Without the grid there, a required grid refuses the import before any row is read.
        let noGrid = try Registry.open(at: s.dir.appendingPathComponent("e.sqlite").path, data: .directory(s.dir))
        let gridError = try #require(throws: GeoError.self) {
            try noGrid.importCSV(
                try s.csv("id,lon,lat,country\n1,4.9,52.3,NL\n"), options: ImportOptions(countries: .off))
        }
        #expect(gridError.code == .correctionGrid && gridError.message.contains(s.dir.path))
    }

    @Test func withCountriesOffTheColumnIsTakenAsGiven() throws {
        let s = try Scratch()
        let report = try s.registry.importCSV(
            try s.csv("id,lon,lat,country\n1,4.92701,51.43626,\n2,4.92701,51.43626,NL\n"),
            options: ImportOptions(countries: .off))
        #expect(try countries(s) == [1: nil, 2: "NL"])
        #expect(report.countriesDerived == 0 && report.warnings.isEmpty)
    }

    @Test func aMissingBordersFileRefusesTheImport() throws {
        let s = try Scratch()
        let missing = s.dir.appendingPathComponent("nowhere.geojson")
        let error = try #require(throws: GeoError.self) {
            try s.registry.importCSV(
                try s.csv("id,lon,lat\n1,4.9,52.3\n"), options: ImportOptions(countries: .borders(.file(missing))))
        }
        #expect(error.code == .countryBorders && error.message.contains(missing.path))
        #expect(try s.registry.count() == 0)
    }

    // MARK: - Contradictions

    @Test func aContradictedCountryGivesAWarningNamingTheLine() throws {
        let s = try Scratch()
        let url = try s.csv(
            """
            id,lon,lat,country,phone,email
            1,5.6909,50.8514,NL,+31 6 1234 5678,a@example.nl
            2,4.92701,51.43626,NL,+31 6 1234 5679,b@example.nl
            3,6.0762,50.8530,NL,,
            4,6.0752,50.8530,DE,,
            5,5.6909,50.8514,FR,+33 6 1234 5678,c@example.fr
            6,6.1296,49.6116,BE,,

            """)
        let report = try s.registry.importCSV(url, options: options)
        let h1 = try metres(4.92701, 51.43626, to: .nl)
        let street = try metres(6.0762, 50.8530, to: .nl)
        let luxembourg = try metres(6.1296, 49.6116, to: .be)
        #expect(h1 > 250 && street > 25 && luxembourg > 1000)
        #expect(
            report.warnings == [
                "\(url.path):3: country NL given, but the position lies in BE, \(h1) m from NL",
                "\(url.path):4: country NL given, but the position lies in DE, \(street) m from NL",
                "\(url.path):6: country FR given, but the position lies in NL, 3.3 km inside its border",
                "\(url.path):7: country BE given, but the position lies outside NL, BE and DE, "
                    + "\(CountryResolver.meters(Double(luxembourg))) from BE",
            ])
        // Row 4 lies 24 m on the Dutch side of Nieuwstraat: within the tolerance, so DE is accepted.
        #expect(report.countryContradictions == 4 && report.warningsOmitted == 0)
        // Countries are stored as given, and no warning quotes a phone number or e-mail address.
        #expect(try countries(s) == [1: "NL", 2: "NL", 3: "NL", 4: "DE", 5: "FR", 6: "BE"])
        for w in report.warnings { #expect(!w.contains("+3") && !w.contains("@")) }
    }

    @Test func warningsAreCappedAtTwentyAndTheRestCounted() throws {
        let s = try Scratch()
        var text = "id,lon,lat,country\n"
        for i in 1...25 { text += "\(i),4.92701,51.43626,DE\n" }
        let report = try s.registry.importCSV(try s.csv(text), options: options)
        #expect(report.countryContradictions == 25)
        #expect(report.warnings.count == 20 && report.warningsOmitted == 5)
        let first = try #require(report.warnings.first)
        #expect(
            first.contains("p.csv:2: country DE given, but the position lies in BE, ") && first.hasSuffix(" km from DE")
        )
        #expect(report.warnings.last?.contains("p.csv:21: ") == true)
    }

    // MARK: - Re-import

    @Test func reimportWithoutACountryColumnKeepsStoredCountriesAndFillsMissingOnes() throws {
        let s = try Scratch()
        _ = try s.registry.importCSV(
            try s.csv("id,lon,lat,country\n1,4.92701,51.43626,FR\n2,4.92701,51.43626,\n", name: "a.csv"),
            options: ImportOptions(countries: .off))
        #expect(try countries(s) == [1: "FR", 2: nil])
        let report = try s.registry.importCSV(
            try s.csv("id,lon,lat\n1,4.92701,51.43626\n2,4.92701,51.43626\n3,4.92340,51.43890\n", name: "b.csv"),
            options: options)
        #expect(try countries(s) == [1: "FR", 2: "BE", 3: "NL"])
        #expect(report.updated == 2 && report.inserted == 1)
    }
}
