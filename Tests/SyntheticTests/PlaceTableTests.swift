import FanoutLab
import Foundation
import Geo
import Synthetic
import TestSupport
import Testing

@Suite struct PlaceTableTests {
    @Test func bundledTableHasTheDutchPlacesAndTheBorderStrip() throws {
        let places = try PlaceTable.load()
        let byCountry = Dictionary(grouping: places, by: \.country).mapValues(\.count)
        #expect(Set(byCountry.keys) == ["NL", "BE", "DE"])
        #expect(byCountry["NL", default: 0] > 1_500)
        #expect(byCountry["BE", default: 0] > 100)
        #expect(byCountry["DE", default: 0] > 100)
        let amsterdam = try #require(places.first { $0.name == "Amsterdam" && $0.country == "NL" })
        #expect(abs(amsterdam.lon - 4.89) < 0.05 && abs(amsterdam.lat - 52.37) < 0.05)
        #expect(amsterdam.population > 500_000)
    }

    @Test func bundledResourceIsByteIdenticalToTheDataFile() throws {
        let data = try Data(contentsOf: Fixtures.packageRoot.appendingPathComponent("data/places.csv"))
        let resource = try Data(
            contentsOf: Fixtures.packageRoot.appendingPathComponent("Sources/Synthetic/Resources/places.csv"))
        #expect(data == resource, "run python3 tools/make_places.py: it writes both files")
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(try PlaceTable.load() == PlaceTable.parse(csv: text))
    }

    @Test func parsesQuotedFieldsAnyColumnOrderAndCRLF() throws {
        let csv = "population,lat,lon,country,name\r\n12,52.5,4.5,NL,\"Den Haag, \"\"centrum\"\"\"\r\n0,51.0,-0.5,BE,X"
        let places = try PlaceTable.parse(csv: csv)
        #expect(
            places == [
                Place(name: "Den Haag, \"centrum\"", country: "NL", lon: 4.5, lat: 52.5, population: 12),
                Place(name: "X", country: "BE", lon: -0.5, lat: 51.0, population: 0),
            ])
    }

    @Test(
        arguments: [
            ("name,country,lon,population\nA,NL,4.5,10\n", 1, "lat"),
            ("", 1, nil),
            ("name,country,lon,lat,population\nA,NL,4.5,52.1,10\nB,NL,4.x,52.1,10\n", 3, "lon"),
            ("name,country,lon,lat,population\nA,NL,4.5,abc,10\n", 2, "lat"),
            ("name,country,lon,lat,population\nA,NL,4.5,52.1,10\nB,NL,4.5,95,10\n", 3, "lat"),
            ("name,country,lon,lat,population\nA,NL,4.5,52.1,ten\n", 2, "population"),
            ("name,country,lon,lat,population\nA,NL,4.5,52.1,-3\n", 2, "population"),
            ("name,country,lon,lat,population\nA,Netherlands,4.5,52.1,3\n", 2, "country"),
            ("name,country,lon,lat,population\n,NL,4.5,52.1,3\n", 2, "name"),
            ("name,country,lon,lat,population\nA,NL,4.5,52.1\n", 2, nil),
            ("name,country,lon,lat,population\n\"A,NL,4.5,52.1,3\n", 2, nil),
        ] as [(String, Int, String?)])
    func parseErrorsNameTheLineAndTheField(csv: String, line: Int, field: String?) throws {
        let error = try #require(throws: SyntheticError.self) { try PlaceTable.parse(csv: csv) }
        #expect(error.code == .invalidPlaceTable)
        #expect(error.line == line)
        #expect(error.field == field)
        #expect(error.description.contains("\(line):"))
        if let field { #expect(error.description.contains("field '\(field)'")) }
    }

    @Test func aNULByteInAValueIsRefusedNotCutOff() throws {
        // Double("52\u{0}.9") is 52: the NUL must never reach it.
        let csv = "name,country,lon,lat,population\nA,NL,4.5,52.1,10\nB,NL,4.5,52\u{0}.9,10\n"
        let error = try #require(throws: SyntheticError.self) { try PlaceTable.parse(csv: csv) }
        #expect(error.code == .invalidPlaceTable && error.line == 3)
        #expect(error.description.contains("field 4 holds a NUL byte (0x00) at byte 60"), "\(error.description)")
    }
}
