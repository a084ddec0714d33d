import FanOut
import Foundation
import ProviderAdapters

// MARK: - The "smtp" object of a dispatcher configuration file

extension SMTPConfiguration {
    /// The environment variable that gives the AUTH password when the file has none.
    public static let passwordVariable = "FANOUT_SMTP_PASSWORD"
    /// The environment variable that gives the reply-link secret when the file has none.
    public static let replySecretVariable = "FANOUT_MAIL_REPLY_SECRET"

    /// Reads the `"smtp"` object of a dispatcher configuration file (the JSON that
    /// `DispatchConfig.load(from:)` reads for the limits); `nil` when the file has none.
    ///
    /// ```json
    /// "smtp": {
    ///   "host": "mail.burgernet.example", "port": 25, "connections": 4, "startTLS": "required",
    ///   "trustedCAFile": "/etc/fanout/relay-ca.pem", "username": "fanout",
    ///   "fromAddress": "alert@burgernet.example", "fromName": "Burgernet",
    ///   "heloName": "fanout.burgernet.example", "replyBaseURL": "https://burgernet.example/r/"
    /// }
    /// ```
    ///
    /// Required: `host`, `fromAddress`, `replyBaseURL`, and `replySecret` unless `replySecret` (the
    /// environment's ``replySecretVariable``) is given; `password` (or ``passwordVariable``) when
    /// `username` is. Optional, with the defaults of
    /// ``init(host:port:connections:pipelining:startTLS:trustedCAFile:tlsServerName:username:password:fromAddress:fromName:heloName:subject:replyBaseURL:replySecret:unsubscribeURL:connectTimeout:commandTimeout:queueCapacity:rememberedResults:)``:
    /// `port`, `connections`, `pipelining`, `startTLS` (`"opportunistic"`, `"required"`, `"off"`),
    /// `trustedCAFile`, `tlsServerName`, `username`, `fromName`, `heloName`, `subject`,
    /// `unsubscribeURL`, `connectTimeoutSeconds`, `commandTimeoutSeconds`, `queueCapacity`. Unknown keys
    /// are refused.
    ///
    /// - Parameters:
    ///   - url: The configuration file.
    ///   - password: The password to use when the file has no `password` key (from the environment).
    ///   - replySecret: The reply secret to use when the file has no `replySecret` key.
    /// - Returns: The configuration, or `nil` without an `"smtp"` object.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the file and the key, never
    ///   showing a secret.
    public static func load(fromDispatchConfig url: URL, password: String? = nil, replySecret: String? = nil) throws
        -> SMTPConfiguration?
    {
        try parse(dispatchConfig: ProviderConfigFile.read(url), source: url.path, password: password, replySecret: replySecret)
    }

    /// Reads the `"smtp"` object with the secrets from the environment (``passwordVariable``,
    /// ``replySecretVariable``) where the file has none.
    ///
    /// See ``load(fromDispatchConfig:password:replySecret:)``.
    public static func load(fromDispatchConfig url: URL, environment: [String: String]) throws -> SMTPConfiguration? {
        try load(
            fromDispatchConfig: url, password: environment[passwordVariable],
            replySecret: environment[replySecretVariable])
    }

    /// Parses the `"smtp"` object of a dispatcher configuration (`source` names it in messages).
    ///
    /// See ``load(fromDispatchConfig:password:replySecret:)``.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming `source` and the key.
    public static func parse(
        dispatchConfig data: Data, source: String, password: String? = nil, replySecret: String? = nil
    ) throws -> SMTPConfiguration? {
        func bad(_ key: String, _ problem: String) -> ProviderAdapterError {
            ProviderConfigFile.problem(source, "smtp", key, problem)
        }
        guard
            let file = try ProviderConfigFile.decode(
                SMTPFileKeys.self, from: data, name: "smtp", source: source, kinds: SMTPFileKeys.kinds,
                what: "an SMTP configuration key")
        else { return nil }
        func required(_ value: String?, _ key: String, _ what: String) throws -> String {
            guard let value else { throw bad(key, "is missing (\(what))") }
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad(key, "is empty") }
            return value
        }
        func whole(_ value: Double?, _ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value else { return nil }
            guard value == value.rounded(), abs(value) < 1e15, range.contains(Int(value)) else {
                throw bad(key, "must be \(SMTPFileKeys.kinds[key] ?? "a whole number"), got \(value)")
            }
            return Int(value)
        }
        func seconds(_ value: Double?, _ key: String) throws -> Duration? {
            guard let value else { return nil }
            guard value > 0, value <= 3600 else { throw bad(key, "must be > 0 and ≤ 3600, got \(value)") }
            return .milliseconds(Int64((value * 1000).rounded(.up)))
        }
        let host = try required(file.host, "host", "the relay's host name or address")
        let from = try required(file.fromAddress, "fromAddress", "the sender, e.g. alert@burgernet.example")
        let base = try required(file.replyBaseURL, "replyBaseURL", "e.g. https://burgernet.example/r/")
        guard let secret = file.replySecret ?? replySecret else {
            throw bad("replySecret", "is missing (or set \(replySecretVariable))")
        }
        guard secret.utf8.count >= MailReplyToken.minimumSecretBytes else {
            throw bad("replySecret", "must be at least \(MailReplyToken.minimumSecretBytes) bytes (32 random bytes recommended)")
        }
        var authPassword: String?
        if file.username != nil {
            _ = try required(file.username, "username", "the AUTH PLAIN user")
            guard let p = file.password ?? password, !p.isEmpty else {
                throw bad("password", "is missing for 'username' (or set \(passwordVariable))")
            }
            authPassword = p
        } else if file.password != nil {
            throw bad("password", "is given without 'username'")
        }
        var policy = StartTLSPolicy.opportunistic
        if let text = file.startTLS {
            guard let p = StartTLSPolicy(rawValue: text) else { throw bad("startTLS", "must be \(SMTPFileKeys.kinds["startTLS"] ?? "")") }
            policy = p
        }
        if let path = file.trustedCAFile, !FileManager.default.isReadableFile(atPath: path) {
            throw bad("trustedCAFile", "is not a readable file ('\(path.prefix(120))')")
        }
        let port = try whole(file.port, "port", 1...65_535)
        let connections = try whole(file.connections, "connections", 1...64)
        let capacity = try whole(file.queueCapacity, "queueCapacity", 1...100_000_000)
        let connectTimeout = try seconds(file.connectTimeoutSeconds, "connectTimeoutSeconds")
        let commandTimeout = try seconds(file.commandTimeoutSeconds, "commandTimeoutSeconds")
        let checks: [(String, String?, (String) -> Bool, String)] = [
            ("host", host, { !$0.contains(where: { " /@?#".contains($0) }) }, "a host name or address"),
            ("fromAddress", from, SMTPConfiguration.isAddress, "local@domain without spaces or <>"),
            ("replyBaseURL", base, SMTPConfiguration.isLinkBase, "http(s)://host/… ending in '/' or '='"),
            ("fromName", file.fromName, { !$0.contains(where: \.isNewline) }, "one line"),
            ("subject", file.subject, { !$0.contains(where: \.isNewline) }, "one line"),
        ]
        for (key, value, valid, what) in checks {
            if let value, !valid(value) { throw bad(key, "must be \(what), got '\(value.prefix(80))'") }
        }
        let d = try SMTPConfiguration(
            host: "d", fromAddress: "d@d.d", replyBaseURL: "https://d/", replySecret: Array(repeating: 0, count: 32))
        do {
            return try SMTPConfiguration(
                host: host, port: port.map { UInt16($0) } ?? d.port, connections: connections ?? d.connections,
                pipelining: file.pipelining ?? d.pipelining, startTLS: policy, trustedCAFile: file.trustedCAFile,
                tlsServerName: file.tlsServerName, username: file.username, password: authPassword, fromAddress: from,
                fromName: file.fromName ?? d.fromName, heloName: file.heloName ?? d.heloName,
                subject: file.subject ?? d.subject, replyBaseURL: base, replySecret: Array(secret.utf8),
                unsubscribeURL: file.unsubscribeURL, connectTimeout: connectTimeout ?? d.connectTimeout,
                commandTimeout: commandTimeout ?? d.commandTimeout, queueCapacity: capacity ?? d.queueCapacity)
        } catch let e as ProviderAdapterError {
            // What is left (HELO name, unsubscribe URL, server name) is named by the message itself.
            throw ProviderAdapterError(.invalidConfiguration, "\(source): 'smtp': \(e.message)")
        }
    }

}

/// The `"smtp"` object as written in the file: every key optional, checked afterwards.
private struct SMTPFileKeys: Decodable {
    var host: String?
    var port: Double?
    var connections: Double?
    var pipelining: Bool?
    var startTLS: String?
    var trustedCAFile: String?
    var tlsServerName: String?
    var username: String?
    var password: String?
    var fromAddress: String?
    var fromName: String?
    var heloName: String?
    var subject: String?
    var replyBaseURL: String?
    var replySecret: String?
    var unsubscribeURL: String?
    var connectTimeoutSeconds: Double?
    var commandTimeoutSeconds: Double?
    var queueCapacity: Double?

    /// Every key, with what its value must be (for messages).
    static let kinds: [String: String] = [
        "host": "a string, the relay's host name or address", "port": "a whole number 1 to 65535",
        "connections": "a whole number 1 to 64", "pipelining": "true or false",
        "startTLS": "\"opportunistic\", \"required\" or \"off\"", "trustedCAFile": "a string, a PEM file",
        "tlsServerName": "a string, the name in the relay's certificate", "username": "a string",
        "password": "a string", "fromAddress": "a string, local@domain", "fromName": "a string",
        "heloName": "a string, a host name", "subject": "a string", "replyBaseURL": "a string, http(s)://host/…/",
        "replySecret": "a string of at least 16 bytes", "unsubscribeURL": "a string, an http(s) or mailto: URL",
        "connectTimeoutSeconds": "a number of seconds > 0", "commandTimeoutSeconds": "a number of seconds > 0",
        "queueCapacity": "a positive whole number",
    ]
}

