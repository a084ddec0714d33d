/// The region where the engine accepts participants and areas: the Netherlands and a wide band
/// across the Belgian and German borders, in WGS84 degrees.
///
/// Used to catch mixed-up input early: a point outside it whose swapped coordinates fall inside
/// is almost certainly lat/lon given in the wrong order, and a "longitude" of 120000 is metres.
public enum ServiceRegion {
    /// Longitudes accepted, degrees east.
    public static let lonRange: ClosedRange<Double> = 2.0...8.5
    /// Latitudes accepted, degrees north.
    public static let latRange: ClosedRange<Double> = 49.4...54.0

    /// Whether a lon/lat point lies in the region.
    public static func contains(_ p: LonLat) -> Bool {
        lonRange.contains(p.lon) && latRange.contains(p.lat)
    }

    /// A sentence explaining why `p` (given as lon/lat) is not acceptable and what was likely
    /// meant, or `nil` when it is inside the region.
    public static func problem(with p: LonLat) -> String? {
        if !(p.lon.isFinite && p.lat.isFinite) { return "coordinate is not a finite number" }
        if contains(p) { return nil }
        if contains(LonLat(lon: p.lat, lat: p.lon)) {
            return "lon \(p.lon), lat \(p.lat) lies outside the service region, but swapped it lies inside: "
                + "latitude and longitude look swapped (columns are lon,lat)"
        }
        if abs(p.lon) > 1000 || abs(p.lat) > 1000 {
            return "lon \(p.lon), lat \(p.lat) is out of range for degrees; these look like projected metres "
                + "(such as RD New x,y, EPSG:28992): give lon/lat degrees, or the CRS the values are in"
        }
        if !p.isInRange {
            return "lon \(p.lon), lat \(p.lat) is out of range (lon −180…180, lat −90…90)"
        }
        return "lon \(p.lon), lat \(p.lat) lies outside the service region "
            + "(lon \(lonRange.lowerBound)…\(lonRange.upperBound), lat \(latRange.lowerBound)…\(latRange.upperBound))"
    }
}
