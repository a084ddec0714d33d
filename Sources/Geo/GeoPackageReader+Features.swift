import Foundation
import GRDB

// MARK: - Choosing and decoding features

extension GeoPackageReader {
    /// The rows a choice of features selected: one feature, or all of them for a union.
    enum FeatureRows {
        /// One feature: its fid and geometry blob (`nil` for SQL NULL).
        case one(fid: Int64, blob: [UInt8]?)
        /// Every feature in fid order.
        case all([(fid: Int64, blob: [UInt8]?)])
    }

    /// Reads the rows a choice selects, or throws the message that says how to choose.
    ///
    /// The fid is the table's integer primary key, read as `rowid` (which SQLite makes an alias
    /// of it; GeoPackage feature tables always have one).
    ///
    /// - Throws: ``GeoError`` `.unsupportedGeometry` for an empty layer; `.featureChoice` for
    ///   several features without a choice, an id that is not an integer or a fid the layer lacks.
    static func fetchFeatures(
        _ db: Database, layer: GeoPackageLayer, choice: FeatureChoice, fail: (GeoError.Code, String) -> GeoError
    ) throws -> FeatureRows {
        let table = GeoPackageWriter.quoted(layer.name)
        let geometry = GeoPackageWriter.quoted(layer.column)
        let place = "layer '\(layer.name)'"
        func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [(fid: Int64, blob: [UInt8]?)] {
            try Row.fetchAll(db, sql: "SELECT rowid, \(geometry) FROM \(table) " + sql, arguments: arguments).map {
                let data: Data? = $0[1]
                return (fid: $0[0], blob: data.map { Array($0) })
            }
        }
        let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
        guard count > 0 else { throw fail(.unsupportedGeometry, "\(place) is empty (no features)") }
        switch choice {
        case .single:
            guard count == 1, let only = try rows("LIMIT 1").first else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.severalMessage(
                        place: place, count: count, labels: try labels(db, layer: layer), idName: "FID"))
            }
            return .one(fid: only.fid, blob: only.blob)
        case .id(let id):
            guard let fid = id.fid else {
                throw fail(
                    .featureChoice,
                    "--feature \(AreaFeatures.clean(id.text)): a GeoPackage feature is chosen by its fid, a whole "
                        + "number (\(place) holds \(count) feature\(count == 1 ? "" : "s"))")
            }
            guard let row = try rows("WHERE rowid = ?", [fid]).first else {
                throw fail(
                    .featureChoice,
                    AreaFeatures.unknownIDMessage(
                        id, idName: "fid", place: place, count: count, labels: try labels(db, layer: layer)))
            }
            return .one(fid: row.fid, blob: row.blob)
        case .all:
            return .all(try rows("ORDER BY rowid"))
        }
    }

    /// The first features of a layer as messages list them: fid and a name-like attribute.
    private static func labels(_ db: Database, layer: GeoPackageLayer) throws -> [FeatureLabel] {
        let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(\(GeoPackageWriter.quoted(layer.name)))")
            .compactMap { $0["name"] as String? }.filter { $0 != layer.column }
        let nameColumn = AreaFeatures.nameAttribute(among: columns)
        let sql =
            "SELECT rowid, \(nameColumn.map(GeoPackageWriter.quoted) ?? "NULL") FROM "
            + "\(GeoPackageWriter.quoted(layer.name)) ORDER BY rowid LIMIT \(AreaFeatures.maxListed)"
        return try Row.fetchAll(db, sql: sql).map { row in
            var label = FeatureLabel(id: "fid \(row[0] as Int64)")
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
        -> [PlanarPolygon]
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
        return polygons
    }
}
