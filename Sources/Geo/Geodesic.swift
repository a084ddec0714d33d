import CPROJ

/// Distances on an ellipsoid, by Karney's algorithm as shipped in PROJ (`geodesic.h`).
///
/// A plain value: `geod_geodesic` holds only constants derived from the ellipsoid, no handle to
/// free, so it can be shared across threads.
public struct Geodesic: Sendable {
    private var g = geod_geodesic()

    /// The ellipsoid's equatorial radius in metres.
    public let equatorialRadius: Double
    /// The ellipsoid's flattening.
    public let flattening: Double

    /// Creates a geodesic calculator for the ellipsoid with equatorial radius `a` and flattening `f`.
    public init(equatorialRadius a: Double, flattening f: Double) {
        equatorialRadius = a
        flattening = f
        geod_init(&g, a, f)
    }

    /// The WGS84 ellipsoid (GRS80, used by ETRS89, differs by 0.1 mm in the semi-minor axis).
    public static let wgs84 = Geodesic(equatorialRadius: 6_378_137, flattening: 1 / 298.257223563)

    /// The length of the shortest path on the ellipsoid between two points, in metres.
    ///
    /// - Complexity: O(1); accurate to about 15 nanometres (Karney 2013).
    public func distance(from a: LonLat, to b: LonLat) -> Double {
        var s12 = 0.0
        withUnsafePointer(to: g) { gp in
            geod_inverse(gp, a.lat, a.lon, b.lat, b.lon, &s12, nil, nil)
        }
        return s12
    }

    /// The point `distance` metres from `start` along the geodesic leaving it at `azimuth` degrees
    /// (clockwise from north).
    ///
    /// - Complexity: O(1). See `geod_direct`.
    public func destination(from start: LonLat, azimuthDegrees azimuth: Double, distance: Double) -> LonLat {
        var lat = 0.0
        var lon = 0.0
        withUnsafePointer(to: g) { gp in
            geod_direct(gp, start.lat, start.lon, azimuth, distance, &lat, &lon, nil)
        }
        return LonLat(lon: lon, lat: lat)
    }
}
