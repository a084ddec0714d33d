import CPROJ
import Foundation
import Geo

/// A row of `gpkg_spatial_ref_sys`.
struct GeoPackageSRS: Sendable, Equatable {
    var name: String
    var id: Int
    var organization: String
    var organizationCode: Int
    var definition: String
    var description: String

    /// The two undefined systems every GeoPackage must hold (OGC 12-128, requirement 11).
    static let undefined = [
        GeoPackageSRS(
            name: "Undefined cartesian SRS", id: -1, organization: "NONE", organizationCode: -1,
            definition: "undefined", description: "undefined cartesian coordinate reference system"),
        GeoPackageSRS(
            name: "Undefined geographic SRS", id: 0, organization: "NONE", organizationCode: 0,
            definition: "undefined", description: "undefined geographic coordinate reference system"),
    ]

    /// The row for an EPSG CRS, with PROJ's WKT1 definition and name.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` when PROJ does not know the code, `.proj` when it
    ///   cannot write WKT1 for it.
    static func epsg(_ crs: CRS, context: PROJContext) throws -> GeoPackageSRS {
        let (name, wkt) = try describe(crs, context: context)
        let description =
            crs == .wgs84 ? "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid" : name
        return GeoPackageSRS(
            name: name, id: crs.epsg, organization: "EPSG", organizationCode: crs.epsg, definition: wkt,
            description: description)
    }

    /// PROJ's name and WKT1 (GDAL flavour, as GeoPackage's `definition` column wants) for a CRS.
    ///
    /// - Throws: ``GeoError`` `.unknownCRS` when PROJ does not know the code.
    static func describe(_ crs: CRS, context: PROJContext) throws -> (name: String, wkt: String) {
        context.assertUsable()
        try context.requireKnown(crs)
        guard let pj = proj_create(context.raw, crs.description) else {  // returns NULL on failure
            throw GeoError(.proj, "PROJ: cannot make \(crs): \(context.takeError())")
        }
        defer { proj_destroy(pj) }
        // Both strings belong to the PJ and live until proj_destroy; copy them now.
        guard let wkt = proj_as_wkt(context.raw, pj, PJ_WKT1_GDAL, nil) else {  // returns NULL on failure
            throw GeoError(.proj, "PROJ: cannot write \(crs) as WKT1: \(context.takeError())")
        }
        let name = proj_get_name(pj).map { String(cString: $0) } ?? crs.description
        return (name, String(cString: wkt))
    }
}
