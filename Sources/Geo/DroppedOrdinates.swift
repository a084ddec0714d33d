/// The coordinates beyond x and y that reading an area dropped: Z (height) and M (measure).
///
/// The engine works in two dimensions, so a GeoJSON position `[lon, lat, height]`, a WKT
/// `POLYGON Z`/`M`/`ZM` (or three or four numbers per point) and a GeoPackage geometry with Z or
/// M keep x and y only. The readers count the vertices that lost a value (distinct vertices, as
/// ``PlanarPolygon/vertexCount`` counts them), and the commands say so in one warning per kind.
public struct DroppedOrdinates: Sendable, Equatable {
    /// Vertices whose Z value was dropped.
    public var zVertices = 0
    /// Vertices whose M value was dropped.
    public var mVertices = 0

    /// Creates a count.
    public init(zVertices: Int = 0, mVertices: Int = 0) {
        self.zVertices = zVertices
        self.mVertices = mVertices
    }

    /// Whether nothing was dropped.
    public var isEmpty: Bool { zVertices == 0 && mVertices == 0 }

    /// Adds another feature's count.
    public static func + (a: Self, b: Self) -> Self {
        Self(zVertices: a.zVertices + b.zVertices, mVertices: a.mVertices + b.mVertices)
    }

    /// The warnings to print: `FILE: Z values dropped from N vertices` (and M the same way).
    public func warnings(file: String) -> [String] {
        [("Z", zVertices), ("M", mVertices)].filter { $0.1 > 0 }.map {
            "\(file): \($0.0) values dropped from \($0.1) vert\($0.1 == 1 ? "ex" : "ices") (areas are two-dimensional)"
        }
    }

    /// The count for `polygons` read from a geometry that has Z and/or M on every vertex.
    package static func of(_ polygons: [PlanarPolygon], z: Bool, m: Bool) -> Self {
        let n = polygons.vertexCount
        return Self(zVertices: z ? n : 0, mVertices: m ? n : 0)
    }

    /// Whether a WKB geometry has Z and M, from its type code: ISO (1000s Z, 2000s M, 3000s ZM)
    /// or EWKB flags (`0x80000000` Z, `0x40000000` M).
    package static func wkbDimensions(_ wkb: [UInt8]) -> (z: Bool, m: Bool) {
        guard wkb.count >= 5, wkb[0] <= 1 else { return (false, false) }
        let raw = wkb[1..<5].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let type = wkb[0] == 1 ? raw : raw.byteSwapped
        let iso = (type & 0x0FFF_FFFF) / 1000
        return (type & 0x8000_0000 != 0 || iso == 1 || iso == 3, type & 0x4000_0000 != 0 || iso == 2 || iso == 3)
    }

    /// Whether a WKT geometry has Z and M: its tag (`POLYGON Z`, `M`, `ZM`), else the count of
    /// numbers in its first point (3: Z, 4: Z and M).
    package static func wktDimensions(_ text: String) -> (z: Bool, m: Bool) {
        let upper = text.uppercased()
        guard let open = upper.firstIndex(of: "(") else { return (false, false) }
        let tag = upper[..<open].split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline }).dropFirst()
            .joined()
        switch tag {
        case "Z": return (true, false)
        case "M": return (false, true)
        case "ZM": return (true, true)
        default: break
        }
        let start = upper[open...].drop { $0 == "(" || $0.isWhitespace }
        let first = start.prefix { $0 != "," && $0 != ")" }
        let numbers = first.split(whereSeparator: { $0.isWhitespace }).count
        return (numbers >= 3, numbers >= 4)
    }
}
