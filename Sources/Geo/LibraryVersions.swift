import CGEOS
import CPROJ

// MARK: - The versions of the C libraries this process runs

extension GEOSContext {
    /// The version of the GEOS library the process runs (not the headers it was built
    /// against), e.g. `3.11.1`: `GEOSversion()` up to its `-CAPI-…` suffix.
    ///
    /// See `GEOSversion` (the one GEOS function without a context: it reads a constant).
    package static var libraryVersion: String {
        guard let text = GEOSversion() else { return "unknown" }  // a static string; NULL never seen
        let full = String(cString: text)
        return full.components(separatedBy: "-CAPI").first ?? full
    }
}

extension PROJContext {
    /// The version of the PROJ library the process runs, e.g. `9.1.1`, and its release line
    /// (`Rel. 9.1.1, December 1st, 2022`).
    ///
    /// See `proj_info` (it reads constants; no context needed).
    package static var libraryVersion: (version: String, release: String) {
        let info = proj_info()
        let release = info.release.map { String(cString: $0) } ?? ""
        let version = info.version.map { String(cString: $0) } ?? "\(info.major).\(info.minor).\(info.patch)"
        return (version, release)
    }
}
