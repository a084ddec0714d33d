import FanOut
import FanoutDesk
import FanoutEngine
import Foundation
import Geo
import Hummingbird
import Participants

/// The request context of every route.
typealias ServeContext = BasicRequestContext

/// The HTTP API over one ``ControlRoom``.
struct Routes: Sendable {
    let room: ControlRoom
    let metrics: ServeMetrics
    /// The OpenAPI document's bytes.
    let openapi: [UInt8]
    /// The routes the document declares.
    let declared: DeclaredRoutes
    /// The map page's files, Leaflet and the vector layers.
    let map: MapAssets
    /// Checks the tokens of the participants' reply links (`nil`: every link is unknown).
    var replyVerifier: ReplyTokenVerifier? = nil
    /// The public feeds (`nil`: not configured, `/public/...` is 404).
    var publicFeed: PublicFeedService? = nil

    /// Builds the router: public probes, the OpenAPI document, then `/v1`.
    func router() -> Router<ServeContext> {
        let router = Router(context: ServeContext.self)
        router.add(middleware: RequestIDMiddleware(tokens: room.tokens))
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(declared: declared))
        router.get("/healthz") { _, _ in json(["status": .string("ok")]) }
        router.get("/readyz") { _, _ in
            guard room.isReady else {
                throw ServeError(.notReady, "not ready: the index is loading or the ledger is resuming", retryAfterSeconds: 2)
            }
            return json(["status": .string("ready")])
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
        router.get("/openapi.json") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: openapi)))
        }
        addMapRoutes(to: router)
        let v1 = router.group("/v1")
        v1.post("/selections") { request, context in try await select(request, context) }
        v1.post("/actions") { request, context in try await startAction(request, context) }
        v1.get("/actions") { request, context in try listActions(request, context) }
        v1.get("/actions/:id") { request, context in try action(request, context) }
        v1.post("/actions/:id/enlarge") { request, context in try await enlarge(request, context) }
        v1.post("/actions/:id/stop") { request, context in try await stop(request, context) }
        v1.post("/actions/:id/end") { request, context in try await end(request, context) }
        v1.get("/actions/:id/participants/:pid") { request, context in try explain(request, context) }
        v1.put("/participants/:pid") { request, context in try await putParticipant(request, context) }
        v1.delete("/participants/:pid") { request, context in try await deleteParticipant(request, context) }
        addCAP(to: router)
        addBulkImport(to: router)
        addAuditRoutes(to: v1)
        addPushSubscriptionRoutes(to: v1)
        addEventRoutes(to: v1)
        addAnswerRoutes(to: router)
        addPublicFeedRoutes(to: router)
        return router
    }

    // MARK: - Access

    /// The principal of the request's bearer token, holding `permission`, within its rate.
    ///
    /// - Throws: ``ServeError`` `.unauthorized` (401), `.forbidden` (403), `.rateLimited` (429).
    func authorize(_ request: Request, _ permission: Permission) throws -> Principal {
        guard let header = request.headers[.authorization],
            header.count > 7, header.prefix(7).lowercased() == "bearer "
        else {
            throw ServeError(.unauthorized, "this route needs a bearer token (Authorization: Bearer TOKEN)")
        }
        guard let principal = room.tokens.principal(token: String(header.dropFirst(7))) else {
            throw ServeError(.unauthorized, "the bearer token is not one this service knows")
        }
        if let wait = room.tokens.take(principal) {
            throw ServeError(
                .rateLimited, "token \(principal.subject): more requests than its rate allows; try again in \(wait) s",
                retryAfterSeconds: wait)
        }
        guard permission.roles.contains(principal.role) else {
            throw ServeError(
                .forbidden,
                "token \(principal.subject) has role \(principal.role.rawValue), which may not \(permission.what) "
                    + "(roles that may: \(permission.roles.map(\.rawValue).sorted().joined(separator: ", ")))")
        }
        return principal
    }

    /// Refuses an incident point outside the dispatcher's region (403).
    func checkRegion(_ principal: Principal, _ p: LonLat) throws {
        guard let region = room.tokens.region(of: principal) else { return }
        guard try region.covers(p) else {
            throw ServeError(
                .forbidden,
                "token \(principal.subject) may act in \(region.name) only; the incident point \(p) lies outside it",
                field: "incident")
        }
    }

    /// Refuses a command on an action whose incident lies outside the dispatcher's region (403).
    func checkRegion(_ principal: Principal, action id: ActionID) throws {
        guard let region = room.tokens.region(of: principal) else { return }
        guard let rd = try room.incident(of: id), try region.covers(rd: rd) else {
            throw ServeError(
                .forbidden, "token \(principal.subject) may act in \(region.name) only; action \(id)'s incident lies outside it")
        }
    }

    /// The body as a JSON object, within the configured size.
    func body(_ request: Request) async throws -> [String: JSONValue] {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: room.limits.bodyBytes) } catch {
            throw ServeError(.tooLarge, "the body is larger than this service takes (\(room.limits.bodyBytes) bytes)")
        }
        return try jsonObject(Data(buffer: buffer))
    }

    /// Refuses (422) the first field of `object`, in name order, that is not one of `known`:
    /// `colour: not a field of an answer (person, kind, channel, text)`. `prefix` names the object
    /// inside the body (`keys.`).
    static func refuseUnknownFields(
        _ object: [String: JSONValue], _ known: [String], of what: String, prefix: String = ""
    ) throws {
        guard let key = object.keys.sorted().first(where: { !known.contains($0) }) else { return }
        let name = prefix + key.prefix(40)
        throw ServeError(.badRequest, "\(name): not a field of \(what) (\(known.joined(separator: ", ")))", field: name)
    }

    /// The largest id the API takes: the largest integer a JSON number holds exactly (2^53 - 1).
    static let maxID: Int64 = 9_007_199_254_740_991

    func actionID(_ context: ServeContext) throws -> ActionID {
        guard let text = context.parameters.get("id"), let n = Int64(text), (1...Self.maxID).contains(n) else {
            throw ServeError(.notFound, "no such action: the id is a whole number from 1 to 2^53 - 1", field: "id")
        }
        return ActionID(rawValue: n)
    }

    func participantID(_ context: ServeContext) throws -> Int64 {
        guard let text = context.parameters.get("pid"), let n = Int64(text), (1...Self.maxID).contains(n) else {
            throw ServeError(.notFound, "no such participant: the id is a whole number from 1 to 2^53 - 1", field: "pid")
        }
        return n
    }

    // MARK: - Selections

    func select(_ request: Request, _ context: ServeContext) async throws -> Response {
        _ = try authorize(request, .select)
        let body = try await body(request)
        let area = try AreaInput(body, maxVertices: room.limits.polygonVertices)
        let plan = try ActionInput.planRequest(body, incidentType: area.incidentType)
        return try json(await room.select(area, request: plan))
    }

    // MARK: - Actions

    func startAction(_ request: Request, _ context: ServeContext) async throws -> Response {
        let principal = try authorize(request, .commandActions)
        let origin = room.origin(principal, context)
        let input = try ActionInput(try await body(request), maxVertices: room.limits.polygonVertices)
        let (id, answer) = try await room.start(input, origin: origin) { try checkRegion(principal, $0) }
        room.logCommand(origin, .start, action: id)
        var headers = HTTPFields()
        headers[.location] = "/v1/actions/\(id.rawValue)"
        return try json(StartAnswer(id: id, selection: answer), status: .created, headers: headers)
    }

    func listActions(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .readActions)
        return try json(["actions": try room.room().ledger.summaries()])
    }

    func action(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .readActions)
        let id = try actionID(context)
        let room = try room.room()
        let summary = try room.ledger.summary(of: id)
        let live = room.dispatcher.actionIDs.contains(id) ? try room.dispatcher.status(id) : nil
        return try json(ActionAnswer(summary: summary, status: live))
    }

    func enlarge(_ request: Request, _ context: ServeContext) async throws -> Response {
        let (origin, id) = try commandOnAction(request, context)
        let body = try await body(request)
        let area = try AreaInput(body, maxVertices: room.limits.polygonVertices)
        let (added, plan) = try await room.enlarge(
            id, area: area, confirmed: try AreaInput.bool(body["confirm"], field: "confirm"), origin: origin)
        room.logCommand(origin, .enlarge, action: id)
        return try json(EnlargeAnswer(added: added, plan: plan))
    }

    func stop(_ request: Request, _ context: ServeContext) async throws -> Response {
        let (origin, id) = try commandOnAction(request, context)
        let dispatcher = try room.room().dispatcher
        try requireHeld(id, dispatcher, "stop")
        let n = try await ActionDesk.command(on: dispatcher) { try $0.stop(id, origin: origin) }
        room.logCommand(origin, .stop, action: id)
        return json(["id": .number(Double(id.rawValue)), "cancelled": .number(Double(n))])
    }

    func end(_ request: Request, _ context: ServeContext) async throws -> Response {
        let (origin, id) = try commandOnAction(request, context)
        let body = try await body(request)
        let result = try AreaInput.text(body["result"], field: "result", max: 2000)
        var texts: [String: String] = [:]
        if case .object(let t)? = body["texts"] {
            for (language, value) in t { texts[language] = try AreaInput.text(value, field: "texts.\(language)", max: 2000) }
        }
        let dispatcher = try room.room().dispatcher
        try requireHeld(id, dispatcher, "end")
        let n = try await ActionDesk.command(on: dispatcher) { [texts] in
            try $0.end(id, result: result, texts: texts, origin: origin)
        }
        room.logCommand(origin, .end, action: id)
        return json(["id": .number(Double(id.rawValue)), "end_messages": .number(Double(n))])
    }

    /// The checks every command on an existing action makes first: the token may command actions,
    /// the action's incident lies in its region; then who gives the command and the action's id.
    func commandOnAction(_ request: Request, _ context: ServeContext) throws -> (CommandOrigin, ActionID) {
        let principal = try authorize(request, .commandActions)
        let origin = room.origin(principal, context)
        let id = try actionID(context)
        try checkRegion(principal, action: id)
        return (origin, id)
    }

    /// An action the dispatcher no longer holds is ended and finished: a command on it is a
    /// conflict, an id the ledger does not know is 404.
    func requireHeld(_ id: ActionID, _ dispatcher: Dispatcher, _ operation: String) throws {
        if dispatcher.actionIDs.contains(id) { return }
        let state = try room.room().ledger.state(of: id)
        throw ServeError(.conflict, "cannot \(operation) action \(id): it is \(state.rawValue)")
    }

    func explain(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .explain)
        let id = try actionID(context)
        let pid = try participantID(context)
        return try json(try room.room().ledger.explanation(of: id, participant: pid))
    }

    // MARK: - Participants

    func putParticipant(_ request: Request, _ context: ServeContext) async throws -> Response {
        let principal = try authorize(request, .writeParticipants)
        let origin = room.origin(principal, context)
        let pid = try participantID(context)
        let record = try ParticipantInput.record(id: pid, try await body(request))
        let loaded = try room.room()
        try await loaded.selection.register(
            [record],
            alongside: loaded.ledger.commandRecord(
                .participantRegister, participant: pid, origin: origin, at: loaded.dispatcher.clock.now))
        room.logCommand(origin, .participantRegister, participant: pid)
        return json(["id": .number(Double(pid)), "registered": .bool(true)])
    }

    func deleteParticipant(_ request: Request, _ context: ServeContext) async throws -> Response {
        let principal = try authorize(request, .writeParticipants)
        let origin = room.origin(principal, context)
        let pid = try participantID(context)
        let loaded = try room.room()
        try await loaded.selection.remove(
            ids: [pid],
            alongside: loaded.ledger.commandRecord(
                .participantRemove, participant: pid, origin: origin, at: loaded.dispatcher.clock.now))
        room.logCommand(origin, .participantRemove, participant: pid)
        return Response(status: .noContent)
    }
}

/// A JSON response of an `Encodable` value.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var headers = headers
    headers[.contentType] = "application/json"
    return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
}

/// A JSON response of an object.
func json(_ object: [String: JSONValue], status: HTTPResponse.Status = .ok) -> Response {
    Response(
        status: status, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(object).jsonText)))
}

extension Permission {
    /// What the permission allows, for a 403 message.
    var what: String {
        switch self {
        case .select: "make selections"
        case .commandActions: "start, enlarge, stop or end actions"
        case .readActions: "read actions"
        case .explain: "explain a participant's part in an action"
        case .readAudit: "read the audit"
        case .writeParticipants: "register, move or remove participants"
        }
    }
}
