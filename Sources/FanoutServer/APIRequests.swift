import FanOut
import FanoutCore
import FanoutEngine
import Foundation
import Geo
import GeoFormats
import Participants

/// An action area as the API takes it: `{"circle": {"lon", "lat", "radius_m"}}`, `{"polygon":
/// GEOJSON}` (a geometry or a Feature, WGS84) or `{"cap": "<alert …>"}` (a CAP 1.2 alert's XML).
struct AreaInput: Sendable {
    enum Shape: Sendable {
        case circle(LonLat, radiusMeters: Double)
        case polygon(AreaGeometry)
    }

    var shape: Shape
    /// The incident point, when given.
    var incident: LonLat?
    /// The incident type, when given (a CAP alert's `<event>` when not).
    var incidentType: String?

    /// Reads the area members of a request object.
    ///
    /// - Throws: ``ServeError`` `.badRequest` naming the field, `.tooLarge` for a polygon with more
    ///   vertices than `maxVertices`.
    init(_ body: [String: JSONValue], maxVertices: Int) throws {
        let given = ["circle", "polygon", "cap"].filter { body[$0] != nil }
        guard given.count == 1 else {
            throw ServeError(
                .badRequest,
                given.isEmpty
                    ? "the request has no area: give \"circle\", \"polygon\" or \"cap\""
                    : "give one area, not \(given.joined(separator: " and "))",
                field: given.isEmpty ? "circle" : given[1])
        }
        field = given[0]
        switch given[0] {
        case "circle":
            guard case .object(let c)? = body["circle"] else {
                throw ServeError(.badRequest, "circle: expected {\"lon\", \"lat\", \"radius_m\"}", field: "circle")
            }
            let centre = try Self.lonLat(c, field: "circle")
            let r = try Self.number(c["radius_m"], field: "circle.radius_m")
            guard r > 0 && r <= 500_000 else {
                throw ServeError(
                    .badRequest, "circle.radius_m: must be more than 0 and at most 500000 metres, got \(r)",
                    field: "circle.radius_m")
            }
            shape = .circle(centre, radiusMeters: r)
        case "polygon":
            guard let value = body["polygon"], case .object = value else {
                throw ServeError(.badRequest, "polygon: expected a GeoJSON geometry or Feature", field: "polygon")
            }
            let area = try Self.geoJSON(value.jsonText, field: "polygon")
            shape = .polygon(area)
        default:
            guard case .string(let xml)? = body["cap"] else {
                throw ServeError(.badRequest, "cap: expected the CAP 1.2 alert as an XML string", field: "cap")
            }
            let data = Data(xml.utf8)
            do {
                let area = try CAPReader.areaGeometry(data, name: "cap", context: try GEOSContext())
                shape = .polygon(area)
            } catch let error as any FanoutError {
                throw ServeError(.badRequest, error.message, field: "cap")
            }
        }
        if case .polygon(let area) = shape {
            let vertices = area.polygons.reduce(0) { $0 + $1.vertexCount }
            guard vertices <= maxVertices else {
                throw ServeError(
                    .tooLarge, "\(given[0]): \(vertices) vertices; this service takes at most \(maxVertices)",
                    field: given[0])
            }
        }
        if let value = body["incident"] {
            guard case .object(let p) = value else {
                throw ServeError(.badRequest, "incident: expected {\"lon\", \"lat\"}", field: "incident")
            }
            incident = try Self.lonLat(p, field: "incident")
        }
        if let value = body["incident_type"] {
            incidentType = try Self.text(value, field: "incident_type", max: 100)
        }
    }

    /// The request member the area came from: `circle`, `polygon` or `cap`.
    var field: String

    /// The selection request of this area.
    var selectionRequest: SelectionRequest {
        switch shape {
        case .circle(let c, let r): SelectionRequest(area: .circle(center: c, radiusMeters: r), incident: incident)
        case .polygon(let a): SelectionRequest(area: .polygon(a), incident: incident)
        }
    }

    // MARK: - Fields

    static func lonLat(_ o: [String: JSONValue], field: String) throws -> LonLat {
        let lon = try number(o["lon"], field: "\(field).lon")
        let lat = try number(o["lat"], field: "\(field).lat")
        guard (-180...180).contains(lon) else {
            throw ServeError(.badRequest, "\(field).lon: \(lon) is not a longitude (-180 to 180)", field: "\(field).lon")
        }
        guard (-90...90).contains(lat) else {
            throw ServeError(.badRequest, "\(field).lat: \(lat) is not a latitude (-90 to 90)", field: "\(field).lat")
        }
        let p = LonLat(lon: lon, lat: lat)
        if let problem = ServiceRegion.problem(with: p) {
            throw ServeError(.badRequest, "\(field): \(problem)", field: field)
        }
        return p
    }

    static func number(_ value: JSONValue?, field: String) throws -> Double {
        guard case .number(let d)? = value, d.isFinite else {
            throw ServeError(.badRequest, "\(field): expected a number", field: field)
        }
        return d
    }

    static func text(_ value: JSONValue?, field: String, max: Int) throws -> String {
        guard case .string(let s)? = value, !s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw ServeError(.badRequest, "\(field): expected a non-empty text", field: field)
        }
        guard s.count <= max else {
            throw ServeError(.badRequest, "\(field): at most \(max) characters, got \(s.count)", field: field)
        }
        return s
    }

    static func bool(_ value: JSONValue?, field: String) throws -> Bool {
        switch value {
        case nil: return false
        case .bool(let b)?: return b
        default: throw ServeError(.badRequest, "\(field): expected true or false", field: field)
        }
    }

    static func geoJSON(_ text: String, field: String) throws -> AreaGeometry {
        let area: AreaGeometry
        do { area = try AreaReader.parseGeoJSON(Data(text.utf8), name: field) } catch let error as any FanoutError {
            throw ServeError(.badRequest, error.message, field: field)
        }
        guard area.crs == .wgs84 else {
            throw ServeError(.badRequest, "\(field): the API takes WGS84 longitude/latitude only (no crs member)", field: field)
        }
        return area
    }
}

/// What `POST /v1/actions` takes besides the area.
struct ActionInput: Sendable {
    var area: AreaInput
    var request: ActionRequest

    static let urgencies: [String: Urgency] = ["low": .low, "normal": .normal, "high": .high, "critical": .critical]

    init(_ body: [String: JSONValue], maxVertices: Int) throws {
        area = try AreaInput(body, maxVertices: maxVertices)
        guard let type = area.incidentType else {
            throw ServeError(.badRequest, "incident_type: an action needs its incident type", field: "incident_type")
        }
        let urgency = try Self.parseUrgency(body["urgency"])
        guard case .object(let t)? = body["texts"], !t.isEmpty else {
            throw ServeError(
                .badRequest, "texts: an action needs its alert text per language, {\"nl\": \"…\"}", field: "texts")
        }
        var texts: [String: String] = [:]
        for (language, value) in t {
            guard (try? Language(parsing: language)) != nil else {
                throw ServeError(.badRequest, "texts: '\(language.prefix(10))' is not a language code (nl, en, de, fr)", field: "texts")
            }
            texts[language] = try AreaInput.text(value, field: "texts.\(language)", max: 2000)
        }
        let message = texts["nl"] ?? texts.sorted { $0.key < $1.key }[0].value
        var channels: [Channel]?
        if let value = body["channels"] { channels = try Self.parseChannels(value) }
        var photo: String?
        if let value = body["photo_url"] { photo = try AreaInput.text(value, field: "photo_url", max: 2000) }
        request = ActionRequest(
            incidentType: type, urgency: urgency, message: message, photoURL: photo, channels: channels,
            confirmed: try AreaInput.bool(body["confirm"], field: "confirm"), texts: texts)
        do {
            for (language, text) in texts {
                try MessageLimits.check(text, named: "texts.\(language)", channels: request.channels)
            }
            if let photo { try MessageLimits.checkPhotoURL(photo, named: "photo_url") }
        } catch let error as any FanoutError {
            throw ServeError(.badRequest, error.message, field: "texts")
        }
    }
}

/// Reads a request body as a JSON object.
func jsonObject(_ data: Data) throws -> [String: JSONValue] {
    let value: JSONValue
    do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
        throw ServeError(.badRequest, "the body is not JSON (\(JSONValue.describe(error)))")
    }
    guard case .object(let o) = value else { throw ServeError(.badRequest, "the body must be a JSON object") }
    return o
}
