import Foundation
import GeoTestSupport
import GRDB

@testable import Geo
@testable import GeoFormats

// MARK: - The SQL functions GeoPackage software provides

/// `ST_IsEmpty`, `ST_MinX`, `ST_MaxX`, `ST_MinY` and `ST_MaxY` over GeoPackage geometry blobs, as
/// QGIS and GDAL provide them to the spatial index triggers (GeoPackage 1.3, Annex F.3).
///
/// The bounding box comes from GEOS reading the WKB, not from the blob's header, so the triggers
/// are checked against an independent envelope. NULL or unreadable blobs give NULL, as the
/// standard asks.
enum GeoPackageSQLFunctions {
    static func add(to db: Database) {
        db.add(
            function: DatabaseFunction("ST_IsEmpty", argumentCount: 1, pure: true) { values in
                guard let blob = decode(values[0]) else { return nil }
                if blob.isEmpty { return 1 }
                return (try? GEOSContext().readWKB(blob.wkb).isEmpty) == true ? 1 : 0
            })
        for name in ["ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"] {
            db.add(
                function: DatabaseFunction(name, argumentCount: 1, pure: true) { values in
                    guard let blob = decode(values[0]), !blob.isEmpty,
                        let e = try? GEOSContext().readWKB(blob.wkb).envelope()
                    else { return nil }
                    switch name {
                    case "ST_MinX": return e.minX
                    case "ST_MaxX": return e.maxX
                    case "ST_MinY": return e.minY
                    default: return e.maxY
                    }
                })
        }
    }

    private static func decode(_ value: DatabaseValue) -> GeoPackageBinary? {
        guard let data = Data.fromDatabaseValue(value) else { return nil }
        return try? GeoPackageBinary.decode(Array(data))
    }
}

/// Runs SQL on a GeoPackage (to break it on purpose, or to edit it as QGIS would), with the
/// functions its spatial index triggers call.
func alterGeoPackage(_ path: String, _ sql: String, arguments: StatementArguments = []) throws {
    var config = Configuration()
    config.prepareDatabase { GeoPackageSQLFunctions.add(to: $0) }
    let queue = try DatabaseQueue(path: path, configuration: config)
    try queue.write { try $0.execute(sql: sql, arguments: arguments) }
    try queue.close()
}
