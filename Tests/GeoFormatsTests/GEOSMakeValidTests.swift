import Foundation
import GeoTestSupport
import Testing

@testable import Geo
import GeoFormats

/// One case of `extra_cases_geos_3.11.1.json` with both recorded MakeValid outputs.
struct MakeValidCase: Decodable, Sendable, CustomTestStringConvertible {
    var `case`: String
    var format: String
    var input: String
    // swift-format-ignore: AlwaysUseLowerCamelCase
    var make_valid_linework: String?
    // swift-format-ignore: AlwaysUseLowerCamelCase
    var make_valid_structure: String?

    var testDescription: String { `case` }

    /// The cases that record MakeValid outputs (7 of 9; the two unclosed rings never get read).
    static let all: [MakeValidCase] = {
        struct File: Decodable { var cases: [MakeValidCase] }
        let url = geoFixtures.appendingPathComponent("validity/extra_cases_geos_3.11.1.json")
        guard let data = try? Data(contentsOf: url), let file = try? JSONDecoder().decode(File.self, from: data) else {
            return []
        }
        return file.cases.filter { $0.make_valid_linework != nil }
    }()

    /// The input as a GEOS geometry: WKT directly, GeoJSON through the area reader.
    func geometry(_ context: GEOSContext) throws -> GEOSGeometry {
        if format == "wkt" { return try context.readWKT(input) }
        let area = try AreaReader.parseGeoJSON(Data(input.utf8), name: "case")
        return try context.makePolygon(area.polygons[0])
    }
}

@Suite("GEOS MakeValid")
struct GEOSMakeValidTests {
    @Test("seven recorded cases")
    func count() { #expect(MakeValidCase.all.count == 7) }

    @Test("both methods give the outputs recorded with GEOS 3.11.1", arguments: MakeValidCase.all)
    func recorded(_ c: MakeValidCase) throws {
        try withCheckedContext { context in
            let input = try c.geometry(context)
            for (method, expected) in [
                (MakeValidMethod.linework, c.make_valid_linework), (.structure, c.make_valid_structure),
            ] {
                let expectedGeometry = try context.readWKT(expected ?? "")
                let output = try input.makeValid(method: method)
                #expect(try output.toWKT() == expectedGeometry.toWKT(), "\(method)")
                #expect(try output.validity().isValid, "\(method)")
            }
        }
    }

    @Test("polygonal parts keep polygons and name what is dropped")
    func polygonalParts() throws {
        try withCheckedContext { context in
            let spike = try context.readWKT("POLYGON((0 0, 10 0, 10 5, 15 5, 10 5, 10 10, 0 10, 0 0))")
            let (polygons, dropped) = try spike.makeValid(method: .linework).polygonalParts()
            #expect(polygons.count == 1)
            #expect(dropped == [.lineString])
            let collapsed = try context.readWKT("POLYGON((0 0, 10 0, 0 0))")
            let structure = try collapsed.makeValid(method: .structure).polygonalParts()
            #expect(structure.polygons.isEmpty && structure.dropped.isEmpty)
            let linework = try collapsed.makeValid(method: .linework).polygonalParts()
            #expect(linework.polygons.isEmpty && linework.dropped == [.lineString])
        }
    }
}
