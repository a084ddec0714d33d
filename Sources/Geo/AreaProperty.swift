import Foundation

/// One attribute of an area's feature: a GeoJSON property or a GeoPackage attribute column.
public struct AreaProperty: Sendable, Equatable {
    /// The attribute's name (the GeoJSON key, the GeoPackage column).
    public var key: String
    /// Its value.
    public var value: AreaPropertyValue

    /// Creates an attribute.
    public init(_ key: String, _ value: AreaPropertyValue) {
        self.key = key
        self.value = value
    }

    /// The keys whose text names an area, most telling first, matched without regard to case:
    /// `name`, `naam`, `statnaam`, `gemeentenaam`, … (see ``AreaGeometry/name``).
    public static let nameKeys = [
        "name", "naam", "statnaam", "gemeentenaam", "gm_naam", "wijknaam", "buurtnaam", "nom", "label", "title",
        "titel",
    ]

    /// The attribute among `keys` that names a feature, if any (the first of ``nameKeys``, any case).
    package static func nameKey(among keys: some Sequence<String>) -> String? {
        let byLowercase = Dictionary(keys.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        return nameKeys.lazy.compactMap { byLowercase[$0] }.first
    }
}

/// The value of an area attribute, typed as GeoJSON and GeoPackage (SQLite) both can hold it.
public enum AreaPropertyValue: Sendable, Equatable {
    /// JSON `null`, SQL NULL.
    case null
    /// JSON `true`/`false`; a GeoPackage `BOOLEAN` column (0 or 1).
    case bool(Bool)
    /// A whole number: a JSON number without a fraction (within ±2^53, where doubles are exact);
    /// a GeoPackage `INTEGER` value.
    case integer(Int64)
    /// Any other number: a JSON number with a fraction or beyond ±2^53; a GeoPackage `REAL` value.
    case real(Double)
    /// Text.
    case text(String)
    /// A JSON array or object, as compact JSON text (keys sorted); a GeoPackage `TEXT` value.
    case json(String)

    /// The value of a decoded JSON member.
    package init(_ json: JSONValue) {
        switch json {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .number(let n):
            self = n == n.rounded() && abs(n) <= 9_007_199_254_740_992 ? .integer(Int64(n)) : .real(n)
        case .string(let s): self = .text(s)
        case .array, .object: self = .json(json.jsonText)
        }
    }

    /// The value as JSON text.
    public var jsonText: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .integer(let n): String(n)
        case .real(let d): d.isFinite ? "\(d)" : "null"
        case .text(let s): JSONValue.quoted(s)
        case .json(let text): text
        }
    }
}

extension [AreaProperty] {
    /// The attributes as a GeoJSON `properties` object, in their order.
    public var geoJSONObject: String {
        "{" + map { JSONValue.quoted($0.key) + ":" + $0.value.jsonText }.joined(separator: ",") + "}"
    }
}
