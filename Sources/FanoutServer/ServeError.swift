import FanoutCore

/// The error type of the `FanoutServer` module: configuration, access and request failures of
/// `fanout serve`. Each code has its HTTP status (``httpStatus``); errors of the modules below
/// are mapped by ``ProblemDetails``.
public struct ServeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Kind: String, Sendable, CaseIterable {
            case config, unauthorized, forbidden, badRequest, notFound, tooLarge, rateLimited, notReady, conflict
        }
        let kind: Kind
        /// The serve configuration cannot be used (the file and field are named).
        public static let config = Code(kind: .config)
        /// No bearer token, or one the configuration does not list (401).
        public static let unauthorized = Code(kind: .unauthorized)
        /// The token's role may not do this, or the incident lies outside its region (403).
        public static let forbidden = Code(kind: .forbidden)
        /// The request body or a parameter is not what the API takes (400/422).
        public static let badRequest = Code(kind: .badRequest)
        /// No such route, action or participant (404).
        public static let notFound = Code(kind: .notFound)
        /// The body or the polygon is larger than the configured limit (413).
        public static let tooLarge = Code(kind: .tooLarge)
        /// The token made more requests than its rate allows (429).
        public static let rateLimited = Code(kind: .rateLimited)
        /// The index is still loading or the ledger still resuming (503).
        public static let notReady = Code(kind: .notReady)
        /// The request conflicts with the action's state (409).
        public static let conflict = Code(kind: .conflict)
        public var description: String { kind.rawValue }
    }

    /// The failure kind.
    public var code: Code
    /// What went wrong, for a person; never personal data or a token.
    public var message: String
    /// The request field the problem is in, if any (`area.circle.radius_m`).
    public var field: String?
    /// Seconds to wait before trying again (429, 503).
    public var retryAfterSeconds: Int?

    /// Creates an error.
    public init(_ code: Code, _ message: String, field: String? = nil, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { message }

    /// The HTTP status this error answers with.
    public var httpStatus: Int {
        switch code.kind {
        case .config: 500
        case .unauthorized: 401
        case .forbidden: 403
        case .badRequest: 422
        case .notFound: 404
        case .tooLarge: 413
        case .rateLimited: 429
        case .notReady: 503
        case .conflict: 409
        }
    }
}

extension ServeError: FanoutError {
    public var location: ErrorLocation? { field.map { ErrorLocation(field: $0) } }
}

extension ServeError.Code: FanoutErrorCode {
    /// Every code, in declaration order.
    public static var allCases: [ServeError.Code] { Kind.allCases.map { Self(kind: $0) } }

    /// The stable machine name, `serve.<kind>`.
    public var id: String { "serve.\(kind.rawValue)" }
}
