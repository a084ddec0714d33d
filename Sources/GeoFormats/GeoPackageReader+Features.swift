import Foundation
import GRDB
import Geo

// MARK: - Choosing and decoding features

extension GeoPackageReader {
    /// The rows a choice of features selected: one feature, or all of them for a union.
    enum FeatureRows {
        /// One feature: its fid and geometry blob (`nil` for SQL NULL).
        case one(fid: Int64, blob: [UInt8]?)
        /// Every feature in fid order.
        case all([(fid: Int64, blob: [UInt8]?)])
    }

    /// Where a layer's feature ids come from.
    ///
    /// A GeoPackage feature table has an integer primary key, which is its fid; SQLite makes it
    /// an alias of `rowid`. A view has no rowid (SQLite gives NULL for it): as GDAL does, its first
    /// integer column is the fid, and without one the features are numbered 1, 2, … in the
    /// view's order.
    struct FIDSource {
        /// The SQL expression for the fid (`rowid` or a quoted column); `nil`: the row's position.
        var expression: String?
        /// The column as messages name it.
        var column: String
    }

    /// Finds the layer's table or view and its fid, checking that the geometry column exists.
    ///
    /// - Throws: ``GeoError`` `.parse` when `gpkg_contents` names a table the file lacks, or the
    ///   geometry column is not in it.
    static func fidSource(_ db: Database, layer: GeoPackageLayer, fail: (GeoError.Code, String) -> GeoError) throws
        -> FIDSource
    {
        let place = "layer '\(AreaFeatures.clean(layer.name))'"
        let kind = try String.fetchOne(
            db, sql: "SELECT type FROM sqlite_master WHERE name = ? AND type IN ('table', 'view')",
            arguments: [layer.name])
        guard let kind else {
            throw fail(
                .parse,
                "\(place) is listed in gpkg_contents and gpkg_geometry_columns, but the file has no table or "
                    + "view of that name")
        }
        // PRAGMA table_info: cid, name, type, notnull, dflt_value, pk (SQLite itself fills these).
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoted(layer.name)))").map {
            row throws(ColumnReadError) in
            (
                name: try row.checked(1, String.self, in: "PRAGMA table_info"),
                type: (try row.checkedOptional(2, String.self, in: "PRAGMA table_info") ?? "").uppercased(),
                pk: try row.checkedOptional(5, Int.self, in: "PRAGMA table_info") ?? 0
            )
        }
        guard columns.contains(where: { $0.name.caseInsensitiveCompare(layer.column) == .orderedSame }) else {
            throw fail(
                .parse,
                "\(place): its geometry column '\(AreaFeatures.clean(layer.column))' (gpkg_geometry_columns) "
                    + "is not a column of the \(kind)")
        }
        let integer = columns.filter { $0.type.contains("INT") }
        if kind == "table" {
            let keys = columns.filter { $0.pk > 0 }
            if keys.count == 1, keys[0].type == "INTEGER" {
                return FIDSource(expression: GeoPackageWriter.quoted(keys[0].name), column: keys[0].name)
            }
            return FIDSource(expression: "rowid", column: "rowid")
        }
        if let first = integer.first {
            return FIDSource(expression: GeoPackageWriter.quoted(first.name), column: first.name)
        }
        return FIDSource(expression: nil, column: "position in the view")
    }

    /// Reads the rows a choice selects, or throws the message that says how to choose.
    ///
    /// The fid is the table's integer primary key, or a view's first integer column, or its
    /// position in a view without one (``FIDSource``); a NULL fid is refused, naming the column.
    ///
    /// - Throws: ``GeoError`` `.unsupportedGeometry` for an empty layer; `.featureChoice` for
    ///   several features without a choice, an id that is not an integer or a fid the layer lacks;
    ///   `.parse` for a missing table or column, a NULL or non-integer fid, a geometry that is not
    ///   a blob.
    static func fetchFeatures(
        _ db: Database, layer: GeoPackageLayer, choice: FeatureChoice, fail: (GeoError.Code, String) -> GeoError
    ) throws -> FeatureRows {
        let fidSource = try fidSource(db, layer: layer, fail: fail)
        let table = GeoPackageWriter.quoted(layer.name)
        let geometry = GeoPackageWriter.quoted(layer.column)
        let place = "layer '\(AreaFeatures.clean(layer.name))'"
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        guard count > 0 else { throw fail(.unsupportedGeometry, "\(place) is empty (no features)") }
        func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [(fid: Int64, blob: [UInt8]?)] {
            let fid = fidSource.expression ?? "NULL"
            return try Row.fetchAll(db, sql: "SELECT \(fid), \(geometry) FROM \(table) " + sql, arguments: arguments)
                .enumerated().map { i, row in
                    let data: Data?
                    do { data = try row.checkedOptional(1, Data.self, in: layer.name) } catch let e as ColumnReadError {
                        throw fail(
                            .parse,
                            "\(place), row \(i + 1): column '\(AreaFeatures.clean(e.column))' holds \(e.found), "
                                + "not a geometry blob")
                    }
                    guard fidSource.expression != nil else { return (fid: Int64(i + 1), blob: data.map { Array($0) }) }
                    let value: DatabaseValue = row[0]
                    guard let fid = Int64.fromDatabaseValue(value) else {
                        throw fail(
                            .parse,
                            "\(place), row \(i + 1): the fid column '\(AreaFeatures.clean(fidSource.column))' holds "
                                + "\(Row.storageClass(value)); each feature needs an integer fid")
                    }
                    return (fid: fid, blob: data.map { Array($0) })
                }
        }
        switch choice {
        case .single:
            guard count == 1, let only = try rows("LIMIT 1").first else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.severalMessage(
                        place: place, count: count, labels: try labels(db, layer: layer, fid: fidSource),
                        idName: "FID"))
            }
            return .one(fid: only.fid, blob: only.blob)
        case .id(let id):
            guard let fid = id.fid else {
                throw fail(
                    .featureChoice,
                    "feature \(AreaFeatures.clean(id.text)): a GeoPackage feature is chosen by its fid, a whole "
                        + "number (\(place) holds \(count) feature\(count == 1 ? "" : "s"))")
            }
            let found =
                if let expression = fidSource.expression {
                    try rows("WHERE \(expression) = ?", [fid]).first
                } else {
                    try rows("").first { $0.fid == fid }
                }
            guard let row = found else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.unknownIDMessage(
                        id, idName: "fid", place: place, count: count,
                        labels: try labels(db, layer: layer, fid: fidSource)))
            }
            return .one(fid: row.fid, blob: row.blob)
        case .all:
            return .all(try rows(fidSource.expression.map { "ORDER BY \($0)" } ?? ""))
        }
    }

    /// The attribute columns of one feature, in table order: every column but the fid and the
    /// geometry.
    ///
    /// Values keep SQLite's storage class (INTEGER, REAL, TEXT, NULL); a column declared `BOOLEAN`
    /// gives a Boolean. BLOB values have no GeoJSON form and are left out.
    ///
    /// - Throws: ``GeoError`` `.parse` for a column SQLite cannot describe.
    static func attributes(
        _ db: Database, layer: GeoPackageLayer, fid: Int64, fail: (GeoError.Code, String) -> GeoError
    ) throws -> [AreaProperty] {
        let source = try fidSource(db, layer: layer, fail: fail)
        let declared = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoted(layer.name)))").map {
            row throws(ColumnReadError) in
            (
                name: try row.checked(1, String.self, in: "PRAGMA table_info"),
                type: (try row.checkedOptional(2, String.self, in: "PRAGMA table_info") ?? "").uppercased()
            )
        }
        let columns = declared.filter {
            $0.name.caseInsensitiveCompare(layer.column) != .orderedSame
                && (source.expression == nil || $0.name.caseInsensitiveCompare(source.column) != .orderedSame)
        }
        guard !columns.isEmpty else { return [] }
        let list = columns.map { GeoPackageWriter.quoted($0.name) }.joined(separator: ", ")
        let table = GeoPackageWriter.quoted(layer.name)
        let row =
            if let expression = source.expression {
                try Row.fetchOne(db, sql: "SELECT \(list) FROM \(table) WHERE \(expression) = ?", arguments: [fid])
            } else {
                try Row.fetchOne(db, sql: "SELECT \(list) FROM \(table) LIMIT 1 OFFSET ?", arguments: [fid - 1])
            }
        guard let row else { return [] }
        return columns.enumerated().compactMap { i, column in
            let value: DatabaseValue = row[i]
            switch value.storage {
            case .null: return AreaProperty(column.name, .null)
            case .int64(let n):
                return AreaProperty(column.name, column.type == "BOOLEAN" ? .bool(n != 0) : .integer(n))
            case .double(let d): return AreaProperty(column.name, .real(d))
            case .string(let s): return AreaProperty(column.name, .text(s))
            case .blob: return nil
            }
        }
    }

    /// The first features of a layer as messages list them: fid and a name-like attribute.
    private static func labels(_ db: Database, layer: GeoPackageLayer, fid: FIDSource) throws -> [FeatureLabel] {
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoted(layer.name)))")
            .compactMap { try $0.checkedOptional(1, String.self, in: "PRAGMA table_info") }
            .filter { $0 != layer.column }
        let nameColumn = AreaFeatures.nameAttribute(among: columns)
        let order = fid.expression.map { "ORDER BY \($0) " } ?? ""
        let sql =
            "SELECT \(fid.expression ?? "NULL"), \(nameColumn.map(GeoPackageWriter.quoted) ?? "NULL") FROM "
            + "\(GeoPackageWriter.quoted(layer.name)) \(order)LIMIT \(AreaFeatures.maxListed)"
        return try Row.fetchAll(db, sql: sql).enumerated().map { i, row in
            let fidValue: DatabaseValue = row[0]
            let fidText =
                fid.expression == nil ? "\(i + 1)" : Int64.fromDatabaseValue(fidValue).map(String.init) ?? "NULL"
            var label = FeatureLabel(id: "fid \(fidText)")
            let value: DatabaseValue = row[1]
            if let nameColumn {
                switch value.storage {
                case .string(let s): label.name = (AreaFeatures.clean(nameColumn, limit: 30), AreaFeatures.clean(s))
                case .int64(let n): label.name = (AreaFeatures.clean(nameColumn, limit: 30), String(n))
                case .double(let d): label.name = (AreaFeatures.clean(nameColumn, limit: 30), "\(d)")
                case .null, .blob: break
                }
            }
            return label
        }
    }

    /// The polygons of one feature's geometry blob.
    ///
    /// - Throws: ``GeoError`` whose message names neither the file nor the feature (the caller
    ///   adds them): `.unsupportedGeometry` for NULL, empty, curved or non-polygonal geometry,
    ///   `.parse` for a blob that is not a GeoPackage geometry or has another srs_id.
    static func decodeFeature(_ bytes: [UInt8]?, layer: GeoPackageLayer, context: GEOSContext) throws
        -> (polygons: [PlanarPolygon], dropped: DroppedOrdinates)
    {
        guard let bytes else { throw GeoError(.unsupportedGeometry, "no geometry (NULL)") }
        let blob: GeoPackageBinary
        do { blob = try GeoPackageBinary.decode(bytes) } catch {
            throw GeoError(.parse, "not a GeoPackage geometry: \(error.reason)")
        }
        guard !blob.isEmpty else { throw GeoError(.unsupportedGeometry, "the geometry is empty") }
        guard Int(blob.srsID) == layer.srsID else {
            throw GeoError(.parse, "srs_id \(blob.srsID) in the geometry differs from the layer's \(layer.srsID)")
        }
        if let curve = GeoPackageBinary.curveTypeName(wkb: blob.wkb) {
            throw GeoError(
                .unsupportedGeometry,
                "a curved geometry (\(curve)); an area must be a Polygon or MultiPolygon "
                    + "(linearise it, e.g. ogr2ogr -nlt MULTIPOLYGON)")
        }
        let geometry: GEOSGeometry
        do { geometry = try context.readWKB(blob.wkb) } catch let e as GeoError {
            throw GeoError(.parse, e.message)
        }
        let type = try geometry.typeID
        guard type == .polygon || type == .multiPolygon else {
            throw GeoError(.unsupportedGeometry, "expected a Polygon or MultiPolygon, got \(type)")
        }
        let polygons = try geometry.polygons()
        guard !polygons.isEmpty else { throw GeoError(.unsupportedGeometry, "the polygon is empty") }
        let (z, m) = DroppedOrdinates.wkbDimensions(blob.wkb)
        return (polygons, .of(polygons, z: z, m: m))
    }
}
