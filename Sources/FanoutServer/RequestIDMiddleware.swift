import Foundation
import Hummingbird
import Logging

/// `X-Request-Id`: the id Hummingbird gave the request (in every log line of it and in the
/// ledger's command log), on every response.
let requestIDHeader = HTTPFields.Element.Name("X-Request-Id")!

/// Puts the request id on every response (`X-Request-Id`), errors and unknown routes included,
/// and logs every refused request (401, 403) without its token: refused commands are not in the
/// ledger's command log, so the service log is where they are seen.
///
/// The outermost middleware: it sees the answer the problem middleware made of an error.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The configured tokens, to name the holder of a known token that was refused (403).
    let tokens: TokenBook

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = ProblemDetails(error, logger: context.logger).response(requestID: context.id)
        }
        response.headers[requestIDHeader] = context.id
        if response.status == .unauthorized || response.status == .forbidden {
            logRefusal(request, status: response.status, context: context)
        }
        return response
    }

    /// One warning line: method, path (without the query), status, request id, and the operator
    /// and role when the token is a configured one. Never the token or the body.
    func logRefusal(_ request: Request, status: HTTPResponse.Status, context: Context) {
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path.prefix(200))",
            "status": "\(status.code)", "request_id": "\(context.id)",
        ]
        if let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer ",
            let principal = tokens.principal(token: String(header.dropFirst(7)))
        {
            metadata["operator"] = "\(principal.subject)"
            metadata["role"] = "\(principal.role.rawValue)"
        }
        context.logger.warning("request refused", metadata: metadata)
    }
}
