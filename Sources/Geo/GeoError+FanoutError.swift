import FanoutCore

extension GeoError: FanoutError {}

extension GeoError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [GeoError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `geo.<kind>`: never changed or reused (the table is in
    /// `docs/library.md`, "Error codes").
    public var id: String {
        switch kind {
        case .geos: "geo.geos"
        case .proj: "geo.proj"
        case .unknownCRS: "geo.unknownCRS"
        case .invalidGeometry: "geo.invalidGeometry"
        case .parse: "geo.parse"
        case .unsupportedGeometry: "geo.unsupportedGeometry"
        case .outOfRange: "geo.outOfRange"
        case .correctionGrid: "geo.correctionGrid"
        case .countryBorders: "geo.countryBorders"
        case .municipalities: "geo.municipalities"
        case .featureChoice: "geo.featureChoice"
        case .unwritable: "geo.unwritable"
        }
    }
}
