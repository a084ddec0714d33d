import Foundation
import GeoTestSupport
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// A WKT file holding several geometries is read like a FeatureCollection with several features,
/// and text after the last geometry is refused: GEOS alone reads the first geometry and silently
/// ignores everything after it.
@Suite struct WKTFileTests {
    static let utrecht = "POLYGON((5.0 52.0, 5.2 52.0, 5.2 52.2, 5.0 52.2, 5.0 52.0))"
    static let leiden = "POLYGON((4.4 52.1, 4.6 52.1, 4.6 52.2, 4.4 52.2, 4.4 52.1))"

    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("wkt") }

    func read(_ text: String, _ choice: FeatureChoice = .single) throws -> AreaGeometry {
        let url = dir.appendingPathComponent("a.wkt")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return try AreaReader.read(contentsOf: url, crs: nil, features: choice, context: try GEOSContext())
    }

    func error(_ text: String, _ choice: FeatureChoice = .single) throws -> GeoError {
        try #require(throws: GeoError.self) { try read(text, choice) }
    }

    static func ring(_ coordinates: [(Double, Double)]) -> [XY] { coordinates.map { XY($0.0, $0.1) } }
    static let leidenRing = ring([(4.4, 52.1), (4.6, 52.1), (4.6, 52.2), (4.4, 52.2), (4.4, 52.1)])
    static let utrechtRing = ring([(5.0, 52.0), (5.2, 52.0), (5.2, 52.2), (5.0, 52.2), (5.0, 52.0)])

    @Test func twoPolygonsAreRefusedListingBothUnlessOneOrAllAreChosen() throws {
        let text = Self.utrecht + "\n" + Self.leiden + "\n"
        let refused = try error(text)
        #expect(refused.code == .featureChoice)
        #expect(refused.message.contains("holds 2 geometries"), "\(refused.message)")
        #expect(refused.message.contains("  #1: POLYGON on line 1\n  #2: POLYGON on line 2\n"), "\(refused.message)")
        #expect(refused.message.contains("choose one by its '#N'") && refused.message.contains("(FeatureChoice.all)"))
        #expect(try read(text, .id(try #require(FeatureID("#2")))).polygons == [PlanarPolygon(shell: Self.leidenRing)])
        #expect(try read(text, .id(try #require(FeatureID("#1")))).polygons == [PlanarPolygon(shell: Self.utrechtRing)])
        let missing = try error(text, .id(try #require(FeatureID("#3"))))
        #expect(missing.code == .featureChoice && missing.message.contains("it holds 2 features"), "\(missing.message)")
        // The union of two disjoint squares is both squares, with the same area.
        let union = try read(text, .all)
        #expect(union.polygons.count == 2)
        let context = try GEOSContext()
        let expected = try context.makeMultiPolygon([
            PlanarPolygon(shell: Self.utrechtRing), PlanarPolygon(shell: Self.leidenRing),
        ]).area
        #expect(abs(try context.makeMultiPolygon(union.polygons).area - expected) < 1e-12)
    }

    @Test func geometriesSpanningLinesOrEmptyAreSplitWhereTheyEnd() throws {
        let text = "MULTIPOLYGON(((5.0 52.0, 5.2 52.0,\n 5.2 52.2, 5.0 52.0)))  POLYGON EMPTY\n\n" + Self.leiden
        let refused = try error(text)
        #expect(refused.message.contains("holds 3 geometries"), "\(refused.message)")
        #expect(
            refused.message.contains("  #1: MULTIPOLYGON on line 1\n  #2: POLYGON on line 2\n  #3: POLYGON on line 4"),
            "\(refused.message)")
        #expect(try read(text, .id(try #require(FeatureID("#3")))).polygons == [PlanarPolygon(shell: Self.leidenRing)])
        let empty = try error(text, .id(try #require(FeatureID("#2"))))
        #expect(empty.message.hasSuffix("a.wkt: geometry #2 (line 2): the polygon is empty"), "\(empty.message)")
    }

    @Test(arguments: [
        (utrecht + " garbage", "line 1: byte 60: unexpected text 'garbage' after the WKT geometry"),
        (utrecht + ")", "line 1: byte 59: unexpected text ')' after the WKT geometry"),
        (utrecht + "\n;\n" + leiden, "line 2: byte 60: unexpected text ';' after the WKT geometry"),
        (utrecht + "\n\n  42 52", "line 3: byte 63: unexpected text '42 52' after the WKT geometry"),
    ])
    func textAfterTheGeometryIsRefusedWithItsPlace(text: String, expected: String) throws {
        let e = try error(text)
        #expect(e.code == .parse)
        #expect(e.message.hasSuffix("a.wkt: " + expected + " that ends on line 1 (only white space, or another "
            + "geometry, may follow it)"), "\(e.message)")
    }

    @Test func aSecondGeometryNestedTooDeeplyIsRefusedByTheNestingLimit() throws {
        let deep = String(repeating: "GEOMETRYCOLLECTION(", count: 40) + "POINT(5 52)" + String(repeating: ")", count: 40)
        let text = Self.utrecht + "\n" + deep
        #expect(try error(text).code == .featureChoice)
        let all = try error(text, .all)
        #expect(all.message.contains("#2: GEOMETRYCOLLECTION on line 2: WKT: parentheses nested deeper than 32"), "\(all.message)")
    }

    @Test func oneGeometryIsReadAsBeforeAndUnbalancedTextIsLeftToGEOS() throws {
        #expect(try read("  " + Self.utrecht + "\n\n").polygons == [PlanarPolygon(shell: Self.utrechtRing)])
        let unclosed = try error("POLYGON((5.0 52.0, 5.2 52.0, 5.2 52.2, 5.0 52.0)")
        #expect(unclosed.code == .parse && unclosed.message.contains("WKT"), "\(unclosed.message)")
    }
}
