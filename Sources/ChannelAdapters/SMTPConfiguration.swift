import Foundation
import ProviderAdapters

/// How ``SMTPMailProvider`` reaches its mail relay and what its mails look like.
public struct SMTPConfiguration: Sendable {
    /// When the adapter switches a connection to TLS with STARTTLS (RFC 3207).
    public enum StartTLSPolicy: String, Sendable, Hashable, CaseIterable {
        /// Use STARTTLS when the server offers it, plain text otherwise (the default).
        case opportunistic
        /// Use STARTTLS; a server that does not offer it, or a failed handshake, fails the mail.
        case required
        /// Never use STARTTLS.
        case off
    }

    /// The relay's host name or address.
    public var host: String
    /// Its SMTP port (25, or 587 for submission).
    public var port: UInt16
    /// Persistent connections kept open to the relay, each served by one worker thread.
    public var connections: Int
    /// Whether ESMTP PIPELINING (RFC 2920) is used when the server offers it.
    public var pipelining: Bool
    /// When STARTTLS is used.
    public var startTLS: StartTLSPolicy
    /// A PEM file of the certificate authorities to trust for TLS (`nil`: the system's roots).
    public var trustedCAFile: String?
    /// The name the server's certificate must carry (default ``host``).
    public var tlsServerName: String?
    /// The AUTH PLAIN user (`nil`: no authentication).
    public var username: String?
    /// Its password: sent only inside TLS, or to a loopback relay; never printed.
    public var password: String?
    /// The envelope sender and `From:` address, e.g. `alert@burgernet.example`.
    public var fromAddress: String
    /// The `From:` display name, e.g. "Burgernet".
    public var fromName: String
    /// The name given in EHLO.
    public var heloName: String
    /// The `Subject:` of every mail.
    public var subject: String
    /// Where reply links point: the token is appended (`https://burgernet.example/r/` + token).
    public var replyBaseURL: String
    /// The secret that signs reply links (see ``MailReplyToken``); never printed.
    public var replySecret: [UInt8]
    /// The `List-Unsubscribe` target (`nil`: the mail's personal stop link).
    public var unsubscribeURL: String?
    /// How long connecting (TCP, the greeting) may take.
    public var connectTimeout: Duration
    /// How long the adapter waits for any reply (after DATA's end: for the final 250).
    public var commandTimeout: Duration
    /// Messages the adapter holds before it rejects new ones as throttled.
    public var queueCapacity: Int
    /// How many completed keys the adapter remembers, to answer a repeat without sending it.
    public var rememberedResults: Int

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - host: The relay's host name or address.
    ///   - fromAddress: The envelope sender and `From:` address.
    ///   - replyBaseURL: `http(s)://…/`, the reply token is appended to it.
    ///   - replySecret: At least 16 bytes (32 random bytes recommended) that sign the reply links.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the argument that is wrong.
    public init(
        host: String, port: UInt16 = 25, connections: Int = 4, pipelining: Bool = true,
        startTLS: StartTLSPolicy = .opportunistic, trustedCAFile: String? = nil, tlsServerName: String? = nil,
        username: String? = nil, password: String? = nil, fromAddress: String, fromName: String = "Burgernet",
        heloName: String = "localhost", subject: String = "Burgernet", replyBaseURL: String, replySecret: [UInt8],
        unsubscribeURL: String? = nil, connectTimeout: Duration = .seconds(10), commandTimeout: Duration = .seconds(60),
        queueCapacity: Int = 10_000, rememberedResults: Int = 100_000
    ) throws {
        func bad(_ problem: String) -> ProviderAdapterError { ProviderAdapterError(.invalidConfiguration, problem) }
        guard !host.isEmpty, !host.contains(where: { " /@?#".contains($0) }) else {
            throw bad("the SMTP host must be a host name or address, got '\(host.prefix(60))'")
        }
        guard port > 0 else { throw bad("the SMTP port must be 1 to 65535") }
        guard (1...64).contains(connections) else { throw bad("connections must be 1 to 64, got \(connections)") }
        guard Self.isAddress(fromAddress) else {
            throw bad("the from address must be local@domain without spaces or <>, got '\(fromAddress.prefix(60))'")
        }
        guard !fromName.contains(where: \.isNewline), !subject.contains(where: \.isNewline) else {
            throw bad("the from name and the subject must be one line")
        }
        guard !heloName.isEmpty, heloName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-[]:".contains($0)) })
        else { throw bad("the HELO name must be a host name, got '\(heloName.prefix(60))'") }
        guard Self.isLinkBase(replyBaseURL) else {
            throw bad("the reply base URL must be http(s)://host/… ending in '/' or '=', got '\(replyBaseURL.prefix(80))'")
        }
        guard replySecret.count >= MailReplyToken.minimumSecretBytes else {
            throw bad("the reply secret must be at least \(MailReplyToken.minimumSecretBytes) bytes")
        }
        if let u = unsubscribeURL, !(u.hasPrefix("https://") || u.hasPrefix("http://") || u.hasPrefix("mailto:"))
            || u.contains(where: { $0 == " " || $0 == ">" || $0.isNewline })
        {
            throw bad("the unsubscribe URL must be an http(s) or mailto: URL, got '\(u.prefix(80))'")
        }
        if let user = username {
            guard !user.isEmpty, !user.contains("\u{0}") else { throw bad("the SMTP username is empty") }
            guard let p = password, !p.isEmpty, !p.contains("\u{0}") else {
                throw bad("the SMTP username is given without a password")
            }
        }
        guard connectTimeout > .zero, commandTimeout > .zero else {
            throw bad("the connect and command timeouts must be positive")
        }
        guard queueCapacity > 0 else { throw bad("the queue capacity must be positive, got \(queueCapacity)") }
        self.host = host
        self.port = port
        self.connections = connections
        self.pipelining = pipelining
        self.startTLS = startTLS
        self.trustedCAFile = trustedCAFile
        self.tlsServerName = tlsServerName
        self.username = username
        self.password = password
        self.fromAddress = fromAddress
        self.fromName = fromName
        self.heloName = heloName
        self.subject = subject
        self.replyBaseURL = replyBaseURL
        self.replySecret = replySecret
        self.unsubscribeURL = unsubscribeURL
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.queueCapacity = queueCapacity
        self.rememberedResults = max(0, rememberedResults)
    }

    /// Whether `text` is a plain `local@domain` address (no display name, spaces, brackets or line breaks).
    static func isAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !parts[1].hasSuffix(".")
            && text.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "<") && $0 != UInt8(ascii: ">") }
    }

    /// Whether `text` is an `http(s)://host/…` prefix a token can be appended to.
    static func isLinkBase(_ text: String) -> Bool {
        guard text.hasPrefix("https://") || text.hasPrefix("http://"), text.hasSuffix("/") || text.hasSuffix("=")
        else { return false }
        let rest = text.drop(while: { $0 != "/" }).dropFirst(2)
        return !rest.hasPrefix("/") && !rest.isEmpty && text.utf8.allSatisfy { $0 > 32 && $0 < 127 && $0 != UInt8(ascii: "\"") }
            && !text.contains("<") && !text.contains(">")
    }
}

// MARK: - Never showing the secrets

extension SMTPConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration without the password and the reply secret.
    public var description: String {
        "SMTP(\(host):\(port), \(connections) connections, pipelining \(pipelining ? "on" : "off"), "
            + "STARTTLS \(startTLS.rawValue), \(username == nil ? "no AUTH" : "AUTH PLAIN, password hidden"), "
            + "reply links \(replyBaseURL)…, secret hidden)"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the password and the secret (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "connections": connections, "pipelining": pipelining,
                "startTLS": startTLS, "trustedCAFile": trustedCAFile as Any, "tlsServerName": tlsServerName as Any,
                "username": username as Any, "password": "<hidden>", "heloName": heloName,
                "replyBaseURL": replyBaseURL, "replySecret": "<hidden>", "connectTimeout": connectTimeout,
                "commandTimeout": commandTimeout, "queueCapacity": queueCapacity,
            ])
    }
}
