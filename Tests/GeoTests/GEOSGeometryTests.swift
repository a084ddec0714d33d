import GeoTestSupport
import Testing

@testable import Geo

@Suite("GEOS geometry")
struct GEOSGeometryTests {
    static let squareWithHole = PlanarPolygon(shell: rectangle(0, 0, 10, 10), holes: [rectangle(2, 2, 4, 4)])

    // MARK: - Building and extracting

    @Test("a polygon round-trips through GEOS with its holes")
    func polygonRoundTrip() throws {
        try withCheckedContext { context in
            let geometry = try context.makePolygon(Self.squareWithHole)
            #expect(try geometry.typeID == .polygon)
            #expect(try !geometry.isEmpty)
            #expect(try geometry.polygons() == [Self.squareWithHole])
        }
    }

    @Test("a multipolygon round-trips part by part")
    func multiPolygonRoundTrip() throws {
        let parts = [Self.squareWithHole, PlanarPolygon(shell: [XY(20, 0), XY(30, 0), XY(25, 8), XY(20, 0)])]
        try withCheckedContext { context in
            let geometry = try context.makeMultiPolygon(parts)
            #expect(try geometry.typeID == .multiPolygon)
            #expect(try geometry.polygons() == parts)
            let expected =
                "MULTIPOLYGON (((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 4 2, 4 4, 2 4, 2 2)), ((20 0, 30 0, 25 8, 20 0)))"
            #expect(try geometry.toWKT() == expected)
        }
    }

    @Test("empty inputs: no parts, POLYGON EMPTY, empty parts are skipped")
    func empties() throws {
        try withCheckedContext { context in
            let none = try context.makeMultiPolygon([])
            #expect(try none.isEmpty)
            #expect(try none.toWKT() == "MULTIPOLYGON EMPTY")
            #expect(try none.polygons().isEmpty)
            #expect(try context.readWKT("POLYGON EMPTY").polygons().isEmpty)
            let mixed = try context.readWKT("MULTIPOLYGON (EMPTY, ((0 0, 1 0, 1 1, 0 0)))")
            #expect(try mixed.polygons() == [PlanarPolygon(shell: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)])])
        }
    }

    @Test(
        "typeID for each WKT type",
        arguments: [
            ("POINT (1 2)", GeometryType.point),
            ("LINESTRING (0 0, 1 1)", .lineString),
            ("LINEARRING (0 0, 1 0, 1 1, 0 0)", .linearRing),
            ("POLYGON ((0 0, 1 0, 1 1, 0 0))", .polygon),
            ("MULTIPOINT ((0 0), (1 1))", .multiPoint),
            ("MULTILINESTRING ((0 0, 1 1), (2 2, 3 3))", .multiLineString),
            ("MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)))", .multiPolygon),
            ("GEOMETRYCOLLECTION (POINT (1 2))", .geometryCollection),
        ])
    func typeIDs(_ wkt: String, _ expected: GeometryType) throws {
        try withCheckedContext { context in
            let geometry = try context.readWKT(wkt)
            #expect(try geometry.typeID == expected)
        }
    }

    // MARK: - Measures

    @Test("area, perimeter, centroid and envelope of a square with a hole")
    func measures() throws {
        try withCheckedContext { context in
            let geometry = try context.makePolygon(Self.squareWithHole)
            #expect(try geometry.area == 96)
            #expect(try geometry.length == 48)
            let centroid = try geometry.centroid()
            // Moments: (100·5 − 4·3) / 96 for both axes.
            #expect(abs(centroid.x - 488.0 / 96.0) < 1e-12)
            #expect(abs(centroid.y - 488.0 / 96.0) < 1e-12)
            #expect(try geometry.envelope() == Envelope(minX: 0, minY: 0, maxX: 10, maxY: 10))
        }
    }

    @Test("WKT written by toWKT reads back to the same coordinates")
    func wktRoundTrip() throws {
        let polygon = PlanarPolygon(shell: [XY(0.1, 0.2), XY(1e6 + 0.25, 0.2), XY(3.5, 7.125), XY(0.1, 0.2)])
        try withCheckedContext { context in
            let text = try context.makePolygon(polygon).toWKT()
            #expect(text.hasPrefix("POLYGON (("))
            #expect(try context.readWKT(text).polygons() == [polygon])
        }
    }

    // MARK: - Errors

    @Test("garbage WKT is a parse error carrying GEOS's message")
    func wktGarbage() throws {
        try withCheckedContext { context in
            let error = geoError { _ = try context.readWKT("POLYGON ((0 0, 1 0, banana))") }
            #expect(error?.code == .parse)
            #expect(error?.message.hasPrefix("WKT: ParseException: ") == true)
            let empty = geoError { _ = try context.readWKT("") }
            #expect(empty?.code == .parse)
            #expect(empty?.message.hasPrefix("WKT: ") == true)
            #expect(empty?.message.count ?? 0 > "WKT: ".count)
            // The message was consumed: nothing stale is left for the next failure.
            #expect(context.takeLastError() == nil)
        }
    }

    @Test(
        "polygons() rejects other geometry types",
        arguments: ["POINT (1 2)", "LINESTRING (0 0, 1 1)", "GEOMETRYCOLLECTION (POLYGON ((0 0, 1 0, 1 1, 0 0)))"])
    func polygonsOfOtherTypes(_ wkt: String) throws {
        try withCheckedContext { context in
            let geometry = try context.readWKT(wkt)
            let type = try geometry.typeID
            let error = geoError { _ = try geometry.polygons() }
            #expect(error == GeoError(.unsupportedGeometry, "expected a Polygon or MultiPolygon, got \(type)"))
        }
    }

    @Test("rings that are too short, unclosed or non-finite are named in the error")
    func badRings() throws {
        try withCheckedContext { context in
            let shortHole = PlanarPolygon(shell: rectangle(0, 0, 10, 10), holes: [[XY(1, 1), XY(2, 1), XY(1, 1)]])
            #expect(
                geoError { _ = try context.makePolygon(shortHole) }
                    == GeoError(.invalidGeometry, "ring 2 of polygon 1 has 3 points; a ring needs at least 4 (closed)"))

            let open = PlanarPolygon(shell: [XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 1)])
            #expect(
                geoError { _ = try context.makeMultiPolygon([Self.squareWithHole, open]) }
                    == GeoError(
                        .invalidGeometry,
                        "ring 1 of polygon 2 is not closed: first point (0.0,0.0) differs from last (0.0,1.0)"))

            let nan = PlanarPolygon(shell: [XY(0, 0), XY(1, 0), XY(.nan, 1), XY(0, 0)])
            #expect(
                geoError { _ = try context.makePolygon(nan) }
                    == GeoError(
                        .invalidGeometry, "ring 1 of polygon 1 has a non-finite coordinate at vertex index 2: (nan,1.0)"
                    ))

            let infinite = PlanarPolygon(shell: rectangle(0, 0, 10, 10), holes: [rectangle(1, 1, .infinity, 2)])
            let error = geoError { _ = try context.makePolygon(infinite) }
            #expect(error?.code == .invalidGeometry)
            #expect(
                error?.message.hasPrefix("ring 2 of polygon 1 has a non-finite coordinate at vertex index 1") == true)

            #expect(geoError { _ = try context.makePolygon(PlanarPolygon(shell: [])) }?.code == .invalidGeometry)
        }
    }

    @Test("empty geometries have no centroid or envelope")
    func emptyMeasures() throws {
        try withCheckedContext { context in
            let empty = try context.readWKT("POLYGON EMPTY")
            #expect(try empty.area == 0)
            #expect(geoError { _ = try empty.centroid() }?.code == .unsupportedGeometry)
            #expect(geoError { _ = try empty.envelope() }?.code == .unsupportedGeometry)
        }
    }
}
