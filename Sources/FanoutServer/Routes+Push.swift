import FanOut
import Foundation
import Geo
import Hummingbird
import Participants

// MARK: - The participants' app subscriptions (Web Push)

extension Routes {
    /// Registers `PUT` and `DELETE /v1/participants/{pid}/push-subscription`.
    func addPushSubscriptionRoutes(to router: RouterGroup<ServeContext>) {
        router.put("/participants/:pid/push-subscription") { request, context in
            try await putPushSubscription(request, context)
        }
        router.delete("/participants/:pid/push-subscription") { request, context in
            try deletePushSubscription(request, context)
        }
    }

    /// `PUT /v1/participants/{pid}/push-subscription`: the app's subscription as the browser's
    /// `PushSubscription.toJSON()` gives it, `{"endpoint": "https://…", "keys": {"p256dh": "…",
    /// "auth": "…"}}` (`expirationTime` is accepted and ignored). Replaces the participant's earlier one.
    func putPushSubscription(_ request: Request, _ context: ServeContext) async throws -> Response {
        let principal = try authorize(request, .writeParticipants)
        let origin = room.origin(principal, context)
        let pid = try participantID(context)
        let body = try await body(request)
        try Self.refuseUnknownFields(body, ["endpoint", "keys", "expirationTime"], of: "a push subscription")
        switch body["expirationTime"] {
        case nil, .null?, .number?: break
        default: throw ServeError(.badRequest, "expirationTime: expected a number or null", field: "expirationTime")
        }
        let endpoint = try AreaInput.text(body["endpoint"], field: "endpoint", max: 2048)
        guard case .object(let keys)? = body["keys"] else {
            throw ServeError(.badRequest, "keys: expected an object with p256dh and auth", field: "keys")
        }
        try Self.refuseUnknownFields(keys, ["p256dh", "auth"], of: "a push subscription's keys", prefix: "keys.")
        let p256dh = try AreaInput.text(keys["p256dh"], field: "keys.p256dh", max: 200)
        let auth = try AreaInput.text(keys["auth"], field: "keys.auth", max: 100)
        let subscription: PushSubscription
        do { subscription = try PushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth) } catch let e as RegistryError {
            let field = e.field.map { $0 == "endpoint" ? $0 : "keys.\($0)" }
            let message = e.field == "endpoint" ? e.message : e.message.replacingOccurrences(of: "field '", with: "field 'keys.")
            throw ServeError(.badRequest, message, field: field)
        }
        do { try room.room().registry.setPushSubscription(person: pid, subscription) } catch let e as RegistryError
        where e.field == "person" {
            throw ServeError(.notFound, "no participant \(pid)")
        }
        room.logCommand(origin, .participantRegister, participant: pid)
        return json(["id": .number(Double(pid)), "push_subscription": .bool(true)])
    }

    /// `DELETE /v1/participants/{pid}/push-subscription`: 204, or 404 when there was none.
    func deletePushSubscription(_ request: Request, _ context: ServeContext) throws -> Response {
        let principal = try authorize(request, .writeParticipants)
        let origin = room.origin(principal, context)
        let pid = try participantID(context)
        guard try room.room().registry.removePushSubscription(person: pid) else {
            throw ServeError(.notFound, "participant \(pid) has no push subscription")
        }
        room.logCommand(origin, .participantRemove, participant: pid)
        return Response(status: .noContent)
    }
}
