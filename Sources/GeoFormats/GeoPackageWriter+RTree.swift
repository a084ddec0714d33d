import GRDB
import Geo

// MARK: - The RTree Spatial Index extension

extension GeoPackageWriter {
    /// The `definition` recorded in `gpkg_extensions` for the spatial index: the extension's
    /// clause in GeoPackage 1.3 (Annex F.3).
    static let rtreeDefinition = "http://www.geopackage.org/spec130/#extension_rtree"

    /// The name of a layer's spatial index table: `rtree_<table>_<column>`.
    static func rtreeName(layer: String, column: String) -> String { "rtree_\(layer)_\(column)" }

    /// Creates a layer's spatial index, empty, and registers it: the `gpkg_extensions` table (if
    /// missing), its `gpkg_rtree_index` row with scope `write-only` (requirements 75 and 76) and
    /// the `rtree_<t>_<c>` virtual table of SQLite's R*Tree module, created with the statement
    /// template of requirement 77.
    ///
    /// The caller fills the index (one row per feature with a non-empty geometry: its fid and
    /// bounding box) and then calls ``createSpatialIndexTriggers(_:layer:column:primaryKey:)``.
    ///
    /// - Throws: A GRDB `DatabaseError` (for example when SQLite lacks the R*Tree module).
    static func createSpatialIndex(_ db: Database, layer: String, column: String) throws {
        try db.execute(
            sql: """
                CREATE TABLE IF NOT EXISTS gpkg_extensions (
                  table_name TEXT,
                  column_name TEXT,
                  extension_name TEXT NOT NULL,
                  definition TEXT NOT NULL,
                  scope TEXT NOT NULL,
                  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))
                """)
        try db.execute(
            sql: "INSERT INTO gpkg_extensions VALUES (?, ?, 'gpkg_rtree_index', ?, 'write-only')",
            arguments: [layer, column, rtreeDefinition])
        let rtree = rtreeName(layer: layer, column: column)
        try db.execute(sql: "CREATE VIRTUAL TABLE \(quoted(rtree)) USING rtree(id, minx, maxx, miny, maxy)")
    }

    /// A prepared statement that adds one feature's bounding box to a layer's spatial index:
    /// arguments fid, min x, max x, min y, max y.
    static func spatialIndexInsert(_ db: Database, layer: String, column: String) throws -> Statement {
        try db.makeStatement(sql: "INSERT INTO \(quoted(rtreeName(layer: layer, column: column))) VALUES (?,?,?,?,?)")
    }

    /// Creates the six triggers that keep a spatial index current when other programs (QGIS,
    /// GDAL) insert, update or delete features later, exactly as GeoPackage 1.3 requirement 77
    /// defines them (with the corrected `update3` of 1.2.1 and later).
    ///
    /// The triggers call `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`, `ST_MinY` and `ST_MaxY`, which
    /// GeoPackage software provides; they are created after the writer filled the index itself,
    /// so this writer never needs those functions.
    ///
    /// - Parameters:
    ///   - layer: The feature table (`<t>`), a name ``checkLayerName(_:)`` accepts.
    ///   - column: The geometry column (`<c>`).
    ///   - primaryKey: The integer primary key column (`<i>`).
    /// - Throws: A GRDB `DatabaseError`.
    static func createSpatialIndexTriggers(_ db: Database, layer t: String, column c: String, primaryKey i: String)
        throws
    {
        let r = rtreeName(layer: t, column: c)
        let insertNew = """
            INSERT OR REPLACE INTO \(r) VALUES (
                NEW.\(i),
                ST_MinX(NEW.\(c)), ST_MaxX(NEW.\(c)),
                ST_MinY(NEW.\(c)), ST_MaxY(NEW.\(c))
              );
            """
        try db.execute(
            sql: """
                CREATE TRIGGER \(r)_insert AFTER INSERT ON \(t)
                  WHEN (new.\(c) NOT NULL AND NOT ST_IsEmpty(NEW.\(c)))
                BEGIN
                  \(insertNew)
                END;
                CREATE TRIGGER \(r)_update1 AFTER UPDATE OF \(c) ON \(t)
                  WHEN OLD.\(i) = NEW.\(i) AND
                       (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
                BEGIN
                  \(insertNew)
                END;
                CREATE TRIGGER \(r)_update2 AFTER UPDATE OF \(c) ON \(t)
                  WHEN OLD.\(i) = NEW.\(i) AND
                       (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
                BEGIN
                  DELETE FROM \(r) WHERE id = OLD.\(i);
                END;
                CREATE TRIGGER \(r)_update3 AFTER UPDATE ON \(t)
                  WHEN OLD.\(i) != NEW.\(i) AND
                       (NEW.\(c) NOTNULL AND NOT ST_IsEmpty(NEW.\(c)))
                BEGIN
                  DELETE FROM \(r) WHERE id = OLD.\(i);
                  \(insertNew)
                END;
                CREATE TRIGGER \(r)_update4 AFTER UPDATE ON \(t)
                  WHEN OLD.\(i) != NEW.\(i) AND
                       (NEW.\(c) ISNULL OR ST_IsEmpty(NEW.\(c)))
                BEGIN
                  DELETE FROM \(r) WHERE id IN (OLD.\(i), NEW.\(i));
                END;
                CREATE TRIGGER \(r)_delete AFTER DELETE ON \(t)
                  WHEN old.\(c) NOT NULL
                BEGIN
                  DELETE FROM \(r) WHERE id = OLD.\(i);
                END;
                """)
    }
}
