import Foundation
import GeoTestSupport
import GRDB
import TestSupport
import Testing

@testable import Geo
@testable import GeoFormats

/// GeoPackages as other tools leave them, read or refused by name, never a crash.
///
/// Layers that are SQL views, NULL in columns the
/// standard requires, `gpkg_*` tables that are missing or disagree. Each is read or refused with a
/// `GeoError` naming the file and the table or column; none stops the process (GRDB's typed
/// subscripts trap on NULL: a view's NULL rowid did).
@Suite struct GeoPackageDamageTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("gpkg-damage") }

    /// A 1 × 1 km square near Utrecht (fid 1) and a 2 × 2 km one (fid 2), in WGS84.
    static let squares = [
        PlanarPolygon(shell: [XY(5.10, 52.0), XY(5.11, 52.0), XY(5.11, 52.01), XY(5.10, 52.01), XY(5.10, 52.0)]),
        PlanarPolygon(shell: [XY(5.20, 52.0), XY(5.22, 52.0), XY(5.22, 52.02), XY(5.20, 52.02), XY(5.20, 52.0)]),
    ]

    /// A GeoPackage with the layer `area` holding one feature per polygon, then `sql` run on it.
    func make(_ name: String, _ polygons: [PlanarPolygon] = [squares[0]], sql: String = "") throws -> String {
        let p = dir.appendingPathComponent(name).path
        let context = try GEOSContext()
        try GeoPackageWriter.writeArea(
            AreaGeometry(polygons: [polygons[0]], crs: .wgs84, source: name), layer: "area", to: p, context: context)
        if polygons.count > 1 {
            // A second feature: the writer writes one; copy the blob with the second polygon.
            let geometry = try context.makePolygon(polygons[1])
            let blob = GeoPackageBinary(srsID: 4326, envelope: try geometry.envelope(), wkb: try geometry.toWKB())
            try alterGeoPackage(p, "INSERT INTO area (geom) VALUES (?)", arguments: [Data(blob.encoded())])
        }
        if !sql.isEmpty {
            // Without foreign keys, as sqlite3 and most tools run: damage the file as they would.
            var config = Configuration()
            config.foreignKeysEnabled = false
            config.prepareDatabase { GeoPackageSQLFunctions.add(to: $0) }
            let queue = try DatabaseQueue(path: p, configuration: config)
            try queue.write { try $0.execute(sql: sql) }
            try queue.close()
        }
        return p
    }

    /// Registers `view` as a feature layer in WGS84 with geometry column `geom`.
    static func registerView(_ view: String, select: String) -> String {
        """
        CREATE VIEW \(view) AS \(select);
        INSERT INTO gpkg_contents (table_name, data_type, identifier, srs_id) VALUES ('\(view)', 'features', '\(view)', 4326);
        INSERT INTO gpkg_geometry_columns VALUES ('\(view)', 'geom', 'POLYGON', 4326, 0, 0);
        """
    }

    func read(_ p: String, layer: String?, features: FeatureChoice = .single) throws -> AreaGeometry {
        try GeoPackageReader.readArea(
            contentsOf: URL(fileURLWithPath: p), layer: layer, crs: nil, features: features, context: try GEOSContext())
    }

    func message(_ p: String, layer: String? = nil, features: FeatureChoice = .single) -> String {
        do {
            _ = try read(p, layer: layer, features: features)
            return "no error"
        } catch let e as GeoError {
            return e.message
        } catch { return "not a GeoError: \(error)" }
    }

    // MARK: - Views

    @Test func aViewLayerIsReadWithItsIntegerColumnAsFid() throws {
        let p = try make(
            "view.gpkg", Self.squares, sql: Self.registerView("v", select: "SELECT fid, geom, 'x' AS name FROM area"))
        #expect(try read(p, layer: "v", features: .id(#require(FeatureID("2")))).polygons == [Self.squares[1]])
        #expect(try read(p, layer: "v", features: .all).polygons.count == 2)
        // Several features and no choice: the list names them by the view's fid column.
        #expect(message(p, layer: "v").contains("fid 1: name 'x'\n  fid 2: name 'x'"))
    }

    @Test func aViewWithoutAnIntegerColumnNumbersItsRows() throws {
        let p = try make("view-geom.gpkg", Self.squares, sql: Self.registerView("g", select: "SELECT geom FROM area"))
        #expect(try read(p, layer: "g", features: .id(#require(FeatureID("2")))).polygons == [Self.squares[1]])
        #expect(message(p, layer: "g", features: .id(try #require(FeatureID("3")))).contains("no feature with fid 3"))
    }

    @Test func aNullFidInAViewIsRefusedNamingTheColumn() throws {
        // b.fid is an INTEGER column (so the fid), NULL in every row of the outer join.
        let p = try make(
            "view-null.gpkg",
            sql: Self.registerView("n", select: "SELECT b.fid AS fid, a.geom AS geom FROM area a LEFT JOIN area b ON 0")
        )
        let m = message(p, layer: "n")
        #expect(
            m.hasPrefix(p + ": layer 'n', row 1: the fid column 'fid' holds NULL; each feature needs an integer fid"),
            "\(m)")
    }

    @Test func aViewOverAMissingTableIsAnSQLiteError() throws {
        let p = try make(
            "view-dangling.gpkg", sql: Self.registerView("d", select: "SELECT fid, geom FROM area") + "DROP TABLE area;"
        )
        #expect(message(p, layer: "d").hasPrefix(p + ": SQLite: "), "\(message(p, layer: "d"))")
    }

    // MARK: - NULL and wrong values in required columns

    /// `gpkg_geometry_columns` made again without its NOT NULL constraints, as a careless tool might.
    static let looseGeometryColumns = """
        CREATE TABLE gc AS SELECT * FROM gpkg_geometry_columns; DROP TABLE gpkg_geometry_columns;
        CREATE TABLE gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m);
        INSERT INTO gpkg_geometry_columns SELECT * FROM gc; DROP TABLE gc;
        """

    @Test(arguments: [
        (
            "srs_id = NULL",
            "table 'gpkg_geometry_columns (row for 'area')', column 'srs_id': NULL where an integer is needed"
        ),
        ("srs_id = 'EPSG:4326'", "column 'srs_id': TEXT where an integer is needed"),
        ("column_name = NULL", "column 'column_name': NULL where text is needed"),
        ("column_name = 'shape'", "layer 'area': its geometry column 'shape' (gpkg_geometry_columns) is not a column"),
        ("geometry_type_name = NULL", "layer 'area' holds  geometries"),
    ])
    func requiredColumnsThatAreNullOrWrong(change: String, expected: String) throws {
        let p = try make("null.gpkg", sql: Self.looseGeometryColumns + "UPDATE gpkg_geometry_columns SET \(change);")
        let m = message(p, layer: "area")
        #expect(m.hasPrefix(p + ": ") && m.contains(expected), "\(change): \(m)")
    }

    @Test func aNullGeometryAndANullSRSFieldAreNamed() throws {
        let p = try make("geom-null.gpkg", sql: "UPDATE area SET geom = NULL")
        #expect(message(p) == p + ": layer 'area', feature 1: no geometry (NULL)")
        let text = try make("geom-text.gpkg", sql: "UPDATE area SET geom = 'POLYGON((0 0,1 0,1 1,0 0))'")
        #expect(message(text).contains("feature 1: not a GeoPackage geometry"), "\(message(text))")
        let srs = try make(
            "srs-null.gpkg",
            sql: """
                CREATE TABLE s AS SELECT * FROM gpkg_spatial_ref_sys; DROP TABLE gpkg_spatial_ref_sys;
                CREATE TABLE gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id,
                  definition, description);
                INSERT INTO gpkg_spatial_ref_sys SELECT * FROM s; DROP TABLE s;
                UPDATE gpkg_spatial_ref_sys SET organization_coordsys_id = x'00' WHERE srs_id = 4326;
                """)
        #expect(
            message(srs)
                == srs + ": table 'gpkg_spatial_ref_sys (srs_id 4326)', column 'organization_coordsys_id': BLOB "
                + "where an integer is needed")
    }

    // MARK: - gpkg_* tables that are missing or disagree

    @Test func inconsistentGeoPackageTablesAreNamed() throws {
        let missingTable = try make("no-table.gpkg", sql: "DROP TABLE area")
        #expect(
            message(missingTable)
                == missingTable + ": layer 'area' is listed in gpkg_contents and gpkg_geometry_columns, but the file "
                + "has no table or view of that name")
        let missingSRS = try make("no-srs.gpkg", sql: "DELETE FROM gpkg_spatial_ref_sys WHERE srs_id = 4326")
        #expect(message(missingSRS) == missingSRS + ": layer 'area': srs_id 4326 is not in gpkg_spatial_ref_sys")
        let noContents = try make("no-contents.gpkg", sql: "DROP TABLE gpkg_contents")
        #expect(message(noContents) == noContents + ": not a complete GeoPackage: missing table gpkg_contents")
        // Listed in gpkg_contents only: not a feature layer.
        let noColumnsRow = try make("no-row.gpkg", sql: "DELETE FROM gpkg_geometry_columns")
        #expect(message(noColumnsRow) == noColumnsRow + ": the GeoPackage has no feature layers")
    }
}
