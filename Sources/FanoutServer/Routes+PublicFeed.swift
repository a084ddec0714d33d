import Crypto
import FanOut
import FanoutDesk
import Foundation
import GeoFormats
import Hummingbird

/// The public feeds as the service serves them (`public_feed` in serve.json): what
/// `fanout action feed` writes, read from the ledger at each request.
struct PublicFeedService: Sendable {
    let settings: ServeConfiguration.PublicFeedSettings
    let signer: CAPSignature?
    /// The number to call (the dispatch configuration's `texts.callNumber`).
    let callNumber: String

    /// Reads the signing key, if one is configured.
    ///
    /// - Throws: ``ServeError`` `.config` naming the key file (never its content).
    init(settings: ServeConfiguration.PublicFeedSettings, callNumber: String) throws {
        self.settings = settings
        self.callNumber = callNumber
        guard let path = settings.signingKeyPath else {
            signer = nil
            return
        }
        do {
            signer = try CAPSignature(
                contentsOf: URL(fileURLWithPath: path), keyName: settings.keyName, source: "public_feed.signing_key \(path)")
        } catch let e as DispatchError {
            throw ServeError(.config, e.message)
        }
    }
}

extension Routes {
    /// Registers `POST /v1/actions/{id}/publication` and the public `GET /public/actions.atom`,
    /// `/public/actions.rss` and `/public/actions/{file}` (`ID.cap`).
    func addPublicFeedRoutes(to router: Router<ServeContext>) {
        router.post("/v1/actions/:id/publication") { request, context in try await publication(request, context) }
        router.get("/public/actions.atom") { request, _ in
            try feedResponse(request, type: "application/atom+xml; charset=utf-8") { try $0.atom() }
        }
        router.get("/public/actions.rss") { request, _ in
            try feedResponse(request, type: "application/rss+xml; charset=utf-8") { $0.rss() }
        }
        router.get("/public/actions/:file") { request, context in try publicCAP(request, context) }
    }

    /// `POST /v1/actions/{id}/publication`: `{"photo_url": "https://…"}` releases the action's
    /// public part (again, with another photo link); `{"withdraw": true}` takes it out.
    func publication(_ request: Request, _ context: ServeContext) async throws -> Response {
        let (origin, id) = try commandOnAction(request, context)
        let body = try await body(request)
        try Self.refuseUnknownFields(body, ["photo_url", "withdraw"], of: "a publication")
        var withdraw = false
        if let value = body["withdraw"] {
            guard case .bool(let b) = value else {
                throw ServeError(.badRequest, "withdraw: expected true or false", field: "withdraw")
            }
            withdraw = b
        }
        let photo = body["photo_url"] == nil ? nil : try AreaInput.text(body["photo_url"], field: "photo_url", max: 2048)
        if withdraw && photo != nil {
            throw ServeError(.badRequest, "photo_url: a withdrawal takes no photo link", field: "photo_url")
        }
        let ledger = try room.room().ledger
        if withdraw {
            try ledger.withdraw(id, origin: origin)
        } else {
            try ledger.publish(id, photoURL: photo, origin: origin)
        }
        room.logCommand(origin, withdraw ? .withdraw : .publish, action: id)
        let now = try ledger.publication(of: id)
        return json([
            "action": .number(Double(id.rawValue)), "released": .bool(now?.released ?? false),
            "photo_url": now?.photoURL.map { .string($0) } ?? .null,
        ])
    }

    func feedService() throws -> PublicFeedService {
        guard let publicFeed else {
            throw ServeError(.notFound, "the public feeds are not configured (public_feed in the serve configuration)")
        }
        return publicFeed
    }

    /// A feed, with an ETag (its SHA-256): a reader that sends it back gets 304.
    func feedResponse(_ request: Request, type: String, _ make: (PublicFeed) throws -> String) throws -> Response {
        let service = try feedService()
        let feed = try PublicFeed.read(
            from: try room.room().ledger, title: service.settings.title, baseURL: service.settings.baseURL,
            callNumber: service.callNumber)
        return conditional(request, try make(feed), type: type)
    }

    /// `GET /public/actions/{id}.cap`: a released action's CAP message, signed when a key is configured.
    func publicCAP(_ request: Request, _ context: ServeContext) throws -> Response {
        let service = try feedService()
        let file = context.parameters.get("file") ?? ""
        guard file.hasSuffix(".cap"), let n = Int64(file.dropLast(4)), n >= 1 else {
            throw ServeError(.notFound, "\(file.prefix(40)): not an action's CAP file (ID.cap)")
        }
        let id = ActionID(rawValue: n)
        guard let action = try PublicAction.read(id, from: try room.room().ledger, callNumber: service.callNumber) else {
            throw ServeError(.notFound, "action \(id) is not released to the public feeds")
        }
        let xml = try service.signer.map { try $0.signed(action.cap) } ?? CAPWriter.xml(action.cap)
        // An ECDSA signature differs each time: the tag is of the message, signed or not.
        let tag = try CAPWriter.canonicalAlert(action.cap) + (service.signer == nil ? "" : " signed")
        return conditional(request, xml, type: "application/cap+xml; charset=utf-8", tagOf: tag)
    }

    /// `text` with an ETag of `tagOf` (the text itself by default); 304 when the request names it.
    private func conditional(_ request: Request, _ text: String, type: String, tagOf: String? = nil) -> Response {
        let tag = "\"" + SHA256.hash(data: Data((tagOf ?? text).utf8)).prefix(16).map { String(format: "%02x", $0) }.joined() + "\""
        let headers: HTTPFields = [.contentType: type, .eTag: tag, .cacheControl: "public, max-age=30"]
        if request.headers[.ifNoneMatch] == tag {
            return Response(status: .notModified, headers: headers)
        }
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
