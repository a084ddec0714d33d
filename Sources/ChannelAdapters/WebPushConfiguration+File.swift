import Crypto
import FanOut
import Foundation
import ProviderAdapters

// MARK: - The "webpush" object of a dispatcher configuration file

extension WebPushConfiguration {
    /// The environment variable that gives the VAPID private key when the file has none.
    public static let privateKeyVariable = "FANOUT_VAPID_PRIVATE_KEY"
    /// The environment variable that may hold the app reply links' secret instead of the file.
    public static let replySecretVariable = "FANOUT_APP_REPLY_SECRET"

    /// Reads the `"webpush"` object of a dispatcher configuration file (the JSON that
    /// `DispatchConfig.load(from:)` reads for the limits); `nil` when the file has none.
    ///
    /// ```json
    /// "webpush": {
    ///   "vapidSubject": "mailto:ops@burgernet.example", "ttlSeconds": 3600,
    ///   "urgency": {"low": "low", "normal": "normal", "high": "high", "critical": "high"},
    ///   "workers": 32, "requestTimeoutSeconds": 10
    /// }
    /// ```
    ///
    /// Required: `vapidSubject`, and `vapidPrivateKey` unless `privateKey` (the environment's
    /// ``privateKeyVariable``) is given. Optional, with the defaults of
    /// ``init(subject:privateKey:tokenLifetime:ttlSeconds:urgency:defaultUrgency:endUrgency:topic:maxAreaVertices:workers:queueCapacity:requestTimeout:connectTimeout:trustedCAFile:maxRetryAfter:rememberedResults:)``:
    /// `vapidExpirySeconds`, `ttlSeconds`, `urgency` (an object from action urgencies to push
    /// urgencies; the urgencies it leaves out keep their default), `defaultUrgency`, `endUrgency`,
    /// `topic`, `maxAreaVertices`, `workers`, `queueCapacity`, `requestTimeoutSeconds`, `connectTimeoutSeconds`,
    /// `trustedCAFile`, `maxRetryAfterSeconds`. Unknown keys are refused.
    ///
    /// - Parameters:
    ///   - url: The configuration file.
    ///   - privateKey: The key to use when the file has no `vapidPrivateKey` (from the environment).
    /// - Returns: The configuration, or `nil` without a `"webpush"` object.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the file and the key, never
    ///   showing the private key.
    public static func load(fromDispatchConfig url: URL, privateKey: String? = nil, replySecret: String? = nil) throws
        -> WebPushConfiguration?
    {
        try parse(
            dispatchConfig: ProviderConfigFile.read(url), source: url.path, privateKey: privateKey,
            replySecret: replySecret)
    }

    /// Parses the `"webpush"` object of a dispatcher configuration (`source` names it in messages).
    ///
    /// See ``load(fromDispatchConfig:privateKey:)``.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming `source` and the key.
    public static func parse(
        dispatchConfig data: Data, source: String, privateKey: String? = nil, replySecret: String? = nil
    ) throws -> WebPushConfiguration? {
        func bad(_ key: String, _ problem: String) -> ProviderAdapterError {
            ProviderConfigFile.problem(source, "webpush", key, problem)
        }
        guard
            let file = try ProviderConfigFile.decode(
                FileKeys.self, from: data, name: "webpush", source: source, kinds: kinds,
                what: "a Web Push configuration key")
        else { return nil }
        func seconds(_ s: Double?, _ key: String, from low: Double, to high: Double) throws -> Double? {
            guard let s else { return nil }
            guard s.isFinite, s >= low, s <= high else {
                throw bad(key, "must be \(kinds[key] ?? "") (\(low.formatted()) to \(high.formatted())), got \(s)")
            }
            return s
        }
        func whole(_ s: Double?, _ key: String, from low: Int, to high: Int) throws -> Int? {
            guard let s else { return nil }
            guard s == s.rounded(), s >= Double(low), s <= Double(high) else {
                throw bad(key, "must be a whole number \(low) to \(high), got \(s)")
            }
            return Int(s)
        }
        guard let subject = file.vapidSubject else {
            throw bad("vapidSubject", "is missing (a mailto: or https: contact, RFC 8292 §2.1)")
        }
        let lower = subject.lowercased()
        guard lower.hasPrefix("mailto:") || lower.hasPrefix("https://"), subject.count > 8,
            !subject.contains(where: { $0.isWhitespace })
        else { throw bad("vapidSubject", "must be a mailto: or https: URL (RFC 8292 §2.1)") }
        guard let keyText = file.vapidPrivateKey ?? privateKey else {
            throw bad("vapidPrivateKey", "is missing (or set \(privateKeyVariable))")
        }
        let key: P256.Signing.PrivateKey
        do { key = try Self.privateKey(parsing: keyText) } catch let e as ProviderAdapterError {
            throw bad("vapidPrivateKey", "is not usable: \(e.message)")
        }
        var urgency = try WebPushConfiguration(subject: "mailto:d@d", privateKey: key).urgency
        if let map = file.urgency {
            for (name, target) in map.sorted(by: { $0.key < $1.key }) {
                guard let u = Urgency(name: name) else {
                    throw bad("urgency.\(name)", "is not an action urgency (low, normal, high, critical)")
                }
                guard let push = PushUrgency(rawValue: target) else {
                    throw bad("urgency.\(name)", "must be very-low, low, normal or high")
                }
                urgency[u] = push
            }
        }
        var defaultUrgency = Urgency.normal
        if let name = file.defaultUrgency {
            guard let u = Urgency(name: name) else { throw bad("defaultUrgency", "must be \(kinds["defaultUrgency"] ?? "")") }
            defaultUrgency = u
        }
        var endUrgency: PushUrgency?
        if let name = file.endUrgency {
            guard let u = PushUrgency(rawValue: name) else { throw bad("endUrgency", "must be \(kinds["endUrgency"] ?? "")") }
            endUrgency = u
        }
        let caFile = file.trustedCAFile
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) {
            throw bad("trustedCAFile", "names a file that cannot be read ('\(caFile.prefix(200))')")
        }
        let d = try WebPushConfiguration(subject: "mailto:d@d", privateKey: key)
        let expiry = try seconds(file.vapidExpirySeconds, "vapidExpirySeconds", from: 60, to: 86_400)
        let timeout = try seconds(file.requestTimeoutSeconds, "requestTimeoutSeconds", from: 0.001, to: 3600)
        let connect = try seconds(file.connectTimeoutSeconds, "connectTimeoutSeconds", from: 0.001, to: 3600)
        let retryAfter = try seconds(file.maxRetryAfterSeconds, "maxRetryAfterSeconds", from: 0, to: 86_400)
        var configuration = try WebPushConfiguration(
            subject: subject, privateKey: key,
            tokenLifetime: expiry.map { .milliseconds(Int64($0 * 1000)) } ?? d.tokenLifetime,
            ttlSeconds: try whole(file.ttlSeconds, "ttlSeconds", from: 0, to: 2_419_200) ?? d.ttlSeconds, urgency: urgency,
            defaultUrgency: defaultUrgency, endUrgency: endUrgency, topic: file.topic ?? d.topic,
            maxAreaVertices: try whole(file.maxAreaVertices, "maxAreaVertices", from: 4, to: 1000) ?? d.maxAreaVertices,
            workers: try whole(file.workers, "workers", from: 1, to: 256) ?? d.workers,
            queueCapacity: try whole(file.queueCapacity, "queueCapacity", from: 1, to: 10_000_000) ?? d.queueCapacity,
            requestTimeout: timeout.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) } ?? d.requestTimeout,
            connectTimeout: connect.map { .milliseconds(Int64(($0 * 1000).rounded(.up))) } ?? d.connectTimeout,
            trustedCAFile: caFile,
            maxRetryAfter: retryAfter.map { .milliseconds(Int64($0 * 1000)) } ?? d.maxRetryAfter)
        if let base = file.replyBaseURL {
            guard let secret = file.replySecret ?? replySecret else {
                throw bad("replySecret", "is missing for replyBaseURL (or set \(replySecretVariable))")
            }
            do { configuration.replies = try ReplyLinks(baseURL: base, secret: Array(secret.utf8)) } catch let e as ProviderAdapterError {
                throw bad(SMTPConfiguration.isLinkBase(base) ? "replySecret" : "replyBaseURL", "is not usable: \(e.message)")
            }
        } else if file.replySecret != nil {
            throw bad("replySecret", "needs replyBaseURL (where the app's reply links point)")
        }
        return configuration
    }

    /// Every key of the `"webpush"` object, with what its value must be (for messages).
    static let kinds: [String: String] = [
        "vapidSubject": "a string, mailto:… or https://…", "vapidPrivateKey": "a string, PEM or base64url",
        "vapidExpirySeconds": "a number of seconds", "ttlSeconds": "a whole number of seconds",
        "urgency": "an object from low/normal/high/critical to very-low/low/normal/high",
        "defaultUrgency": "low, normal, high or critical", "endUrgency": "very-low, low, normal or high",
        "topic": "true or false", "maxAreaVertices": "a whole number", "workers": "a whole number",
        "queueCapacity": "a whole number", "requestTimeoutSeconds": "a number of seconds",
        "connectTimeoutSeconds": "a number of seconds",
        "trustedCAFile": "a string, the path of a PEM file", "maxRetryAfterSeconds": "a number of seconds",
        "replyBaseURL": "a string, http(s)://…/ (the app's reply links)", "replySecret": "a string of at least 16 bytes",
    ]
}


/// The `"webpush"` object as written in the file: every key optional, checked afterwards.
private struct FileKeys: Decodable {
    var vapidSubject: String?
    var vapidPrivateKey: String?
    // Whole numbers are read as Double and checked afterwards (a fraction given for an `Int`
    // fails in the decoder as "not valid JSON", without the key).
    var vapidExpirySeconds: Double?
    var ttlSeconds: Double?
    var urgency: [String: String]?
    var defaultUrgency: String?
    var endUrgency: String?
    var topic: Bool?
    var maxAreaVertices: Double?
    var workers: Double?
    var queueCapacity: Double?
    var requestTimeoutSeconds: Double?
    var connectTimeoutSeconds: Double?
    var trustedCAFile: String?
    var maxRetryAfterSeconds: Double?
    var replyBaseURL: String?
    var replySecret: String?
}

