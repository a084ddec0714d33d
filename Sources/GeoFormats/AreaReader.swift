import FanoutCore
import Foundation
import Geo

/// Reads action areas from GeoJSON (RFC 7946) or WKT text.
///
/// GeoJSON may be a Polygon, a MultiPolygon, a Feature holding one, or a FeatureCollection of such
/// Features: with one Feature it is read as it is, with several the caller chooses (see
/// ``FeatureChoice``). A WKT file may hold several geometries one after the other: they are its
/// features, chosen by position (`#N`). Coordinates are WGS84 lon/lat unless a legacy `crs` member names an
/// EPSG code (as QGIS writes for non-WGS84 layers). WKT carries no CRS: it is the caller's
/// (`--crs`, default WGS84).
public enum AreaReader {
    /// Largest area file accepted, in bytes.
    public static let maxFileBytes = 64 << 20

    /// Reads an area file, choosing GeoJSON when its first non-blank character is `{`, CAP (XML,
    /// see ``CAPReader``) when it is `<`, GeoPackage (see ``GeoPackageReader``) for a SQLite file
    /// or a `.gpkg` name, else WKT.
    ///
    /// - Parameters:
    ///   - url: The file.
    ///   - crs: The CRS for WKT input (and GeoJSON without a `crs` member); `nil` means WGS84.
    ///   - layer: The GeoPackage layer to read (`nil`: the only polygon layer); GeoPackage only.
    ///   - features: Which features make the area, for a GeoPackage layer, a GeoJSON
    ///     FeatureCollection, a WKT file with several geometries or a CAP alert with several areas.
    ///   - context: The GEOS context used to parse WKT and to take a union.
    /// - Throws: ``GeoError`` `.parse` or `.unsupportedGeometry`, naming the file and the field;
    ///   `.featureChoice` for several features and no choice, or an id the file lacks;
    ///   `.unknownCRS` (see ``GeoError/unknownCRS(_:at:reason:location:)``) when PROJ does not know
    ///   the CRS of `crs` (no place in the message; location field `crs`), of a GeoJSON `crs` member
    ///   or of a GeoPackage layer.
    package static func read(
        contentsOf url: URL, crs: CRS?, layer: String? = nil, features: FeatureChoice = .single,
        context: GEOSContext
    ) throws -> AreaGeometry {
        let area = try readFile(url, crs: crs, layer: layer, features: features, context: context)
        // One check for every format and command: the CRS came from the caller or from the file.
        if area.crs == crs, let crs, crs != .wgs84 {
            try PROJContext().requireKnown(crs, location: ErrorLocation(field: "crs"))
        } else if area.crs != .wgs84 {
            try PROJContext().requireKnown(
                area.crs, at: "\(url.path): crs.properties.name",
                location: ErrorLocation(input: url.path, field: "crs.properties.name"))
        }
        return area
    }

    /// ``read(contentsOf:crs:layer:features:context:)`` before the CRS is checked.
    private static func readFile(
        _ url: URL, crs: CRS?, layer: String?, features: FeatureChoice, context: GEOSContext
    ) throws -> AreaGeometry {
        let name = url.path
        if url.pathExtension.lowercased() == "gpkg" || GeoPackageReader.isSQLite(url) {
            return try GeoPackageReader.readArea(
                contentsOf: url, layer: layer, crs: crs, features: features, context: context)
        }
        if let layer {
            throw GeoError(
                .parse, "\(name): layer \(layer.prefix(40)): a layer applies to GeoPackage (.gpkg) input only",
                location: ErrorLocation(input: name, field: "layer"))
        }
        var data: Data
        do { data = try BoundedFile.read(url, limit: maxFileBytes) } catch {
            switch error {
            case .tooLarge:
                throw GeoError(
                    .parse, "\(name): more than \(maxFileBytes) bytes; area files are limited to \(maxFileBytes) bytes")
            case .unreadable(let cause):
                throw GeoError(.parse, "\(name): cannot read (\(cause.localizedDescription))")
            }
        }
        // Windows tools write a UTF-8 byte-order mark; the format is decided by the character after it.
        data = TextBytes.droppingBOM(data)
        // Before any parser: GEOS's WKT reader and libxml2 take C strings, which end at a NUL.
        try TextBytes.refuseNUL(in: data, name: name, what: "an area file (GeoJSON, WKT or CAP)")
        guard let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            throw GeoError(.parse, "\(name): empty file (expected GeoJSON or WKT)")
        }
        if first == UInt8(ascii: "{") {
            return try parseGeoJSON(data, name: name, crs: crs, features: features, context: context)
        }
        if first == UInt8(ascii: "<") {
            if let crs, crs != .wgs84 {
                throw GeoError(
                    .parse, "\(name): CAP coordinates are always WGS84; the CRS given (\(crs)) does not apply: leave it out",
                    remedies: [.dropCRS])
            }
            return try CAPReader.areaGeometry(data, name: name, features: features, context: context)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw GeoError(.parse, "\(name): not UTF-8 text (expected GeoJSON or WKT)")
        }
        return try parseWKT(text, name: name, crs: crs ?? .wgs84, features: features, context: context)
    }

    /// Parses GeoJSON holding one area (a FeatureCollection must hold one feature) into polygons.
    ///
    /// - Throws: ``GeoError`` naming the file and the JSON path of the problem.
    public static func parseGeoJSON(_ data: Data, name: String, crs: CRS? = nil) throws -> AreaGeometry {
        try parseGeoJSON(data, name: name, crs: crs, features: .single, context: nil)
    }

    /// Parses GeoJSON into polygons, choosing among the features of a FeatureCollection.
    ///
    /// - Parameters:
    ///   - features: `.single` (several features are refused with a list of them), `.id` (the
    ///     feature whose `id` member matches) or `.all` (the union of all features).
    ///   - context: The GEOS context for `.all`'s union (`nil` only for the other choices).
    /// - Throws: ``GeoError`` naming the file and the JSON path of the problem, or the features.
    package static func parseGeoJSON(
        _ data: Data, name: String, crs: CRS?, features: FeatureChoice, context: GEOSContext?
    ) throws -> AreaGeometry {
        let json: JSONValue
        do { json = try JSONDecoder().decode(JSONValue.self, from: TextBytes.droppingBOM(data)) } catch {
            let place = JSONValue.syntaxError(in: TextBytes.droppingBOM(data)) ?? JSONValue.describe(error)
            throw GeoError(.parse, "\(name): not valid JSON: \(place)")
        }
        let p = GeoJSONParser(name: name)
        let (polygons, properties) = try p.area(json, choosing: features, context: context)
        var areaCRS = crs ?? .wgs84
        if case .object(let object) = json, let named = try p.legacyCRS(object["crs"]) {
            areaCRS = named
        }
        var area = AreaGeometry(polygons: polygons, crs: areaCRS, source: name, format: .geojson, properties: properties)
        area.dropped = p.dropped.count
        return area
    }
}

/// Walks a decoded GeoJSON value, keeping the JSON path for error messages.
private struct GeoJSONParser {
    let name: String
    /// The Z and M values dropped from the positions read (shared with the quiet copies).
    var dropped = DroppedCounter()

    /// Counts dropped values across the parser and its copies.
    final class DroppedCounter {
        var count = DroppedOrdinates()
    }

    /// An error about the whole file.
    func failFile(_ message: String, _ code: GeoError.Code) -> GeoError {
        GeoError(code, "\(name): \(message)", location: ErrorLocation(input: name))
    }

    /// An error at a JSON path; `name` (the file) comes first unless it is empty.
    func fail(_ path: String, _ message: String, _ code: GeoError.Code = .parse) -> GeoError {
        let place = path.isEmpty ? "top level" : path
        return GeoError(
            code, name.isEmpty ? "\(place): \(message)" : "\(name): \(place): \(message)",
            location: ErrorLocation(input: name.isEmpty ? nil : name, field: path.isEmpty ? nil : path))
    }

    func object(_ value: JSONValue, _ path: String) throws -> [String: JSONValue] {
        guard case .object(let o) = value else { throw fail(path, "expected a JSON object") }
        return o
    }

    func array(_ value: JSONValue?, _ path: String, _ what: String) throws -> [JSONValue] {
        guard case .array(let a)? = value else { throw fail(path, "expected \(what)") }
        return a
    }

    // MARK: - Choosing features

    /// The area of a whole GeoJSON document (a geometry, a Feature, or the chosen features of a
    /// FeatureCollection) and the chosen Feature's properties (none for a bare geometry or a union).
    func area(_ json: JSONValue, choosing choice: FeatureChoice, context: GEOSContext?) throws
        -> ([PlanarPolygon], [AreaProperty])
    {
        let o = try object(json, "")
        let features: [JSONValue]
        let path: (Int) -> String
        switch o["type"] {
        case .string("FeatureCollection"):
            features = try array(o["features"], ".features", "an array of features")
            path = { ".features[\($0)]" }
            guard !features.isEmpty else {
                throw fail(".features", "the FeatureCollection is empty (no features)", .unsupportedGeometry)
            }
        case .string("Feature"):
            features = [json]
            path = { _ in "" }
        default:
            switch choice {
            case .single: return (try area(json, path: ""), [])
            case .id(let id):
                throw failFile(
                    "feature \(AreaFeatures.clean(id.text)): the file is a bare geometry, without features or ids",
                    .featureChoice)
            case .all:
                features = [json]
                path = { _ in "" }
            }
        }
        switch choice {
        case .single:
            guard features.count == 1 else {
                throw failFile(
                    AreaFeatures.severalMessage(
                        place: "the FeatureCollection", count: features.count, labels: labels(features), idName: "ID"),
                    .featureChoice)
            }
            return (try area(features[0], path: path(0)), properties(of: features[0]))
        case .id(let id):
            var matching = features.indices.filter { i in
                guard case .object(let f) = features[i], let member = f["id"] else { return false }
                return id.matches(member)
            }
            // `#N`: the N-th feature, unless a feature's id is literally "#N".
            if matching.isEmpty, let n = id.position, n <= features.count { matching = [n - 1] }
            guard let index = matching.first else {
                throw failFile(
                    AreaFeatures.unknownIDMessage(
                        id, idName: "id", place: features.count == 1 ? "the file" : "the FeatureCollection",
                        count: features.count, labels: labels(features)),
                    .featureChoice)
            }
            guard matching.count == 1 else {
                throw failFile(
                    "\(matching.count) features have id \(AreaFeatures.clean(id.text)) ("
                        + matching.prefix(AreaFeatures.maxListed).map(path).joined(separator: ", ")
                        + "); ids must be unique to choose by them", .featureChoice)
            }
            return (try area(features[index], path: path(index)), properties(of: features[index]))
        case .all:
            guard let context else { preconditionFailure("the union of GeoJSON features needs a GEOS context") }
            // Each feature is parsed with messages that leave out the file name: the union's
            // message names the file once, then lists the features in the way.
            let quiet = GeoJSONParser(name: "", dropped: dropped)
            let label = labels(features, limit: features.count)
            var parsed: [FeatureGeometry] = []
            for i in features.indices {
                do {
                    parsed.append(
                        FeatureGeometry(
                            label: label[i].id, polygons: .success(try quiet.area(features[i], path: path(i)))))
                } catch let e as GeoError {
                    parsed.append(FeatureGeometry(label: label[i].id, polygons: .failure(e)))
                }
            }
            let union = try AreaFeatures.union(
                parsed, place: features.count == 1 ? "the Feature" : "the FeatureCollection", context: context,
                fail: { code, message in GeoError(code, "\(name): \(message)") })
            return (union, [])
        }
    }

    /// A Feature's `properties` member as attributes, sorted by key (a JSON object has no order
    /// the decoder keeps); none when it is `null`, missing or not an object.
    func properties(of feature: JSONValue) -> [AreaProperty] {
        guard case .object(let f) = feature, case .object(let members)? = f["properties"] else { return [] }
        return members.keys.sorted().map { AreaProperty($0, AreaPropertyValue(members[$0] ?? .null)) }
    }

    /// How messages name the first features (up to `limit`): by `id`, else by position, with a
    /// name-like property when there is one.
    func labels(_ features: [JSONValue], limit: Int = AreaFeatures.maxListed) -> [FeatureLabel] {
        features.prefix(limit).enumerated().map { i, feature in
            guard case .object(let f) = feature else { return FeatureLabel(id: "features[\(i)] (not an object)") }
            var label: FeatureLabel
            switch f["id"] {
            case .string(let s)?: label = FeatureLabel(id: "id \"\(AreaFeatures.clean(s))\"")
            case .number(let n)?: label = FeatureLabel(id: "id \(Self.number(n))")
            default: label = FeatureLabel(id: "features[\(i)] (no id; '#\(i + 1)')")
            }
            if case .object(let properties)? = f["properties"],
                let key = AreaFeatures.nameAttribute(among: properties.keys)
            {
                switch properties[key] {
                case .string(let s)?: label.name = (AreaFeatures.clean(key, limit: 30), AreaFeatures.clean(s))
                case .number(let n)?: label.name = (AreaFeatures.clean(key, limit: 30), Self.number(n))
                default: break
                }
            }
            return label
        }
    }

    /// A JSON number as a person wrote it: `7`, not `7.0`.
    static func number(_ n: Double) -> String {
        n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : "\(n)"
    }

    func area(_ value: JSONValue, path: String) throws -> [PlanarPolygon] {
        let o = try object(value, path)
        guard case .string(let t)? = o["type"] else { throw fail(path, "missing \"type\"") }
        switch t {
        case "FeatureCollection":
            // Only the top level may be a collection (``area(_:choosing:context:)``).
            throw fail(path, "expected a Polygon or MultiPolygon, got a nested FeatureCollection", .unsupportedGeometry)
        case "Feature":
            guard let g = o["geometry"], g != .null else {
                throw fail(path + ".geometry", "the Feature has no geometry", .unsupportedGeometry)
            }
            return try area(g, path: path + ".geometry")
        case "Polygon":
            return [try polygon(o["coordinates"], path + ".coordinates")]
        case "MultiPolygon":
            let parts = try array(o["coordinates"], path + ".coordinates", "an array of polygons")
            guard !parts.isEmpty else {
                throw fail(path + ".coordinates", "the MultiPolygon is empty", .invalidGeometry)
            }
            return try parts.enumerated().map { try polygon($1, path + ".coordinates[\($0)]") }
        case "GeometryCollection":
            // Some exports (Belgian municipal files for Baarle-Hertog) store a multipolygon this way.
            let members = try array(o["geometries"], path + ".geometries", "an array of geometries")
            guard !members.isEmpty else {
                throw fail(path + ".geometries", "the GeometryCollection is empty", .unsupportedGeometry)
            }
            var polygons: [PlanarPolygon] = []
            for (i, member) in members.enumerated() {
                let at = "\(path).geometries[\(i)]"
                guard case .string(let type)? = try object(member, at)["type"] else {
                    throw fail(at, "missing \"type\"")
                }
                guard ["Polygon", "MultiPolygon", "GeometryCollection"].contains(type) else {
                    throw fail(
                        at,
                        "a GeometryCollection is an area only when all its members are Polygons or MultiPolygons; "
                            + "this one is a \(AreaFeatures.clean(type, limit: 40))", .unsupportedGeometry)
                }
                polygons += try area(member, path: at)
            }
            return polygons
        case "Point", "MultiPoint", "LineString", "MultiLineString":
            throw fail(path, "expected a Polygon or MultiPolygon, got \(t)", .unsupportedGeometry)
        default:
            throw fail(path, "unknown GeoJSON type \"\(t.prefix(40))\"")
        }
    }

    func polygon(_ value: JSONValue?, _ path: String) throws -> PlanarPolygon {
        let rings = try array(value, path, "an array of linear rings")
        guard !rings.isEmpty else { throw fail(path, "the polygon is empty (no rings)", .invalidGeometry) }
        let parsed = try rings.enumerated().map { try ring($1, "\(path)[\($0)]") }
        // An empty hole (`[]`, as an EMPTY ring in WKT) encloses nothing: dropped, as GEOS and JTS
        // call such a polygon valid.
        return PlanarPolygon(shell: parsed[0], holes: parsed.dropFirst().filter { !$0.isEmpty })
    }

    func ring(_ value: JSONValue, _ path: String) throws -> [XY] {
        let positions = try array(value, path, "an array of positions")
        var extra: [Int] = []
        let ring = try positions.enumerated().map { i, p in
            guard case .array(let a) = p, a.count >= 2 else {
                throw fail("\(path)[\(i)]", "expected a position [lon, lat]")
            }
            guard case .number(let x) = a[0], case .number(let y) = a[1] else {
                throw fail("\(path)[\(i)]", "position values must be numbers")
            }
            extra.append(a.count - 2)
            return XY(x, y)
        }
        // Counted as vertices are counted everywhere: the closing position left out.
        for n in extra.prefix(PlanarPolygon.distinct(ring).count) {
            if n >= 1 { dropped.count.zVertices += 1 }
            if n >= 2 { dropped.count.mVertices += 1 }
        }
        return ring
    }

    /// The EPSG code named by a legacy (GeoJSON 2008) `crs` member, if any.
    func legacyCRS(_ value: JSONValue?) throws -> CRS? {
        guard let value, value != .null else { return nil }
        guard case .object(let o) = value, case .object(let props)? = o["properties"],
            case .string(let n)? = props["name"]
        else { throw fail("crs", "expected {\"type\": \"name\", \"properties\": {\"name\": \"EPSG:NNNN\"}}") }
        guard let crs = CRS(parsing: n) else {
            throw fail(
                "crs.properties.name",
                "'\(AreaFeatures.clean(n))' is not a CRS name this reader knows (\(CRS.acceptedForms))")
        }
        return crs
    }
}
