import FanOut
import FanoutDesk
import FanoutEngine
import Foundation
import Geo
import Participants

/// `201` of `POST /v1/actions`: the new id and what it was started on.
struct StartAnswer: Sendable, Encodable {
    var id: ActionID
    var selection: SelectionAnswer

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(id.rawValue, forKey: "id")
        try c.encode(selection, forKey: "selection")
    }
}

/// `GET /v1/actions/{id}`: the ledger's summary (rings included) and, while the dispatcher holds
/// the action, its live status.
struct ActionAnswer: Sendable, Encodable {
    var summary: ActionSummary
    var status: ActionStatus?

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(summary, forKey: "action")
        try c.encode(status, forKey: "live")
    }
}

/// `POST /v1/actions/{id}/enlarge`.
struct EnlargeAnswer: Sendable, Encodable {
    var added: Int
    var plan: ActionDesk.EnlargementPlan

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(added, forKey: "added")
        try c.encode(plan, forKey: "enlargement")
    }
}

extension ActionInput {
    /// The request a selection is planned with: incident type, urgency and channels when given.
    static func planRequest(_ body: [String: JSONValue], incidentType: String?) throws -> ActionRequest {
        let urgency = try parseUrgency(body["urgency"])
        var channels: [Channel]?
        if let value = body["channels"] {
            channels = try parseChannels(value)
        }
        return ActionRequest(incidentType: incidentType ?? "unspecified", urgency: urgency, message: "-", channels: channels)
    }

    /// The `urgency` member: `high` when absent.
    static func parseUrgency(_ value: JSONValue?) throws -> Urgency {
        guard let value else { return .high }
        guard case .string(let s) = value, let u = urgencies[s] else {
            throw ServeError(.badRequest, "urgency: expected low, normal, high or critical", field: "urgency")
        }
        return u
    }

    static func parseChannels(_ value: JSONValue) throws -> [Channel] {
        guard case .array(let list) = value, !list.isEmpty else {
            throw ServeError(.badRequest, "channels: expected a list such as [\"sms\", \"voice\"]", field: "channels")
        }
        var parsed: [Channel] = []
        for (i, item) in list.enumerated() {
            guard case .string(let s) = item, let c = Channel(rawValue: s), !parsed.contains(c) else {
                throw ServeError(
                    .badRequest, "channels[\(i)]: expected one of voice, sms, email, app, each once", field: "channels")
            }
            parsed.append(c)
        }
        return parsed
    }
}

/// `PUT /v1/participants/{id}`: `{"lon": 5.12, "lat": 52.09, "phone": "+31612345678",
/// "email": "…", "channels": "sms,voice", "language": "nl", "quiet_hours": "…", "opt_out": "…",
/// "person": 17, "country": "NL"}` (the registry's CSV fields, as JSON values).
enum ParticipantInput {
    static func record(id: Int64, _ body: [String: JSONValue]) throws -> ParticipantRecord {
        let lon = try AreaInput.number(body["lon"], field: "lon")
        let lat = try AreaInput.number(body["lat"], field: "lat")
        _ = try AreaInput.lonLat(["lon": .number(lon), "lat": .number(lat)], field: "position")
        var fields: [String: String] = [:]
        for (key, value) in body where key != "lon" && key != "lat" {
            switch value {
            case .string(let s): fields[key] = s
            case .number(let d) where d == d.rounded() && abs(d) < 1e15: fields[key] = String(Int64(d))
            case .array(let list):
                var words: [String] = []
                for item in list {
                    guard case .string(let s) = item else {
                        throw ServeError(.badRequest, "\(key.prefix(40)): expected a list of texts", field: key)
                    }
                    words.append(s)
                }
                fields[key] = words.joined(separator: ",")
            default:
                throw ServeError(.badRequest, "\(key.prefix(40)): expected a text", field: key)
            }
        }
        do {
            return try ParticipantRecord(id: id, position: SourcePoint(x: lon, y: lat, crs: .wgs84), fields: fields)
        } catch let error as RegistryError {
            throw ServeError(.badRequest, error.message, field: error.location?.field)
        }
    }
}
