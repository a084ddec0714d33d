import Foundation
import GRDB
import Geo

/// One feature layer of a GeoPackage, as listed by `gpkg_contents` and `gpkg_geometry_columns`.
package struct GeoPackageLayer: Sendable, Equatable {
    /// The table name.
    package var name: String
    /// The geometry column.
    package var column: String
    /// `geometry_type_name`, upper case (`POLYGON`, `MULTIPOLYGON`, `POINT`, `GEOMETRY`, …).
    package var geometryType: String
    /// The layer's `srs_id`.
    package var srsID: Int
    /// Its human-readable name (`gpkg_contents.identifier`), when not NULL.
    package var identifier: String? = nil

    /// Whether the declared type can hold an area.
    var mayHoldPolygons: Bool {
        ["POLYGON", "MULTIPOLYGON", "GEOMETRY", "CURVEPOLYGON", "MULTISURFACE", "SURFACE"].contains(geometryType)
    }
}

/// Reads an action area from an OGC GeoPackage (1.0–1.4), including files written by GDAL
/// (`ogr2ogr -f GPKG`) and QGIS.
///
/// The layer is the one named, or else the only layer whose declared geometry type can hold
/// polygons. The area is its one feature, or with several the feature chosen by fid or the union
/// of all (see ``FeatureChoice``); it must be a Polygon or MultiPolygon. One feature brings its
/// attribute columns along (``AreaGeometry/properties``), and the layer its identifier. The layer's `srs_id`
/// must map to an EPSG code PROJ knows; the undefined systems (-1, 0) need `--crs`.
package enum GeoPackageReader {
    /// The 16-byte header of every SQLite 3 database file.
    package static let sqliteHeader = Array("SQLite format 3\u{0}".utf8)

    /// Whether the file starts with the SQLite header (false when it cannot be read).
    package static func isSQLite(_ url: URL) -> Bool {
        guard let handle = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 16)).map { Array($0) == sqliteHeader } ?? false
    }

    /// Reads the area of a GeoPackage.
    ///
    /// - Parameters:
    ///   - url: The file.
    ///   - layer: The table to read; `nil` picks the only polygon layer.
    ///   - crs: The CRS for a layer in an undefined system (srs_id -1 or 0); must agree with a
    ///     defined one.
    ///   - features: Which features make the area: the only one (a layer with several is refused
    ///     with a list of them), the one with a given fid, or the union of all.
    ///   - context: The GEOS context for the WKB reader and the union.
    /// - Throws: ``GeoError`` `.parse` (not SQLite, not a GeoPackage, missing tables, bad blobs,
    ///   several layers), `.unsupportedGeometry` (wrong geometry type, empty layer),
    ///   `.featureChoice` (several features and no choice, an unknown fid), `.invalidGeometry` (an
    ///   invalid polygon in a union), `.unknownCRS`, each naming the file and the layer.
    package static func readArea(
        contentsOf url: URL, layer: String?, crs: CRS?, features choice: FeatureChoice = .single,
        context: GEOSContext
    ) throws -> AreaGeometry {
        let name = url.path
        guard FileManager.default.isReadableFile(atPath: name) else {
            throw GeoError(.parse, "\(name): cannot read (no such file or not readable)")
        }
        guard isSQLite(url) else {
            throw GeoError(.parse, "\(name): not a SQLite file, so not a GeoPackage (no 'SQLite format 3' header)")
        }
        var config = Configuration()
        config.readonly = true
        let queue: DatabaseQueue
        do { queue = try DatabaseQueue(path: name, configuration: config) } catch {
            throw GeoError(.parse, "\(name): SQLite cannot open it: \(sqliteMessage(error))")
        }
        defer { try? queue.close() }
        let fail = { (code: GeoError.Code, message: String) in GeoError(code, "\(name): \(message)") }
        let raw: (GeoPackageLayer, CRS?, FeatureRows, [AreaProperty])
        do {
            raw = try queue.read { db in
                try checkGeoPackage(db, fail: fail)
                let chosen = try pickLayer(db, named: layer, fail: fail)
                let layerCRS = try resolveCRS(db, layer: chosen, given: crs, fail: fail)
                let rows = try fetchFeatures(db, layer: chosen, choice: choice, fail: fail)
                var properties: [AreaProperty] = []
                if case .one(let fid, _) = rows { properties = try attributes(db, layer: chosen, fid: fid, fail: fail) }
                return (chosen, layerCRS, rows, properties)
            }
        } catch let e as GeoError {
            throw e
        } catch let e as ColumnReadError {
            throw fail(.parse, e.description)
        } catch {
            throw fail(.parse, "SQLite: \(sqliteMessage(error))")
        }
        let (chosen, layerCRS, rows, properties) = raw
        let place = "layer '\(chosen.name)'"
        let polygons: [PlanarPolygon]
        var dropped = DroppedOrdinates()
        switch rows {
        case .one(let fid, let blob):
            do { (polygons, dropped) = try decodeFeature(blob, layer: chosen, context: context) } catch let e as GeoError {
                throw fail(e.code, "\(place), feature \(fid): \(e.message)")
            }
        case .all(let rows):
            var parsed: [FeatureGeometry] = []
            parsed.reserveCapacity(rows.count)
            for (fid, blob) in rows {
                do {
                    let (polygons, lost) = try decodeFeature(blob, layer: chosen, context: context)
                    dropped = dropped + lost
                    parsed.append(FeatureGeometry(label: "fid \(fid)", polygons: .success(polygons)))
                } catch let e as GeoError {
                    parsed.append(FeatureGeometry(label: "fid \(fid)", polygons: .failure(e)))
                }
            }
            polygons = try AreaFeatures.union(parsed, place: place, context: context, fail: fail)
        }
        var area = AreaGeometry(
            polygons: polygons, crs: layerCRS ?? .wgs84, source: name, format: .gpkg, properties: properties,
            layerName: chosen.identifier)
        area.dropped = dropped
        return area
    }

    // MARK: - Private

    private static func checkGeoPackage(_ db: Database, fail: (GeoError.Code, String) -> GeoError) throws {
        let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        // 'GPKG' (1.2 and later), 'GP10' and 'GP11' (1.0, 1.1).
        let known: Set<Int32> = [GeoPackageWriter.applicationID, 0x4750_3130, 0x4750_3131]
        let required = ["gpkg_spatial_ref_sys", "gpkg_contents", "gpkg_geometry_columns"]
        let missing = try required.filter { !(try db.tableExists($0)) }
        if !known.contains(appID) && missing.count == required.count {
            let tag = withUnsafeBytes(of: appID.bigEndian) { bytes in
                bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F } ? " '\(String(decoding: bytes, as: UTF8.self))'" : ""
            }
            throw fail(
                .parse,
                "a SQLite database but not a GeoPackage (application_id \(appID)\(tag), no gpkg_contents table)")
        }
        if !missing.isEmpty {
            throw fail(
                .parse,
                "not a complete GeoPackage: missing table\(missing.count > 1 ? "s" : "") "
                    + missing.joined(separator: ", "))
        }
    }

    private static func featureLayers(_ db: Database) throws -> [GeoPackageLayer] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT c.table_name, g.column_name, g.geometry_type_name, g.srs_id, c.identifier
                FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name
                WHERE c.data_type = 'features' ORDER BY c.table_name
                """
        ).map { row throws(ColumnReadError) in
            let name = try row.checked(0, String.self, in: "gpkg_contents")
            let table = "gpkg_geometry_columns (row for '\(AreaFeatures.clean(name, limit: 40))')"
            return GeoPackageLayer(
                name: name, column: try row.checked(1, in: table),
                geometryType: (try row.checkedOptional(2, String.self, in: table) ?? "").uppercased(),
                srsID: try row.checked(3, in: table),
                identifier: try row.checkedOptional(4, String.self, in: "gpkg_contents (row for '\(name.prefix(40))')"))
        }
    }

    private static func pickLayer(_ db: Database, named: String?, fail: (GeoError.Code, String) -> GeoError) throws
        -> GeoPackageLayer
    {
        let all = try featureLayers(db)
        let list = all.map { "\($0.name) (\($0.geometryType))" }.joined(separator: ", ")
        if let named {
            guard let layer = all.first(where: { $0.name == named }) else {
                throw fail(
                    .featureChoice,
                    "no feature layer '\(named.prefix(70))'" + (all.isEmpty ? "; it has none" : "; it has \(list)"))
            }
            guard layer.mayHoldPolygons else {
                throw fail(
                    .unsupportedGeometry,
                    "layer '\(layer.name)' holds \(layer.geometryType) geometries; an area must be a Polygon or "
                        + "MultiPolygon")
            }
            return layer
        }
        guard !all.isEmpty else { throw fail(.unsupportedGeometry, "the GeoPackage has no feature layers") }
        let polygonal = all.filter(\.mayHoldPolygons)
        guard !polygonal.isEmpty else {
            throw fail(
                .unsupportedGeometry, "no polygon layer; it has \(list). An area must be a Polygon or MultiPolygon")
        }
        guard polygonal.count == 1 else {
            throw fail(
                .featureChoice,
                "\(polygonal.count) layers could hold the area (\(polygonal.map(\.name).joined(separator: ", "))); "
                    + "choose one by its name (the layer to read)")
        }
        return polygonal[0]
    }

    private static func resolveCRS(
        _ db: Database, layer: GeoPackageLayer, given: CRS?, fail: (GeoError.Code, String) -> GeoError
    ) throws -> CRS? {
        guard
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT organization, organization_coordsys_id, srs_name FROM gpkg_spatial_ref_sys WHERE srs_id = ?",
                arguments: [layer.srsID])
        else {
            throw fail(.parse, "layer '\(layer.name)': srs_id \(layer.srsID) is not in gpkg_spatial_ref_sys")
        }
        let table = "gpkg_spatial_ref_sys (srs_id \(layer.srsID))"
        let organization = (try row.checkedOptional(0, String.self, in: table) ?? "").uppercased()
        let code = try row.checkedOptional(1, Int.self, in: table) ?? 0
        let srsName = try row.checkedOptional(2, String.self, in: table) ?? ""
        if organization == "NONE" || layer.srsID == -1 || layer.srsID == 0 {
            guard let given else {
                var error = fail(
                    .unknownCRS,
                    "layer '\(layer.name)': srs_id \(layer.srsID) is an undefined coordinate system; give its CRS")
                error.remedies = [.giveCRS(nil)]
                throw error
            }
            return given
        }
        guard organization == "EPSG" else {
            throw fail(
                .unknownCRS,
                "layer '\(layer.name)': srs_id \(layer.srsID) ('\(srsName.prefix(60))') is defined by "
                    + "'\(organization.prefix(30))' code \(code), not by EPSG; reproject it to an EPSG CRS")
        }
        let crs = CRS(epsg: code)
        do { try PROJContext().requireKnown(crs, at: "layer '\(layer.name)', srs_id \(layer.srsID)") } catch let e
            as GeoError
        {
            throw fail(e.code, e.message)
        }
        if let given, given != crs {
            var error = fail(
                .unknownCRS,
                "layer '\(layer.name)' is in \(crs), but the CRS given is \(given); leave it out (a GeoPackage "
                    + "names its CRS)")
            error.remedies = [.dropCRS]
            throw error
        }
        return crs
    }

    /// SQLite's own message from a GRDB error (without the SQL, which may be long); for a file
    /// system error its localized description.
    package static func sqliteMessage(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        if let e = error as? CocoaError { return e.localizedDescription }
        return "\(error)"
    }
}
