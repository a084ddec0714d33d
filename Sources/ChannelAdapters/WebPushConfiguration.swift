import Crypto
import FanOut
import Foundation
import Participants
import ProviderAdapters

/// How ``WebPushProvider`` signs, encrypts and sends app pushes.
public struct WebPushConfiguration: Sendable {
    /// The `Urgency` header of a push (RFC 8030 §5.3): how soon a phone on battery wakes for it.
    public enum PushUrgency: String, Sendable, Hashable, CaseIterable {
        case veryLow = "very-low", low, normal, high
    }

    /// The VAPID `sub` claim (RFC 8292 §2.1): `mailto:` or `https:` contact of the sender.
    public var subject: String
    /// The VAPID signing key (RFC 8292 §3.2), as its 32-byte scalar (the key type is not
    /// `Sendable`). Never printed.
    let privateKeyBytes: [UInt8]
    /// The VAPID public key as the `k` parameter and as an app subscribes with it
    /// (`applicationServerKey`): the uncompressed point, base64url.
    public let publicKeyBase64URL: String
    /// How long a VAPID token is valid (`exp` − now), at most 24 h; a token is reused for half of it.
    public var tokenLifetime: Duration
    /// The `TTL` header: seconds the push service keeps an undelivered message (0: deliver now or drop).
    public var ttlSeconds: Int
    /// The `Urgency` header for each action urgency.
    public var urgency: [Urgency: PushUrgency]
    /// The action urgency of a message whose action the lookup does not know.
    public var defaultUrgency: Urgency
    /// The `Urgency` header of end messages (`nil`: as the action's alert).
    public var endUrgency: PushUrgency?
    /// Whether to send a `Topic` header (`fanout-a<action>`): a later push of the action (its end
    /// message) replaces one the push service still holds undelivered.
    public var topic: Bool
    /// At most this many vertices of the action's area in a payload (over all its polygons).
    public var maxAreaVertices: Int
    /// Parallel push requests (worker threads).
    public var workers: Int
    /// Messages the adapter holds before it rejects new ones as throttled.
    public var queueCapacity: Int
    /// How long one push request may take (connect, TLS, send, answer).
    public var requestTimeout: Duration
    /// How long connecting to a push service (TCP and TLS, retried with backoff) may take before
    /// the push is reported throttled; at most ``requestTimeout``.
    public var connectTimeout: Duration
    /// A PEM file of the certificate authorities to trust instead of the system's (tests, a
    /// private push service).
    public var trustedCAFile: String?
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    public var maxRetryAfter: Duration
    /// How many completed keys the adapter remembers, to answer a repeat without sending it.
    public var rememberedResults: Int

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - subject: The VAPID contact, `mailto:ops@example.org` or `https://example.org/contact`.
    ///   - privateKey: The VAPID key.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the value that is out of range.
    public init(
        subject: String, privateKey: P256.Signing.PrivateKey, tokenLifetime: Duration = .seconds(12 * 3600),
        ttlSeconds: Int = 3600,
        urgency: [Urgency: PushUrgency] = [.low: .low, .normal: .normal, .high: .high, .critical: .high],
        defaultUrgency: Urgency = .normal, endUrgency: PushUrgency? = nil, topic: Bool = true,
        maxAreaVertices: Int = 48, workers: Int = 32, queueCapacity: Int = 10_000,
        requestTimeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5), trustedCAFile: String? = nil, maxRetryAfter: Duration = .seconds(300),
        rememberedResults: Int = 100_000
    ) throws {
        func bad(_ what: String) -> ProviderAdapterError { ProviderAdapterError(.invalidConfiguration, what) }
        let lower = subject.lowercased()
        guard (lower.hasPrefix("mailto:") && subject.count > 7) || (lower.hasPrefix("https://") && subject.count > 8)
        else { throw bad("the VAPID subject must be a mailto: or https: URL (RFC 8292 §2.1)") }
        guard !subject.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            throw bad("the VAPID subject must not contain spaces")
        }
        guard tokenLifetime >= .seconds(60), tokenLifetime <= .seconds(86_400) else {
            throw bad("the VAPID token lifetime must be 60 s to 24 h (RFC 8292 §2), got \(tokenLifetime)")
        }
        guard (0...2_419_200).contains(ttlSeconds) else {
            throw bad("the TTL must be 0 to 2419200 seconds (28 days), got \(ttlSeconds)")
        }
        for u in Urgency.allCases where urgency[u] == nil {
            throw bad("the urgency mapping has no push urgency for '\(u.name)'")
        }
        guard (4...1000).contains(maxAreaVertices) else {
            throw bad("the area's vertex limit must be 4 to 1000, got \(maxAreaVertices)")
        }
        guard (1...256).contains(workers) else { throw bad("workers must be 1 to 256, got \(workers)") }
        guard queueCapacity > 0 else { throw bad("the queue capacity must be positive, got \(queueCapacity)") }
        guard requestTimeout > .zero else { throw bad("the request timeout must be positive") }
        guard connectTimeout > .zero else { throw bad("the connect timeout must be positive") }
        guard maxRetryAfter >= .zero else { throw bad("the longest Retry-After must not be negative") }
        if let file = trustedCAFile, !FileManager.default.isReadableFile(atPath: file) {
            throw bad("the trusted CA file '\(file)' cannot be read")
        }
        self.subject = subject
        privateKeyBytes = Array(privateKey.rawRepresentation)
        publicKeyBase64URL = Base64URL.encode(Array(privateKey.publicKey.x963Representation))
        self.tokenLifetime = tokenLifetime
        self.ttlSeconds = ttlSeconds
        self.urgency = urgency
        self.defaultUrgency = defaultUrgency
        self.endUrgency = endUrgency
        self.topic = topic
        self.maxAreaVertices = maxAreaVertices
        self.workers = workers
        self.queueCapacity = queueCapacity
        self.requestTimeout = requestTimeout
        self.connectTimeout = min(connectTimeout, requestTimeout)
        self.trustedCAFile = trustedCAFile
        self.maxRetryAfter = maxRetryAfter
        self.rememberedResults = max(0, rememberedResults)
    }

    /// The VAPID signing key.
    ///
    /// - Throws: Never for a configuration made by the initializer (the bytes came from a key).
    /// Where the app's reply buttons point, and the secret that signs their tokens (`nil`: pushes
    /// carry no reply links). See ``ReplyLinks``.
    public var replies: ReplyLinks?

    /// The app's reply buttons: each alert push carries a link for "I have seen it" and one for
    /// "no more calls for this action", `baseURL` + a ``MailReplyToken`` (version 2, channel app)
    /// signed with `secret`. The service that serves `baseURL` (`fanout serve`'s `/reply/`) checks
    /// them and records the answer on the app channel.
    public struct ReplyLinks: Sendable {
        /// `http(s)://…/`, the token is appended.
        public let baseURL: String
        /// Signs (and verifies) the links' tokens.
        public let signer: MailReplyToken

        /// Creates the links' settings.
        ///
        /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` for a base that is not
        ///   `http(s)://host/…` ending in `/` or `=`, or a secret under 16 bytes.
        public init(baseURL: String, secret: [UInt8]) throws {
            guard SMTPConfiguration.isLinkBase(baseURL) else {
                throw ProviderAdapterError(
                    .invalidConfiguration,
                    "the reply base URL must be http(s)://host/… ending in '/' or '=', got '\(baseURL.prefix(80))'")
            }
            self.baseURL = baseURL
            signer = try MailReplyToken(secret: secret)
        }

        /// The links of one alert: a sighting and a stop.
        func links(action: ActionID, person: Int64) -> [String: String] {
            [
                "sighting": baseURL + signer.sign(action: action, person: person, kind: .sighting, channel: .app),
                "stop": baseURL + signer.sign(action: action, person: person, kind: .stop, channel: .app),
            ]
        }
    }

    func signingKey() throws -> P256.Signing.PrivateKey {
        try P256.Signing.PrivateKey(rawRepresentation: privateKeyBytes)
    }

    /// Reads a VAPID private key: PEM (`EC PRIVATE KEY` or `PRIVATE KEY`) or the raw 32-byte
    /// scalar in base64url (as `web-push generate-vapid-keys` prints it).
    ///
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` saying which form failed, never
    ///   the key.
    public static func privateKey(parsing text: String) throws -> P256.Signing.PrivateKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("-----BEGIN") {
            do { return try P256.Signing.PrivateKey(pemRepresentation: trimmed) } catch {
                throw ProviderAdapterError(
                    .invalidConfiguration, "the VAPID private key is PEM but not a P-256 private key")
            }
        }
        guard let raw = Base64URL.decode(trimmed), raw.count == 32 else {
            throw ProviderAdapterError(
                .invalidConfiguration,
                "the VAPID private key must be PEM or the 32-byte key in base64url (not shown)")
        }
        do { return try P256.Signing.PrivateKey(rawRepresentation: raw) } catch {
            throw ProviderAdapterError(.invalidConfiguration, "the VAPID private key is not a valid P-256 scalar")
        }
    }
}

extension Urgency {
    /// The name used in configuration files and payloads: `low`, `normal`, `high`, `critical`.
    var name: String {
        switch self {
        case .low: "low"
        case .normal: "normal"
        case .high: "high"
        case .critical: "critical"
        }
    }

    /// The urgency of a name (see ``name``).
    init?(name: String) {
        guard let u = Urgency.allCases.first(where: { $0.name == name }) else { return nil }
        self = u
    }
}

// MARK: - Never showing the private key

extension WebPushConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration without the private key.
    public var description: String {
        "WebPush(subject \(subject), VAPID key \(publicKeyBase64URL.prefix(12))… (private key hidden), TTL \(ttlSeconds) s, "
            + "\(workers) workers, request timeout \(requestTimeout))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the private key (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "subject": subject, "privateKey": "<hidden>", "publicKey": publicKeyBase64URL,
                "tokenLifetime": tokenLifetime, "ttlSeconds": ttlSeconds, "urgency": urgency,
                "defaultUrgency": defaultUrgency, "endUrgency": endUrgency as Any, "topic": topic,
                "maxAreaVertices": maxAreaVertices, "workers": workers, "queueCapacity": queueCapacity,
                "requestTimeout": requestTimeout, "connectTimeout": connectTimeout, "trustedCAFile": trustedCAFile as Any,
                "maxRetryAfter": maxRetryAfter,
            ])
    }
}
