import CGEOS

/// The outcome of an OGC validity check: valid, or the first defect GEOS found and where.
public enum GeometryValidity: Sendable, Equatable {
    /// The geometry is valid in the OGC simple-features sense.
    case valid
    /// The geometry is invalid.
    ///
    /// - Parameters:
    ///   - reason: GEOS's description of the defect, for example `Self-intersection`, `Ring
    ///     Self-intersection`, `Hole lies outside shell`, `Too few points in geometry component`.
    ///   - location: Where the defect is, when GEOS gives a non-empty point. It may hold NaN (for
    ///     `Invalid Coordinate`), in which case two equal-looking values do not compare equal.
    case invalid(reason: String, location: XY?)

    /// Whether this is ``valid``.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

// MARK: - Validity

extension GEOSGeometry {
    /// Checks OGC validity and reports the first defect.
    ///
    /// See `GEOSisValidDetail_r`.
    /// Uses the strict OGC model (no `GEOSVALID_ALLOW_SELFTOUCHING_RING_FORMING_HOLE`), so an
    /// "inverted hole" shell is invalid. The reason string and location point that GEOS allocates
    /// are freed here (`GEOSFree_r`, and an owning ``GEOSGeometry`` for the point).
    ///
    /// - Returns: ``GeometryValidity/valid`` or ``GeometryValidity/invalid(reason:location:)``.
    /// - Throws: ``GeoError`` `.geos` when GEOS raises an exception (return value 2).
    package func validity() throws -> GeometryValidity {
        var reason: UnsafeMutablePointer<CChar>?
        var location: OpaquePointer?
        let result = GEOSisValidDetail_r(handle, pointer, 0, &reason, &location)
        // returns 1 valid, 0 invalid, 2 exception; reason and location are set only when 0
        let locationGeometry = location.map { GEOSGeometry(owning: $0, context: context) }
        defer { if let reason { GEOSFree_r(handle, reason) } }
        switch result {
        case 1:
            return .valid
        case 0:
            let text = reason.map { String(cString: $0) } ?? "unknown reason"
            var point: XY?
            if let locationGeometry, try !locationGeometry.isEmpty {
                point = try locationGeometry.pointXY()
            }
            return .invalid(reason: text, location: point)
        default:
            throw context.error("GEOSisValidDetail_r")
        }
    }
}
