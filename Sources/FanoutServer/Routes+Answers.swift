import ChannelAdapters
import FanOut
import FanoutDesk
import Foundation
import Geo
import Hummingbird
import Participants

/// Checks a personal reply link's token: the action, the person and the answer it stands for,
/// or `nil` for a token this service did not sign (or one altered).
public typealias ReplyTokenVerifier = @Sendable (String) -> MailReplyToken.Claims?

// MARK: - Answers: the operator's record, the list, and the participants' reply links

extension Routes {
    /// Registers `POST/GET /v1/actions/{id}/answers` and the public `GET/POST /reply/{token}`.
    func addAnswerRoutes(to router: Router<ServeContext>) {
        router.post("/v1/actions/:id/answers") { request, context in try await recordAnswer(request, context) }
        router.get("/v1/actions/:id/answers") { request, context in try listAnswers(request, context) }
        router.get("/reply/:token") { _, context in try replyPage(context) }
        router.post("/reply/:token") { _, context in try await reply(context) }
    }

    /// `POST /v1/actions/{id}/answers`: an answer the control room took (a participant who called
    /// the free number): `{"person": 17, "kind": "sighting", "channel": "voice", "text": "…"}`.
    func recordAnswer(_ request: Request, _ context: ServeContext) async throws -> Response {
        let (origin, id) = try commandOnAction(request, context)
        let body = try await body(request)
        try Self.refuseUnknownFields(body, ["person", "kind", "channel", "text"], of: "an answer")
        let person = try AreaInput.number(body["person"], field: "person")
        guard person == person.rounded(), person >= 1, person <= Double(Self.maxID) else {
            throw ServeError(.badRequest, "person: expected a participant id (a whole number from 1)", field: "person")
        }
        let kind = try Self.choice(body["kind"], field: "kind", AnswerKind.self)
        let channel = body["channel"] == nil ? Channel.voice : try Self.choice(body["channel"], field: "channel", Channel.self)
        let text = body["text"] == nil ? nil : try AreaInput.text(body["text"], field: "text", max: 1000)
        let answer = ParticipantAnswer(action: id, person: Int64(person), kind: kind, channel: channel, text: text)
        let receipt = try await record(answer, origin: origin)
        room.logCommand(origin, .answer, action: id)
        return try json(AnswerAnswer(answer: answer, receipt: receipt), status: .created)
    }

    /// `GET /v1/actions/{id}/answers?after=&limit=&unmasked=`: the answers, oldest first; what
    /// participants wrote is masked unless `unmasked=true`.
    func listAnswers(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .explain)
        let id = try actionID(context)
        var after: Int64 = 0
        var limit = 1000
        var unmasked = false
        for (name, value) in request.uri.queryParameters.map({ (String($0.key), String($0.value)) }) {
            switch name {
            case "after":
                guard let n = Int64(value), n >= 0 else {
                    throw ServeError(.badRequest, "after: expected a whole number from 0", field: "after")
                }
                after = n
            case "limit":
                guard let n = Int(value), (1...10_000).contains(n) else {
                    throw ServeError(.badRequest, "limit: expected 1 to 10000", field: "limit")
                }
                limit = n
            case "unmasked":
                guard value == "true" || value == "false" else {
                    throw ServeError(.badRequest, "unmasked: expected true or false", field: "unmasked")
                }
                unmasked = value == "true"
            default:
                throw ServeError(
                    .badRequest, "\(name.prefix(40)): not a parameter (after, limit, unmasked)",
                    field: String(name.prefix(40)))
            }
        }
        let ledger = try room.room().ledger
        _ = try ledger.state(of: id)  // 404 for an unknown action
        let stored = try ledger.answers(to: id, after: after, limit: limit)
        return try json(AnswerList(answers: stored, unmasked: unmasked))
    }

    /// `GET /reply/{token}`: the page behind a mail's reply link. It only asks to confirm: mail
    /// scanners open links, so a GET records nothing.
    func replyPage(_ context: ServeContext) throws -> Response {
        guard let claims = verifiedReply(context) else { return Self.replyHTML(Self.replyUnknown, status: .notFound) }
        let question: String
        switch claims.kind {
        case .sighting: question = "Ik heb iets gezien / I have seen something"
        case .stop: question = "Geen berichten meer voor deze actie / No more messages for this alert"
        case .acknowledgement: question = "Gelezen / Read"
        }
        let token = context.parameters.get("token") ?? ""
        return Self.replyHTML(
            """
            <h1>Burgernet</h1><p>Actie \(claims.action.rawValue)</p>
            <form method="post" action="/reply/\(token)"><button type="submit">\(question)</button></form>
            """)
    }

    /// `POST /reply/{token}`: records the answer the token stands for.
    func reply(_ context: ServeContext) async throws -> Response {
        guard let claims = verifiedReply(context) else { return Self.replyHTML(Self.replyUnknown, status: .notFound) }
        do {
            _ = try await record(
                ParticipantAnswer(action: claims.action, person: claims.person, kind: claims.kind, channel: claims.channel))
        } catch let e as DispatchError where e.code == .unknownAction || e.code == .invalidRequest {
            return Self.replyHTML(Self.replyUnknown, status: .notFound)
        }
        return Self.replyHTML("<h1>Burgernet</h1><p>Dank u wel. Thank you. Merci. Danke.</p>")
    }

    private func verifiedReply(_ context: ServeContext) -> MailReplyToken.Claims? {
        guard let token = context.parameters.get("token"), token.utf8.count <= 512 else { return nil }
        return replyVerifier?(token)
    }

    /// Records `answer` on the dispatcher's commands thread.
    private func record(_ answer: ParticipantAnswer, origin: CommandOrigin? = nil) async throws -> AnswerReceipt {
        let dispatcher = try room.room().dispatcher
        return try await dispatcher.onCommandThread {
            let receipt = try dispatcher.record(answer, origin: origin)
            try dispatcher.flush()
            return receipt
        }
    }

    static let replyUnknown = "<h1>Burgernet</h1><p>Deze link is niet (meer) geldig. This link is not valid.</p>"

    static func replyHTML(_ body: String, status: HTTPResponse.Status = .ok) -> Response {
        let page = """
            <!doctype html><html lang="nl"><head><meta charset="utf-8"><meta name="viewport" \
            content="width=device-width"><meta name="robots" content="noindex"><title>Burgernet</title></head>\
            <body>\(body)</body></html>
            """
        return Response(
            status: status,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .init("Referrer-Policy")!: "no-referrer"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: page)))
    }

    /// One of `T`'s raw values, or a 422 naming the field and the values it takes.
    static func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue?, field: String, _: T.Type) throws -> T
    where T.RawValue == String {
        guard case .string(let s)? = value, let v = T(rawValue: s) else {
            throw ServeError(
                .badRequest, "\(field): expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))",
                field: field)
        }
        return v
    }
}

/// The answer of `POST /v1/actions/{id}/answers`.
struct AnswerAnswer: Encodable {
    var answer: ParticipantAnswer
    var receipt: AnswerReceipt

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(answer.action.rawValue, forKey: "action")
        try c.encode(answer.person, forKey: "person")
        try c.encode(answer.kind.rawValue, forKey: "kind")
        try c.encode(answer.channel.rawValue, forKey: "channel")
        try c.encode(receipt.cancelled, forKey: "cancelled")
        try c.encode(receipt.live, forKey: "live")
    }
}

/// The answer of `GET /v1/actions/{id}/answers`.
struct AnswerList: Encodable {
    var answers: [StoredAnswer]
    var unmasked: Bool

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        var list = c.nestedUnkeyedContainer(forKey: "answers")
        for s in answers {
            var o = list.nestedContainer(keyedBy: JSONKey.self)
            try o.encode(s.id, forKey: "sequence")
            try o.encode(s.answer.person, forKey: "person")
            try o.encode(s.answer.kind.rawValue, forKey: "kind")
            try o.encode(s.answer.channel.rawValue, forKey: "channel")
            try o.encode(EventCursor.utc(s.answer.receivedAt), forKey: "received_at")
            try o.encode(s.distanceMeters, forKey: "distance_m")
            let text = s.answer.text.map { unmasked ? $0 : "(\($0.count) characters, masked)" }
            try o.encode(text, forKey: "text")
        }
        try c.encode(answers.last?.id, forKey: "next_after")
    }
}
