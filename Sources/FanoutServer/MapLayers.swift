import Foundation
import Geo

/// The map page's vector layers (country borders, municipalities) as WGS84 GeoJSON, made once at
/// startup from the data directory's files.
///
/// The page draws them with Leaflet, which wants longitude/latitude. A file in RD New (a `crs`
/// member naming EPSG:28992) is transformed with the project's ``CoordinateConverter``
/// (RDNAPTRANS2018); a file without a `crs` member is GeoJSON as RFC 7946 has it, WGS84, and
/// every position is checked to lie within longitude ±180 and latitude ±90. Only the properties
/// the page shows are kept (strings: `country`, or `code` and `name`), and positions are written
/// with 6 decimals (about 0.1 m).
struct MapLayer: Sendable {
    /// The layer's name in the route (`borders`, `municipalities`).
    let name: String
    /// The GeoJSON FeatureCollection, UTF-8.
    let geojson: [UInt8]
    /// Number of features.
    let featureCount: Int

    /// Reads `fileName` from `data` and makes its WGS84 GeoJSON.
    ///
    /// - Parameters:
    ///   - keep: The string properties to keep.
    ///   - converter: Makes a converter, called only for a file that is not WGS84.
    /// - Throws: ``ServeError`` `.config` naming the file (and feature) when it is missing, not a
    ///   FeatureCollection of Polygon/MultiPolygon features, in a CRS other than WGS84 or RD New,
    ///   or has a position out of range; what the converter throws.
    static func load(
        name: String, fileName: String, data: DataDirectory, keep: [String],
        converter: () throws -> CoordinateConverter
    ) throws -> MapLayer {
        let url = data.url(for: fileName)
        guard let bytes = try? Data(contentsOf: url) else {
            throw ServeError(.config, "map layer \(name): cannot read \(url.path) (data directory: \(data))")
        }
        return try parse(bytes, name: name, file: url.path, keep: keep, converter: converter)
    }

    /// Makes the layer from a GeoJSON text; `file` names it in errors.
    static func parse(
        _ bytes: Data, name: String, file: String, keep: [String], converter: () throws -> CoordinateConverter
    ) throws -> MapLayer {
        func fail(_ message: String) -> ServeError { ServeError(.config, "map layer \(name): \(file): \(message)") }
        guard let root = (try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any],
            root["type"] as? String == "FeatureCollection", let features = root["features"] as? [Any]
        else { throw fail("not a GeoJSON FeatureCollection") }
        let crs = try crsOf(root, fail: fail)
        var shapes: [(properties: [String: String], polygons: [[[[Double]]]])] = []
        var xs: [Double] = []
        var ys: [Double] = []
        for (i, item) in features.enumerated() {
            guard let feature = item as? [String: Any], let geometry = feature["geometry"] as? [String: Any],
                let type = geometry["type"] as? String, let coordinates = geometry["coordinates"]
            else { throw fail("features[\(i)]: no geometry") }
            let polygons: [[[[Double]]]]
            switch type {
            case "Polygon": polygons = [try rings(coordinates, at: "features[\(i)]", fail: fail)]
            case "MultiPolygon":
                guard let list = coordinates as? [Any] else { throw fail("features[\(i)]: coordinates are not a list") }
                polygons = try list.enumerated().map { try rings($1, at: "features[\(i)].coordinates[\($0)]", fail: fail) }
            default: throw fail("features[\(i)]: geometry \(type.prefix(40)), expected Polygon or MultiPolygon")
            }
            let properties = feature["properties"] as? [String: Any] ?? [:]
            var kept: [String: String] = [:]
            for key in keep { if let s = properties[key] as? String { kept[key] = s } }
            for polygon in polygons { for ring in polygon { for p in ring { xs.append(p[0]); ys.append(p[1]) } } }
            shapes.append((kept, polygons))
        }
        if crs != .wgs84 {
            try converter().toLonLat(xs: &xs, ys: &ys, from: crs)
        }
        if let k = xs.indices.first(where: { !(-180...180).contains(xs[$0]) || !(-90...90).contains(ys[$0]) }) {
            throw fail(
                "position \(k) is (\(xs[k]), \(ys[k])) after reading the file as \(crs): not a longitude/latitude; "
                    + "a file in RD New needs a crs member naming EPSG:28992")
        }
        var out = "{\"type\":\"FeatureCollection\""
        for key in ["attribution", "license"] { if let s = root[key] as? String { out += ",\(quoted(key)):\(quoted(s))" } }
        out += ",\"features\":["
        var k = 0
        for (i, shape) in shapes.enumerated() {
            if i > 0 { out += "," }
            let properties = shape.properties.keys.sorted().map { "\(quoted($0)):\(quoted(shape.properties[$0]!))" }
            out += "{\"type\":\"Feature\",\"properties\":{\(properties.joined(separator: ","))},"
            out += "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
            out += shape.polygons.map { polygon in
                "[" + polygon.map { ring in
                    "[" + ring.map { _ in
                        defer { k += 1 }
                        return String(format: "[%.6f,%.6f]", xs[k], ys[k])
                    }.joined(separator: ",") + "]"
                }.joined(separator: ",") + "]"
            }.joined(separator: ",")
            out += "]}}"
        }
        out += "]}"
        return MapLayer(name: name, geojson: Array(out.utf8), featureCount: shapes.count)
    }

    /// The file's CRS: WGS84 without a `crs` member (RFC 7946), else the one it names.
    static func crsOf(_ root: [String: Any], fail: (String) -> ServeError) throws -> CRS {
        guard let member = root["crs"] else { return .wgs84 }
        guard let properties = (member as? [String: Any])?["properties"] as? [String: Any],
            let text = properties["name"] as? String, let crs = CRS(parsing: text)
        else { throw fail("the crs member names no CRS this service reads (\(CRS.acceptedForms))") }
        guard crs == .wgs84 || crs == .rdNew else {
            throw fail("the layer is in \(crs); the map takes WGS84 or RD New (EPSG:28992)")
        }
        return crs
    }

    /// A polygon's rings as lists of [x, y].
    static func rings(_ value: Any, at place: String, fail: (String) -> ServeError) throws -> [[[Double]]] {
        guard let rings = value as? [Any], !rings.isEmpty else { throw fail("\(place): a polygon without rings") }
        return try rings.enumerated().map { r, ring in
            guard let positions = ring as? [Any], positions.count >= 4 else {
                throw fail("\(place)[\(r)]: a ring of fewer than 4 positions")
            }
            return try positions.enumerated().map { j, position in
                guard let p = position as? [Any], p.count >= 2, let x = (p[0] as? NSNumber)?.doubleValue,
                    let y = (p[1] as? NSNumber)?.doubleValue, x.isFinite, y.isFinite
                else { throw fail("\(place)[\(r)][\(j)]: a position is not [x, y]") }
                return [x, y]
            }
        }
    }

    /// `s` as a JSON string literal.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }
}
