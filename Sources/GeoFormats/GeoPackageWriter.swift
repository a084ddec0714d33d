import Foundation
import GRDB
import Geo

/// One participant of a selection as a point feature (no phone, e-mail or name: none is written).
package struct GeoPackagePoint: Sendable {
    /// Longitude and latitude (WGS84).
    package var position: LonLat
    /// The participant id.
    package var participantID: Int64
    /// 1 for the first called (outside-in order).
    package var rank: Int
    /// Distance to the incident point in metres.
    package var distanceMeters: Double
    /// ISO 3166-1 alpha-2 code, if known.
    package var country: String?

    /// Creates a point row.
    package init(position: LonLat, participantID: Int64, rank: Int, distanceMeters: Double, country: String?) {
        self.position = position
        self.participantID = participantID
        self.rank = rank
        self.distanceMeters = distanceMeters
        self.country = country
    }
}

/// Writes OGC GeoPackage 1.3 files through SQLite (GRDB): `application_id` 'GPKG',
/// `user_version` 10300, `gpkg_spatial_ref_sys` (the two undefined systems, EPSG:4326 and the
/// layer's CRS, with PROJ's WKT1 definitions), `gpkg_contents`, `gpkg_geometry_columns`, one
/// feature table whose geometries are standard GeoPackage binary (``GeoPackageBinary``), and its
/// spatial index (the RTree Spatial Indexes extension, `gpkg_extensions` and `rtree_<t>_geom`,
/// filled with each feature's bounding box, with the standard triggers).
///
/// The file is created at the given path, which must not exist: callers write to a temporary
/// path and rename it (see `AtomicFile.replace` in FanoutEngine), so a failed write never leaves
/// half a GeoPackage behind.
package enum GeoPackageWriter {
    /// `PRAGMA application_id` of a GeoPackage: 'GPKG'.
    package static let applicationID: Int32 = 0x4750_4B47
    /// `PRAGMA user_version` of GeoPackage 1.3.0.
    package static let userVersion: Int32 = 10300

    /// The layer name when the area's writer is given none and the area has no name.
    package static let defaultAreaLayer = "area"

    /// Writes an area as a layer with one Polygon or MultiPolygon feature, in the area's CRS, with
    /// the area's attributes as columns (see ``attributeColumns(_:source:)``).
    ///
    /// - Parameters:
    ///   - area: The area (its CRS becomes the layer's srs_id; EPSG codes PROJ knows only).
    ///   - layer: The table name, letters, digits and `_`, not starting with a digit.
    ///   - identifier: The layer's human-readable name (`gpkg_contents.identifier`); `nil` leaves
    ///     it NULL, so that a reader takes no name from the layer.
    ///   - path: A path that does not exist yet.
    ///   - context: The GEOS context for the WKB writer.
    /// - Throws: ``GeoError`` `.unsupportedGeometry` for an empty area, `.unwritable` for attributes
    ///   that cannot be columns, `.unknownCRS`, `.parse` for a bad layer name, `.geos`, or a GRDB
    ///   `DatabaseError` from SQLite.
    package static func writeArea(
        _ area: AreaGeometry, layer: String, identifier: String? = nil, to path: String, context: GEOSContext
    ) throws {
        guard !area.polygons.isEmpty else {
            throw GeoError(.unsupportedGeometry, "\(area.source): the area is empty; nothing to write")
        }
        let (columns, fid) = try attributeColumns(area.properties, source: area.source)
        let geometry =
            area.polygons.count == 1
            ? try context.makePolygon(area.polygons[0]) : try context.makeMultiPolygon(area.polygons)
        let envelope = try geometry.envelope()
        let blob = GeoPackageBinary(srsID: Int32(area.crs.epsg), envelope: envelope, wkb: try geometry.toWKB())
        let type = area.polygons.count == 1 ? "POLYGON" : "MULTIPOLYGON"
        let names = (["fid", "geom"] + columns.map(\.name)).map(quoted).joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
        try write(
            to: path, layer: layer, identifier: identifier,
            description: "area from " + URL(fileURLWithPath: area.source).lastPathComponent, geometryType: type,
            crs: area.crs, envelope: envelope, columns: columns.map { "\(quoted($0.name)) \($0.type)" }
        ) { db, index in
            try db.execute(
                sql: "INSERT INTO \(quoted(layer)) (\(names)) VALUES (\(marks))",
                arguments: StatementArguments([fid, Data(blob.encoded())] + columns.map(\.value)))
            try index.execute(
                arguments: [db.lastInsertedRowID, envelope.minX, envelope.maxX, envelope.minY, envelope.maxY])
        }
    }

    /// One attribute column of an area layer.
    package struct AttributeColumn {
        /// The column name (the attribute's key).
        package var name: String
        /// The declared type: `BOOLEAN`, `INTEGER`, `REAL` or `TEXT` (also for JSON and null).
        package var type: String
        /// The value to store.
        package var value: (any DatabaseValueConvertible)?
    }

    /// The columns that hold an area's attributes, in their order, and the feature's fid.
    ///
    /// Each attribute becomes a column of its value's type (a null one `TEXT`; JSON arrays and
    /// objects `TEXT` holding the JSON). As GDAL does, an integer attribute named `fid` becomes
    /// the feature's fid instead of a column (a null one is left out).
    ///
    /// - Parameter source: The area's file, for messages.
    /// - Returns: The columns, and the fid (`nil`: SQLite numbers the feature).
    /// - Throws: ``GeoError`` `.unwritable` for an attribute a GeoPackage table cannot hold: a
    ///   `fid` that is not an integer, one named `geom` (the geometry column), an empty name, or
    ///   two names that differ only in case (SQLite column names ignore case).
    package static func attributeColumns(_ properties: [AreaProperty], source: String) throws
        -> (columns: [AttributeColumn], fid: Int64?)
    {
        func refuse(_ message: String) -> GeoError {
            GeoError(.unwritable, "\(source): \(message); a GeoPackage cannot hold it as an attribute column")
        }
        var columns: [AttributeColumn] = []
        var fid: Int64?
        var seen: [String: String] = [:]
        for property in properties {
            let key = property.key
            let shown = AreaFeatures.clean(key, limit: 40)
            guard !key.isEmpty else { throw refuse("a property has an empty name") }
            if let earlier = seen[key.lowercased()] {
                throw refuse(
                    "properties '\(AreaFeatures.clean(earlier, limit: 40))' and '\(shown)' differ only in case")
            }
            seen[key.lowercased()] = key
            switch key.lowercased() {
            case "fid":
                switch property.value {
                case .integer(let n): fid = n
                case .null: break
                default:
                    throw refuse("property '\(shown)' is \(property.value.jsonText.prefix(40)), not an integer fid")
                }
                continue
            case "geom":
                throw refuse("property '\(shown)' has the name of the layer's geometry column")
            default: break
            }
            let column: AttributeColumn =
                switch property.value {
                case .null: AttributeColumn(name: key, type: "TEXT", value: nil)
                case .bool(let b): AttributeColumn(name: key, type: "BOOLEAN", value: b ? 1 : 0)
                case .integer(let n): AttributeColumn(name: key, type: "INTEGER", value: n)
                case .real(let d): AttributeColumn(name: key, type: "REAL", value: d)
                case .text(let t), .json(let t): AttributeColumn(name: key, type: "TEXT", value: t)
                }
            columns.append(column)
        }
        return (columns, fid)
    }

    /// A table name for a layer named `name` (an area's name, say `Kerkrade Noord`): characters
    /// other than ASCII letters, digits and `_` become `_`, a leading digit gets a `_` before
    /// it, a `gpkg_`/`sqlite_`/`rtree_` prefix too, and it is cut to 63 characters; so that
    /// ``checkLayerName(_:)`` accepts it. The name itself goes into `gpkg_contents.identifier`.
    package static func layerName(for name: String) -> String {
        var table = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") ? $0 : "_" })
        let lower = table.lowercased()
        if table.isEmpty || table.first?.isNumber == true
            || ["gpkg_", "sqlite_", "rtree_"].contains(where: lower.hasPrefix)
        {
            table = "_" + table
        }
        return String(table.prefix(63))
    }

    /// Writes a point layer of selected participants in WGS84 lon/lat, in the given order.
    ///
    /// Columns: `participant_id`, `rank`, `distance_m`, `country`.
    ///
    /// - Parameters:
    ///   - count: The number of rows.
    ///   - layer: The table name.
    ///   - description: The layer's description in `gpkg_contents` (how precise the positions are).
    ///   - path: A path that does not exist yet.
    ///   - point: Row `i` (0-based), outside-in; called twice per row (envelope, then insert), so
    ///     no array of rows is held.
    /// - Throws: ``GeoError`` `.parse` for a bad layer name, or a GRDB `DatabaseError`.
    /// - Complexity: O(n), one transaction and one prepared statement.
    package static func writePoints(
        count: Int, layer: String, description: String, to path: String, point: (Int) -> GeoPackagePoint
    ) throws {
        var envelope: Envelope?
        for i in 0..<count {
            let p = point(i)
            let (x, y) = (p.position.lon, p.position.lat)
            if var e = envelope {
                e.minX = min(e.minX, x)
                e.maxX = max(e.maxX, x)
                e.minY = min(e.minY, y)
                e.maxY = max(e.maxY, y)
                envelope = e
            } else {
                envelope = Envelope(minX: x, minY: y, maxX: x, maxY: y)
            }
        }
        let columns = [
            "participant_id INTEGER NOT NULL", "rank INTEGER NOT NULL", "distance_m REAL NOT NULL", "country TEXT",
        ]
        try write(
            to: path, layer: layer, identifier: layer, description: description, geometryType: "POINT", crs: .wgs84,
            envelope: envelope,
            columns: columns
        ) { db, index in
            let insert = try db.makeStatement(
                sql: "INSERT INTO \(quoted(layer)) (geom, participant_id, rank, distance_m, country) VALUES (?,?,?,?,?)"
            )
            // One blob reused: the 8-byte header and the WKB's byte order and type stay, x and y
            // (bytes 13..<21 and 21..<29) are overwritten per row.
            var blob = GeoPackageBinary(srsID: 4326, envelope: nil, wkb: GeoPackageBinary.pointWKB(x: 0, y: 0))
                .encoded()
            for i in 0..<count {
                let p = point(i)
                withUnsafeBytes(of: p.position.lon.bitPattern.littleEndian) { blob.replaceSubrange(13..<21, with: $0) }
                withUnsafeBytes(of: p.position.lat.bitPattern.littleEndian) { blob.replaceSubrange(21..<29, with: $0) }
                insert.setUncheckedArguments([Data(blob), p.participantID, p.rank, p.distanceMeters, p.country])
                try insert.execute()
                let (x, y) = (p.position.lon, p.position.lat)
                index.setUncheckedArguments([db.lastInsertedRowID, x, x, y, y])
                try index.execute()
            }
        }
    }

    // MARK: - Private

    /// Creates the file, the GeoPackage tables and one feature layer with its spatial index, then
    /// lets `fill` insert the features and their bounding boxes (through the index's insert
    /// statement: fid, min x, max x, min y, max y), then adds the index's triggers, all in one
    /// transaction; closes the database before returning.
    private static func write(
        to path: String, layer: String, identifier: String?, description: String = "", geometryType: String,
        crs: CRS, envelope: Envelope?, columns: [String], fill: (Database, Statement) throws -> Void
    ) throws {
        try checkLayerName(layer)
        guard !FileManager.default.fileExists(atPath: path) else {
            throw GeoError(.parse, "\(path) exists; the GeoPackage writer only creates new files")
        }
        let proj = try PROJContext()
        var systems = GeoPackageSRS.undefined + [try GeoPackageSRS.epsg(.wgs84, context: proj)]
        if crs != .wgs84 { systems.append(try GeoPackageSRS.epsg(crs, context: proj)) }
        let queue = try DatabaseQueue(path: path)
        do {
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA application_id = \(applicationID)")
                try db.execute(sql: "PRAGMA user_version = \(userVersion)")
                try db.inTransaction {
                    try createCoreTables(db)
                    for s in systems {
                        try db.execute(
                            sql: "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
                            arguments: [s.name, s.id, s.organization, s.organizationCode, s.definition, s.description])
                    }
                    try db.execute(
                        sql: "CREATE TABLE \(quoted(layer)) ("
                            + (["fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL", "geom \(geometryType)"] + columns)
                            .joined(separator: ", ") + ")")
                    try db.execute(
                        sql: """
                            INSERT INTO gpkg_contents (table_name, data_type, identifier, description, last_change,
                                min_x, min_y, max_x, max_y, srs_id)
                            VALUES (?, 'features', ?, ?, strftime('%Y-%m-%dT%H:%M:%fZ','now'), ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            layer, identifier, description, envelope?.minX, envelope?.minY, envelope?.maxX,
                            envelope?.maxY,
                            crs.epsg,
                        ])
                    try db.execute(
                        sql: "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, ?, 0, 0)",
                        arguments: [layer, geometryType, crs.epsg])
                    try createSpatialIndex(db, layer: layer, column: "geom")
                    try fill(db, try spatialIndexInsert(db, layer: layer, column: "geom"))
                    try createSpatialIndexTriggers(db, layer: layer, column: "geom", primaryKey: "fid")
                    return .commit
                }
            }
            try queue.close()
        } catch {
            try? queue.close()
            throw error
        }
    }

    /// The three mandatory tables, exactly as OGC 12-128 (annex C) defines them.
    private static func createCoreTables(_ db: Database) throws {
        try db.execute(
            sql: """
                CREATE TABLE gpkg_spatial_ref_sys (
                  srs_name TEXT NOT NULL,
                  srs_id INTEGER PRIMARY KEY,
                  organization TEXT NOT NULL,
                  organization_coordsys_id INTEGER NOT NULL,
                  definition TEXT NOT NULL,
                  description TEXT);
                CREATE TABLE gpkg_contents (
                  table_name TEXT NOT NULL PRIMARY KEY,
                  data_type TEXT NOT NULL,
                  identifier TEXT UNIQUE,
                  description TEXT DEFAULT '',
                  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
                  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE,
                  srs_id INTEGER,
                  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
                CREATE TABLE gpkg_geometry_columns (
                  table_name TEXT NOT NULL,
                  column_name TEXT NOT NULL,
                  geometry_type_name TEXT NOT NULL,
                  srs_id INTEGER NOT NULL,
                  z TINYINT NOT NULL,
                  m TINYINT NOT NULL,
                  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
                  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
                  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
                  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
                """)
    }

    /// Accepts `[A-Za-z_][A-Za-z0-9_]*`, at most 63 characters, not starting with `gpkg_`,
    /// `sqlite_` (reserved by the GeoPackage and SQLite).
    package static func checkLayerName(_ name: String) throws {
        let ok =
            !name.isEmpty && name.count <= 63 && !(name.first?.isNumber ?? true)
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            && !name.lowercased().hasPrefix("gpkg_") && !name.lowercased().hasPrefix("sqlite_")
        guard ok else {
            throw GeoError(
                .parse,
                "layer name '\(name.prefix(70))': use letters, digits and _ (not first), at most 63, not gpkg_/sqlite_")
        }
    }

    /// An SQL identifier in double quotes.
    static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
