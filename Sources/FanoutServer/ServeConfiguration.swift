import Crypto
import FanoutCore
import Foundation
import Geo

/// What `fanout serve --config serve.json` reads: the tokens and their roles and regions, the
/// request limits, and the dispatcher's configuration.
///
/// ```json
/// {
///   "tokens": [
///     {"subject": "mk-utrecht", "role": "dispatcher", "sha256": "9f86d0…",
///      "region": {"municipalities": ["Utrecht", "GM0344"]}, "requests_per_minute": 600},
///     {"subject": "gis-1", "role": "gis", "sha256": "…"}
///   ],
///   "limits": {"body_bytes": 1048576, "polygon_vertices": 10000, "requests_per_minute": 600},
///   "dispatch": "dispatch.json"
/// }
/// ```
///
/// A token is stored as the SHA-256 of its value (64 hex digits), never as the value itself. A
/// dispatcher's region is the municipalities it may act in (by name or `GM` code) or a GeoJSON
/// polygon in WGS84; a dispatcher without a region may act anywhere in the service region.
public struct ServeConfiguration: Sendable {
    /// One token holder.
    public struct Token: Sendable {
        /// Who holds it (recorded in the audit as the operator).
        public var subject: String
        /// What it may do.
        public var role: Role
        /// SHA-256 of the token value, lower-case hex.
        public var sha256: String
        /// Where a dispatcher may act (`nil`: the whole service region).
        public var region: RegionSpec?
        /// Requests per minute before 429 (`nil`: the limits' default).
        public var requestsPerMinute: Int?

        /// Creates a token entry.
        public init(subject: String, role: Role, sha256: String, region: RegionSpec? = nil, requestsPerMinute: Int? = nil) {
            self.subject = subject
            self.role = role
            self.sha256 = sha256
            self.region = region
            self.requestsPerMinute = requestsPerMinute
        }
    }

    /// A dispatcher's region as configured.
    public enum RegionSpec: Sendable, Equatable {
        /// Municipalities by name or CBS code (`GM0344`).
        case municipalities([String])
        /// A polygon or multipolygon, GeoJSON text in WGS84.
        case polygon(String)
    }

    /// Request limits.
    public struct Limits: Sendable, Equatable {
        /// The largest request body in bytes (413 beyond).
        public var bodyBytes = 1 << 20
        /// The most vertices an area polygon may have (413 beyond).
        public var polygonVertices = 10_000
        /// Requests per minute per token unless the token says otherwise (429 beyond).
        public var requestsPerMinute = 600
        /// The most participants one bulk registration (`POST /v1/participants`) takes (413 beyond).
        public var bulkParticipants = 200_000
        /// The largest bulk registration body in bytes (413 beyond).
        public var bulkBytes = 64 << 20

        /// The defaults: 1 MiB, 10,000 vertices, 600 requests a minute, 200,000 participants or
        /// 64 MiB in one bulk registration.
        public init() {}
    }

    /// The token holders.
    public var tokens: [Token]
    /// Request limits.
    public var limits = Limits()
    /// The dispatcher configuration file (relative to the configuration file), if any.
    public var dispatchPath: String?
    /// The public feeds (`public_feed`); `nil`: `/public/...` answers 404.
    public var publicFeed: PublicFeedSettings?

    /// Where the public feeds are published and how their CAP messages are signed
    /// (`"public_feed": {"base_url": "https://example.org/public", "title": "...",
    /// "signing_key": "cap-key.pem", "key_name": "..."}`).
    public struct PublicFeedSettings: Sendable, Equatable {
        /// The feeds' links start with this (no trailing slash).
        public var baseURL: String
        /// The feeds' title.
        public var title = "Burgernet actions"
        /// A PEM EC P-256 private key that signs each action's CAP message (relative to the
        /// configuration file); `nil`: unsigned.
        public var signingKeyPath: String?
        /// The signature's `<KeyName>`.
        public var keyName = "fanout-public"

        /// Creates settings.
        public init(baseURL: String, title: String = "Burgernet actions", signingKeyPath: String? = nil) {
            self.baseURL = baseURL
            self.title = title
            self.signingKeyPath = signingKeyPath
        }
    }

    /// Creates a configuration.
    public init(tokens: [Token], limits: Limits = Limits(), dispatchPath: String? = nil) {
        self.tokens = tokens
        self.limits = limits
        self.dispatchPath = dispatchPath
    }

    /// The largest configuration file read (1 MiB).
    public static let maxFileBytes = 1 << 20

    /// Reads a configuration file; a relative `dispatch` path is made relative to the file's folder.
    ///
    /// - Throws: ``ServeError`` `.config` naming the file and the field.
    public static func load(from url: URL) throws -> ServeConfiguration {
        let data: Data
        do { data = try BoundedFile.read(url, limit: maxFileBytes) } catch {
            throw ServeError(.config, "\(url.path): cannot read the serve configuration (\(error))")
        }
        var config = try parse(TextBytes.droppingBOM(data), source: url.path)
        if let path = config.dispatchPath, !path.hasPrefix("/") {
            config.dispatchPath = url.deletingLastPathComponent().appendingPathComponent(path).path
        }
        if let path = config.publicFeed?.signingKeyPath, !path.hasPrefix("/") {
            config.publicFeed?.signingKeyPath = url.deletingLastPathComponent().appendingPathComponent(path).path
        }
        return config
    }

    /// Parses a configuration document.
    ///
    /// - Throws: ``ServeError`` `.config` naming `source` and the field (`tokens[2].role`).
    public static func parse(_ data: Data, source: String) throws -> ServeConfiguration {
        let root: JSONValue
        do { root = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw ServeError(.config, "\(source): not JSON (\(JSONValue.describe(error)))")
        }
        guard case .object(let top) = root else { throw ServeError(.config, "\(source): expected a JSON object") }
        let known: Set<String> = ["tokens", "limits", "dispatch", "public_feed"]
        if let unknown = top.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServeError(.config, "\(source): unknown field '\(unknown.prefix(40))' (known: tokens, limits, dispatch)")
        }
        var config = ServeConfiguration(tokens: [])
        guard case .array(let list)? = top["tokens"] else {
            throw ServeError(.config, "\(source): tokens: expected a list of token objects")
        }
        var seen = Set<String>()
        for (i, item) in list.enumerated() {
            let token = try parseToken(item, at: "\(source): tokens[\(i)]")
            guard seen.insert(token.sha256).inserted else {
                throw ServeError(.config, "\(source): tokens[\(i)].sha256: the same token hash is listed twice")
            }
            config.tokens.append(token)
        }
        if let limits = top["limits"] {
            guard case .object(let l) = limits else { throw ServeError(.config, "\(source): limits: expected an object") }
            for (key, value) in l {
                let field = "\(source): limits.\(key.prefix(40))"
                let n = try positiveInt(value, field: field)
                switch key {
                case "body_bytes": config.limits.bodyBytes = n
                case "polygon_vertices": config.limits.polygonVertices = n
                case "requests_per_minute": config.limits.requestsPerMinute = n
                case "bulk_participants": config.limits.bulkParticipants = n
                case "bulk_bytes": config.limits.bulkBytes = n
                default:
                    throw ServeError(
                        .config,
                        "\(field): unknown limit (known: body_bytes, polygon_vertices, requests_per_minute, "
                            + "bulk_participants, bulk_bytes)")
                }
            }
        }
        if let dispatch = top["dispatch"] {
            guard case .string(let path) = dispatch, !path.isEmpty else {
                throw ServeError(.config, "\(source): dispatch: expected the path of a dispatcher configuration file")
            }
            config.dispatchPath = path
        }
        if let feed = top["public_feed"] { config.publicFeed = try parsePublicFeed(feed, at: "\(source): public_feed") }
        return config
    }

    private static func parsePublicFeed(_ value: JSONValue, at field: String) throws -> PublicFeedSettings {
        guard case .object(let o) = value else { throw ServeError(.config, "\(field): expected an object") }
        let known: Set<String> = ["base_url", "title", "signing_key", "key_name"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServeError(
                .config, "\(field).\(unknown.prefix(40)): unknown key (known: base_url, title, signing_key, key_name)")
        }
        func text(_ key: String) throws -> String? {
            guard let v = o[key] else { return nil }
            guard case .string(let s) = v, !s.trimmingCharacters(in: .whitespaces).isEmpty, s.count <= 2_000 else {
                throw ServeError(.config, "\(field).\(key): expected a non-empty text")
            }
            return s
        }
        guard let base = try text("base_url"), let url = URLComponents(string: base),
            ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host?.isEmpty == false
        else {
            throw ServeError(.config, "\(field).base_url: expected an http or https URL with a host, such as https://example.org/public")
        }
        var settings = PublicFeedSettings(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base)
        if let title = try text("title") { settings.title = title }
        settings.signingKeyPath = try text("signing_key")
        if let name = try text("key_name") { settings.keyName = name }
        return settings
    }

    private static func parseToken(_ item: JSONValue, at field: String) throws -> Token {
        guard case .object(let o) = item else { throw ServeError(.config, "\(field): expected an object") }
        let known: Set<String> = ["subject", "role", "sha256", "region", "requests_per_minute"]
        if let unknown = o.keys.sorted().first(where: { !known.contains($0) }) {
            throw ServeError(.config, "\(field): unknown field '\(unknown.prefix(40))'")
        }
        guard case .string(let subject)? = o["subject"], !subject.trimmingCharacters(in: .whitespaces).isEmpty,
            subject.count <= 100
        else { throw ServeError(.config, "\(field).subject: expected a name of 1 to 100 characters") }
        guard case .string(let roleName)? = o["role"], let role = Role(rawValue: roleName) else {
            throw ServeError(
                .config, "\(field).role: expected one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard case .string(let hash)? = o["sha256"], hash.count == 64,
            hash.allSatisfy({ $0.isHexDigit })
        else {
            throw ServeError(
                .config,
                "\(field).sha256: expected the SHA-256 of the token as 64 hex digits (printf %s TOKEN | sha256sum)")
        }
        var token = Token(subject: subject, role: role, sha256: hash.lowercased())
        if let region = o["region"] {
            guard role == .dispatcher else {
                throw ServeError(.config, "\(field).region: only a dispatcher token has a region")
            }
            token.region = try parseRegion(region, at: "\(field).region")
        }
        if let rate = o["requests_per_minute"] {
            token.requestsPerMinute = try positiveInt(rate, field: "\(field).requests_per_minute")
        }
        return token
    }

    private static func parseRegion(_ value: JSONValue, at field: String) throws -> RegionSpec {
        guard case .object(let o) = value, o.count == 1 else {
            throw ServeError(.config, "\(field): expected {\"municipalities\": [...]} or {\"polygon\": GEOJSON}")
        }
        if case .array(let names)? = o["municipalities"] {
            var list: [String] = []
            for (i, n) in names.enumerated() {
                guard case .string(let s) = n, !s.isEmpty else {
                    throw ServeError(.config, "\(field).municipalities[\(i)]: expected a municipality name or GM code")
                }
                list.append(s)
            }
            guard !list.isEmpty else { throw ServeError(.config, "\(field).municipalities: the list is empty") }
            return .municipalities(list)
        }
        if let polygon = o["polygon"], case .object = polygon {
            return .polygon(polygon.jsonText)
        }
        throw ServeError(.config, "\(field): expected {\"municipalities\": [...]} or {\"polygon\": GEOJSON}")
    }

    private static func positiveInt(_ value: JSONValue, field: String) throws -> Int {
        guard case .number(let d) = value, d >= 1, d <= 1e12, d == d.rounded() else {
            throw ServeError(.config, "\(field): expected a whole number of at least 1")
        }
        return Int(d)
    }

    /// The SHA-256 of a token value as 64 lower-case hex digits (what `sha256` holds).
    public static func hash(token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
