import Foundation

/// Which features of an area file make the action area.
///
/// GIS exports often hold several features: the districts of a region, or one action area drawn
/// in parts. An area file with one feature is read as it is; with several, the caller says which
/// one (``id(_:)``) or asks for all of them as one area (``all``). Applies to GeoPackage layers and
/// GeoJSON FeatureCollections; WKT and CAP input take only ``single``.
public enum FeatureChoice: Sendable, Hashable, CustomStringConvertible {
    /// The file must hold exactly one feature (the default); several are refused with a list of
    /// them that says how to choose.
    case single
    /// The feature with this id: the GeoPackage fid, or the GeoJSON `id` member (string or number).
    case id(FeatureID)
    /// The union of every feature's polygons (GEOS unary union, in the file's CRS), as one area.
    case all

    public var description: String {
        switch self {
        case .single: "the only feature"
        case .id(let id): "feature \(id)"
        case .all: "all features"
        }
    }
}

/// The id of one feature as a person typed it: a GeoPackage fid or a GeoJSON `id`.
///
/// GeoJSON ids may be strings or numbers (RFC 7946, 3.2): a string id matches the same text, a
/// number id matches text that parses as the same number (`7` and `7.0` both pick `"id": 7`).
public struct FeatureID: Sendable, Hashable, CustomStringConvertible {
    /// The id as given, without surrounding white space.
    public let text: String

    /// Creates an id from its text.
    ///
    /// - Parameter text: The id; surrounding white space is dropped.
    /// - Returns: `nil` for an empty id, or one longer than 200 characters.
    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { return nil }
        self.text = trimmed
    }

    /// The id as a GeoPackage fid (an SQLite integer primary key), when it is an integer.
    public var fid: Int64? { Int64(text) }

    /// `#N`: the N-th feature of a GeoJSON FeatureCollection in file order (1-based), for features
    /// without an `id` member (GDAL and QGIS often write none). `nil` for any other id.
    public var position: Int? {
        guard text.hasPrefix("#"), let n = Int(text.dropFirst()), n >= 1, text.dropFirst().allSatisfy(\.isASCII)
        else { return nil }
        return n
    }

    /// Whether a GeoJSON feature's `id` member is this id.
    ///
    /// - Parameter member: The decoded `id` member.
    /// - Returns: `true` for the same string, or a number equal to this text read as a number.
    package func matches(_ member: JSONValue) -> Bool {
        switch member {
        case .string(let s): return s == text
        case .number(let n):
            // Plain decimal notation only: Swift's Double("0x10") and Double("nan") parse too.
            guard text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE".contains($0)) }) else { return false }
            return Double(text).map { $0 == n } ?? false
        default: return false
        }
    }

    public var description: String { text }
}
