import FanOut
import FanoutCore
import Foundation
import Geo
import GeoFormats
import Hummingbird
import Logging
import Participants
import Selection

/// An error answer as RFC 9457 problem details (`application/problem+json`): the status, the
/// library's stable error code, a message without personal data, the request field at fault and
/// the request id.
struct ProblemDetails: Sendable {
    var status: Int
    var code: String
    var detail: String
    var field: String?
    var retryAfterSeconds: Int?
    /// Extra members (a plan that needs confirmation).
    var extra: [String: JSONValue] = [:]

    /// The problem of an error thrown while handling a request.
    init(_ error: any Error, logger: Logger) {
        switch error {
        case let e as InputFieldError:
            self.init(e.error, logger: logger)
            if field == nil { field = e.field }
            return
        case let e as ServeError:
            self.init(status: e.httpStatus, code: e.code.id, detail: e.message, field: e.field, retryAfterSeconds: e.retryAfterSeconds)
        case let e as ConfirmationNeeded:
            self.init(
                status: 409, code: DispatchError.Code.confirmationRequired.id,
                detail: e.answer.warnings.first { $0.code == "needs_confirmation" }?.message
                    ?? "the action needs confirmation", field: "confirm")
            extra["selection"] = Self.json(e.answer)
        case let e as EnlargementConfirmationNeeded:
            self.init(
                status: 409, code: DispatchError.Code.confirmationRequired.id,
                detail: "the enlargement takes the action to \(e.plan.count.total) persons, more than the threshold "
                    + "of \(e.plan.threshold ?? 0): it needs \"confirm\": true", field: "confirm")
            extra["enlargement"] = Self.json(e.plan)
        case let e as DispatchError:
            let status: Int =
                switch e.code {
                case .unknownAction: 404
                case .invalidTransition, .confirmationRequired: 409
                case .invalidRequest: 422
                case .ledgerBusy: 503
                default: 500
                }
            self.init(status: status, code: e.code.id, detail: e.message)
        case let e as SelectionError:
            let field: String? =
                switch e.code {
                case .invalidArea: "polygon"
                case .invalidRadius: "circle.radius_m"
                case .invalidPoint: "incident"
                default: nil
                }
            self.init(status: e.code == .closed ? 503 : 422, code: e.code.id, detail: e.message, field: field)
        case let e as GeoError:
            let internalFailure = e.code == .geos || e.code == .proj || e.code == .correctionGrid
            self.init(status: internalFailure ? 500 : 422, code: e.code.id, detail: e.message, field: e.location?.field)
        case let e as RegistryError:
            self.init(status: e.code == .input ? 422 : 500, code: e.code.id, detail: e.message, field: e.location?.field)
        case let e as HTTPError:
            let status = Int(e.status.code)
            let code: ServeError.Code =
                switch status {
                case 404: .notFound
                case 413: .tooLarge
                case 405: .notFound
                default: .badRequest
                }
            self.init(status: status, code: code.id, detail: e.body ?? e.status.reasonPhrase)
        case is CancellationError:
            self.init(status: 503, code: ServeError.Code.notReady.id, detail: "the request was cancelled (shutting down)")
        case let e as any FanoutError:
            self.init(status: 422, code: Self.codeID(of: e), detail: e.message, field: e.location?.field)
        default:
            logger.error("internal error", metadata: ["error": "\(type(of: error))"])
            self.init(status: 500, code: "serve.internal", detail: "internal error; the request id is in the log")
        }
        if status >= 500 && !(error is ServeError) {
            logger.error("request failed", metadata: ["code": "\(code)", "status": "\(status)"])
        }
    }

    init(status: Int, code: String, detail: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.detail = detail
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    private static func codeID<E: FanoutError>(of e: E) -> String { e.code.id }

    private static func json(_ value: some Encodable) -> JSONValue {
        guard let data = try? JSONEncoder().encode(value), let v = try? JSONDecoder().decode(JSONValue.self, from: data) else {
            return .null
        }
        return v
    }

    /// The standard reason phrases of the statuses the API answers with.
    static let titles: [Int: String] = [
        400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
        409: "Conflict", 413: "Content Too Large", 422: "Unprocessable Content", 429: "Too Many Requests",
        500: "Internal Server Error", 503: "Service Unavailable",
    ]

    /// The response: `application/problem+json`, with `Retry-After` for 429 and 503.
    func response(requestID: String?) -> Response {
        var o: [String: JSONValue] = extra
        o["type"] = .string("urn:fanout:problem:\(code)")
        o["title"] = .string(Self.titles[status] ?? "Error")
        o["status"] = .number(Double(status))
        o["detail"] = .string(detail)
        o["code"] = .string(code)
        if let field { o["field"] = .string(field) }
        if let requestID { o["request_id"] = .string(requestID) }
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: JSONValue.object(o).jsonText)))
    }
}

/// Turns every error of a route into problem details, so that no answer is a bare 500 page.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The routes the OpenAPI document declares (for 405 rather than 404).
    let declared: DeclaredRoutes

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            if let methods = declared.methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
                var response = ProblemDetails(
                    status: 405, code: ServeError.Code.notFound.id,
                    detail: "\(request.method.rawValue) is not a method of this path (it takes \(methods.joined(separator: ", ")))"
                ).response(requestID: context.id)
                response.headers[.allow] = methods.joined(separator: ", ")
                return response
            }
            return ProblemDetails(error, logger: context.logger).response(requestID: context.id)
        } catch {
            return ProblemDetails(error, logger: context.logger).response(requestID: context.id)
        }
    }
}

/// An error about one field of the request, from a library call that does not know the request's
/// field names (a polygon GEOS finds invalid): its problem gets `field` unless it names its own.
struct InputFieldError: Error, Sendable {
    var error: any Error
    var field: String
}
