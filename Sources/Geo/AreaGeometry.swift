import Foundation

/// An action area as read from a file: polygons with their CRS and the feature's attributes, not
/// yet validated or transformed.
public struct AreaGeometry: Sendable, Equatable {
    /// The polygons (one for a Polygon, several for a MultiPolygon), rings closed.
    public var polygons: [PlanarPolygon]
    /// The CRS of the coordinates (WGS84 lon/lat for RFC 7946 GeoJSON).
    public var crs: CRS
    /// Where it came from (file name), for messages.
    public var source: String
    /// The format of the file it was read from; `nil` for an area made in code.
    public var format: AreaFormat?
    /// The Z and M values reading dropped (see ``DroppedOrdinates/warnings(file:)``).
    public var dropped = DroppedOrdinates()
    /// The feature's attributes, in order: a GeoJSON Feature's `properties` (sorted by key), a
    /// GeoPackage feature's attribute columns (in table order), `name` = `<areaDesc>` for a CAP
    /// area. Empty for a bare geometry, a WKT file and a union of features (`--all-features`).
    public var properties: [AreaProperty]
    /// The human-readable name of the GeoPackage layer it was read from (`gpkg_contents.identifier`),
    /// if that layer has one.
    public var layerName: String?

    /// Creates an area geometry.
    public init(
        polygons: [PlanarPolygon], crs: CRS, source: String, format: AreaFormat? = nil, properties: [AreaProperty] = [],
        layerName: String? = nil
    ) {
        self.polygons = polygons
        self.crs = crs
        self.source = source
        self.format = format
        self.properties = properties
        self.layerName = layerName
    }

    /// How the file writes positions, for messages that quote one (CAP: `lat,lon`); GeoJSON's
    /// for an area made in code.
    public var notation: CoordinateNotation { CoordinateNotation(format) }

    /// The area's name: the text of its name-like property (`name`, `naam`, `statnaam`, … in
    /// that order, any case; see ``AreaProperty/nameKeys``), else the GeoPackage layer's name;
    /// `nil` when it has neither (or only blank ones).
    ///
    /// It becomes the GeoPackage layer name and the CAP `<areaDesc>` when the area is written,
    /// and the title of `area map`.
    public var name: String? {
        if let key = AreaProperty.nameKey(among: properties.map(\.key)),
            case .text(let text)? = properties.first(where: { $0.key == key })?.value,
            !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        {
            return text
        }
        guard let layerName, !layerName.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return layerName
    }
}
