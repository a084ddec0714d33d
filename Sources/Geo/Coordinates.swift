import Foundation

// MARK: - Coordinate reference systems and CRS-typed points

/// A coordinate reference system, identified by its EPSG code.
///
/// The engine works in RD New (EPSG:28992) metres; input arrives in WGS84 lon/lat (EPSG:4326)
/// unless the user names another CRS. `CRS` is parsed once at the edge (`EPSG:NNNN`) and then
/// passed around as a value, never as a string.
public struct CRS: Hashable, Sendable, CustomStringConvertible {
    /// The EPSG code, for example 28992.
    public let epsg: Int

    /// Creates a CRS from an EPSG code. Whether PROJ knows it is checked when a transformer is built.
    public init(epsg: Int) { self.epsg = epsg }

    /// WGS84 geographic, longitude/latitude in degrees (EPSG:4326). Axis order here is always lon, lat.
    public static let wgs84 = CRS(epsg: 4326)
    /// RD New, the Dutch national grid (EPSG:28992), x/y in metres.
    public static let rdNew = CRS(epsg: 28992)

    /// `EPSG:NNNN`.
    public var description: String { "EPSG:\(epsg)" }

    /// The forms ``init(parsing:)`` takes, for messages.
    public static let acceptedForms =
        "EPSG:NNNN, urn:ogc:def:crs:EPSG::NNNN, http://www.opengis.net/def/crs/EPSG/0/NNNN or "
        + "urn:ogc:def:crs:OGC:1.3:CRS84"

    /// Parses a CRS name in the forms GIS tools write, case-insensitive: `EPSG:28992`, a bare
    /// number, the OGC URL `http://www.opengis.net/def/crs/EPSG/0/28992` (also `https`), the URN
    /// `urn:ogc:def:crs:EPSG::28992` (with or without a version between the colons), and OGC's
    /// CRS84 (`urn:ogc:def:crs:OGC:1.3:CRS84`, `http://www.opengis.net/def/crs/OGC/1.3/CRS84`,
    /// `OGC:CRS84`, `CRS84`), which is WGS84 in lon/lat order, as ``wgs84`` is here.
    ///
    /// Every place a CRS is read (`--crs`, a GeoJSON `crs` member, a CSV `crs` column) uses this
    /// one parser.
    ///
    /// - Returns: `nil` when the text is not of one of those shapes.
    public init?(parsing text: String) {
        let s = text.trimmingCharacters(in: .whitespaces).lowercased()
        let parts: [Substring]
        if s.hasPrefix("urn:ogc:def:crs:") {
            // urn:ogc:def:crs:{authority}:{version, may be empty}:{code}
            parts = s.dropFirst("urn:ogc:def:crs:".count).split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
        } else if let path = ["http://www.opengis.net/def/crs/", "https://www.opengis.net/def/crs/"]
            .first(where: { s.hasPrefix($0) }).map({ s.dropFirst($0.count) })
        {
            // …/def/crs/{authority}/{version}/{code}
            parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
        } else if s.hasPrefix("epsg:") || s.hasPrefix("ogc:") {
            let pair = s.split(separator: ":", omittingEmptySubsequences: false)
            guard pair.count == 2 else { return nil }
            parts = [pair[0], "", pair[1]]
        } else {
            parts = ["epsg", "", Substring(s)]
        }
        let (authority, code) = (parts[0], parts[2])
        if code == "crs84" && (authority == "ogc" || s == "crs84") {
            self = .wgs84
            return
        }
        guard authority == "epsg", code.allSatisfy({ $0.isASCII && $0.isNumber }), let n = Int(code), n > 0,
            n < 1_000_000
        else { return nil }
        self.epsg = n
    }
}

/// A point in WGS84 longitude/latitude degrees (EPSG:4326).
///
/// A distinct type from ``RDPoint`` so that a projected point can never be passed where a
/// geographic one is expected.
public struct LonLat: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Longitude in degrees, east positive.
    public var lon: Double
    /// Latitude in degrees, north positive.
    public var lat: Double

    /// Creates a lon/lat point (no range check; see ``isInRange``).
    public init(lon: Double, lat: Double) {
        self.lon = lon
        self.lat = lat
    }

    /// Whether both values are finite and within −180…180 / −90…90.
    public var isInRange: Bool {
        lon.isFinite && lat.isFinite && (-180...180).contains(lon) && (-90...90).contains(lat)
    }

    public var description: String { "\(lon),\(lat)" }
}

/// A point in RD New (EPSG:28992) metres.
public struct RDPoint: Hashable, Sendable, Codable, CustomStringConvertible {
    /// Easting in metres.
    public var x: Double
    /// Northing in metres.
    public var y: Double

    /// Creates an RD New point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// Squared Euclidean distance in m², computed as `dx*dx + dy*dy`.
    ///
    /// This exact expression is the engine's definition of distance: a participant is inside a
    /// circle of radius r when `squaredDistance <= r*r`, and its reported distance is the square
    /// root of it.
    @inlinable
    public func squaredDistance(to other: RDPoint) -> Double {
        let dx = x - other.x
        let dy = y - other.y
        return dx * dx + dy * dy
    }

    /// Euclidean distance in metres (the square root of ``squaredDistance(to:)``).
    @inlinable
    public func distance(to other: RDPoint) -> Double { squaredDistance(to: other).squareRoot() }

    public var description: String { "RD(\(x),\(y))" }
}

/// A point in some named CRS: the raw `x,y` of an input row before transformation.
public struct SourcePoint: Hashable, Sendable {
    /// First coordinate (easting or longitude).
    public var x: Double
    /// Second coordinate (northing or latitude).
    public var y: Double
    /// The CRS the values are in.
    public var crs: CRS

    /// Creates a point in `crs`.
    public init(x: Double, y: Double, crs: CRS) {
        self.x = x
        self.y = y
        self.crs = crs
    }
}

/// A plain planar coordinate pair with no CRS attached, used inside geometry code.
public struct XY: Hashable, Sendable {
    /// First coordinate.
    public var x: Double
    /// Second coordinate.
    public var y: Double

    /// Creates a coordinate pair.
    public init(_ x: Double, _ y: Double) {
        self.x = x
        self.y = y
    }
}

/// An axis-aligned rectangle in planar coordinates.
public struct Envelope: Hashable, Sendable {
    public var minX: Double
    public var minY: Double
    public var maxX: Double
    public var maxY: Double

    /// Creates an envelope from its bounds.
    public init(minX: Double, minY: Double, maxX: Double, maxY: Double) {
        self.minX = minX
        self.minY = minY
        self.maxX = maxX
        self.maxY = maxY
    }

    /// Whether the point lies inside or on the rectangle.
    @inlinable
    public func contains(x: Double, y: Double) -> Bool {
        x >= minX && x <= maxX && y >= minY && y <= maxY
    }
}

/// A polygon as plain coordinates: one shell and zero or more holes, each ring closed
/// (first point repeated at the end).
public struct PlanarPolygon: Hashable, Sendable {
    /// The outer ring.
    public var shell: [XY]
    /// The inner rings.
    public var holes: [[XY]]

    /// Creates a polygon from its rings.
    public init(shell: [XY], holes: [[XY]] = []) {
        self.shell = shell
        self.holes = holes
    }
}

// MARK: - Counting vertices

extension PlanarPolygon {
    /// The vertices of one ring without its closing vertex (the repeat of the first).
    @inlinable
    public static func distinct(_ ring: [XY]) -> ArraySlice<XY> {
        ring.count > 1 && ring.first == ring.last ? ring.dropLast() : ring[...]
    }

    /// The polygon's vertices, shell first, then each hole, every ring without its closing vertex.
    ///
    /// This is what "vertices" means in every count and message of the tools: a square has 4
    /// (its closing vertex, which repeats the first, is not counted).
    public var distinctVertices: [XY] { ([shell] + holes).flatMap { Self.distinct($0) } }

    /// The number of ``distinctVertices``: a square has 4.
    public var vertexCount: Int { ([shell] + holes).reduce(0) { $0 + Self.distinct($1).count } }
}

extension Array where Element == PlanarPolygon {
    /// The vertices of all polygons, closing vertices left out (see ``PlanarPolygon/distinctVertices``).
    public var distinctVertices: [XY] { flatMap(\.distinctVertices) }

    /// The number of vertices of all polygons, closing vertices not counted (a square has 4).
    public var vertexCount: Int { reduce(0) { $0 + $1.vertexCount } }
}
