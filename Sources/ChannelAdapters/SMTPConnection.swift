import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import ProviderAdapters

/// Why a connection could not be opened or used.
struct SMTPConnectionError: Error, Sendable, CustomStringConvertible {
    /// Whether trying again later may work (the relay unreachable, busy, gone): the message is
    /// then throttled; otherwise (TLS required but missing, a failed handshake, AUTH refused, a 5xx
    /// greeting) it fails.
    var transient: Bool
    /// What went wrong (no address, no password).
    var description: String
}

/// One SMTP connection to the relay (RFC 5321), owned by one worker thread: the NIO channel, its
/// reply inbox and what the server offers. Opened by ``open(_:group:tls:)`` (greeting, EHLO,
/// STARTTLS and EHLO again, AUTH PLAIN), ended by ``quit()`` or ``close()``, exactly once.
final class SMTPConnection {
    let channel: any NIOCore.Channel
    let inbox: SMTPInbox
    private let timeout: Duration
    private(set) var extensions = SMTPExtensions()
    /// Whether the connection runs inside TLS.
    private(set) var encrypted = false
    /// Whether pipelining is used on it (configured and offered).
    private(set) var pipelining = false
    /// Transactions sent on it (a connection that was used before may have been closed idle).
    var transactions = 0
    private var closed = false

    private init(channel: any NIOCore.Channel, inbox: SMTPInbox, timeout: Duration) {
        self.channel = channel
        self.inbox = inbox
        self.timeout = timeout
    }

    deinit { close() }

    /// Connects and gets the connection ready for mail.
    ///
    /// - Parameter tls: The TLS context for STARTTLS (`nil` when the policy is off).
    /// - Throws: ``SMTPConnectionError``.
    static func open(
        _ configuration: SMTPConfiguration, group: any EventLoopGroup, tls: NIOSSLContext?
    ) throws(SMTPConnectionError) -> SMTPConnection {
        let inbox = SMTPInbox()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(Int64(configuration.connectTimeout.wholeMilliseconds)))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(SMTPLineHandler(inbox: inbox))
                }
            }
        let channel: any NIOCore.Channel
        do {
            channel = try bootstrap.connect(host: configuration.host, port: Int(configuration.port)).wait()
        } catch {
            throw SMTPConnectionError(
                transient: true,
                description: "cannot connect to \(configuration.host):\(configuration.port): \(PersonalData.masked("\(error)"))")
        }
        let connection = SMTPConnection(channel: channel, inbox: inbox, timeout: configuration.commandTimeout)
        do {
            try connection.start(configuration, tls: tls)
        } catch {
            connection.close()
            throw error
        }
        return connection
    }

    private func start(_ configuration: SMTPConfiguration, tls: NIOSSLContext?) throws(SMTPConnectionError) {
        let greeting = try reply(within: configuration.connectTimeout, "the greeting")
        guard greeting.code == 220 else {
            throw SMTPConnectionError(
                transient: greeting.isTransient || greeting.code == 554,
                description: "the server refused the connection: \(greeting)")
        }
        try hello(configuration)
        if configuration.startTLS != .off, extensions.startTLS, let tls {
            send("STARTTLS\r\n")
            let answer = try reply("STARTTLS")
            guard answer.code == 220 else {
                throw SMTPConnectionError(transient: answer.isTransient, description: "STARTTLS refused: \(answer)")
            }
            try startTLS(tls, serverName: configuration.tlsServerName ?? configuration.host)
            // RFC 3207 4.2: forget what was learnt before TLS and ask again. The handshake runs
            // under this EHLO: its failure (an unknown CA, a wrong name) closes the connection.
            do { try hello(configuration) } catch {
                throw SMTPConnectionError(
                    transient: false, description: "TLS handshake or EHLO after STARTTLS failed: \(error.description)")
            }
            encrypted = true
        } else if configuration.startTLS == .required {
            throw SMTPConnectionError(
                transient: false, description: "STARTTLS is required but the server does not offer it")
        }
        pipelining = configuration.pipelining && extensions.pipelining
        if let user = configuration.username, let password = configuration.password {
            guard encrypted || Self.isLoopback(configuration.host) else {
                throw SMTPConnectionError(
                    transient: false, description: "AUTH PLAIN is only sent inside TLS (or to a loopback relay)")
            }
            guard extensions.authPlain else {
                throw SMTPConnectionError(transient: false, description: "the server does not offer AUTH PLAIN")
            }
            let credentials = Data([0] + Array(user.utf8) + [0] + Array(password.utf8)).base64EncodedString()
            send("AUTH PLAIN \(credentials)\r\n")
            let answer = try reply("AUTH")
            guard answer.isPositive else {
                throw SMTPConnectionError(
                    transient: answer.isTransient, description: "AUTH PLAIN refused: \(answer.code)")
            }
        }
    }

    /// EHLO, or HELO when the server does not know EHLO (then no extensions).
    private func hello(_ configuration: SMTPConfiguration) throws(SMTPConnectionError) {
        send("EHLO \(configuration.heloName)\r\n")
        let answer = try reply("EHLO")
        if answer.isPositive {
            extensions = SMTPExtensions(ehlo: answer)
            return
        }
        guard answer.isPermanent else {
            throw SMTPConnectionError(transient: true, description: "EHLO refused: \(answer)")
        }
        send("HELO \(configuration.heloName)\r\n")
        let helo = try reply("HELO")
        guard helo.isPositive else {
            throw SMTPConnectionError(transient: helo.isTransient, description: "HELO refused: \(helo)")
        }
        extensions = SMTPExtensions()
    }

    /// Puts TLS under the SMTP handler, on the event loop. Refused when the server sent anything
    /// after its 220 (a reply queued before TLS would be read as if it came through TLS).
    private func startTLS(_ context: NIOSSLContext, serverName: String) throws(SMTPConnectionError) {
        guard !inbox.hasEvents else {
            throw SMTPConnectionError(transient: false, description: "the server sent data after its STARTTLS 220")
        }
        let channel = self.channel
        // NIOSSL checks the certificate's name against serverName, which must not be an address
        // literal; for one, the certificate is checked against the address connected to.
        let name: String? = Self.isAddressLiteral(serverName) ? nil : serverName
        do {
            try channel.eventLoop.submit {
                let lines = try channel.pipeline.syncOperations.handler(type: SMTPLineHandler.self)
                guard !lines.holdsBytes else { throw SMTPConnectionError(transient: false, description: "data after 220") }
                try channel.pipeline.syncOperations.addHandler(
                    try NIOSSLClientHandler(context: context, serverHostname: name), position: .first)
            }.wait()
        } catch {
            throw SMTPConnectionError(transient: false, description: "STARTTLS failed: \(PersonalData.masked("\(error)"))")
        }
    }

    // MARK: - Commands and replies

    /// Writes `text` (does not wait: a failed write closes the connection, which the next reply tells).
    func send(_ text: String) { send(Array(text.utf8)) }

    /// Writes `bytes`.
    func send(_ bytes: [UInt8]) {
        channel.writeAndFlush(ByteBuffer(bytes: bytes), promise: nil)
    }

    /// The next reply, waiting up to the command timeout.
    ///
    /// - Parameter what: What the reply answers, for the error.
    /// - Throws: ``SMTPConnectionError`` (transient) when the connection closed or no reply came.
    func reply(within limit: Duration? = nil, _ what: String) throws(SMTPConnectionError) -> SMTPReply {
        switch inbox.next(timeout: limit ?? timeout) {
        case .reply(let reply)?:
            if reply.code == 421 { close() }  // RFC 5321 3.8: the server is closing the channel
            return reply
        case .closed(let reason)?:
            throw SMTPConnectionError(transient: true, description: "\(reason) (waiting for \(what))")
        case nil:
            close()
            throw SMTPConnectionError(transient: true, description: "no reply to \(what) within \(limit ?? timeout)")
        }
    }

    /// Whether the connection can take another transaction: open, and nothing unasked waiting
    /// (an idle server's 421 or its close).
    var isUsable: Bool { !closed && channel.isActive && !inbox.hasEvents }

    /// QUIT (waiting up to 2 s for the 221), then close.
    func quit() {
        guard !closed else { return }
        if channel.isActive {
            send("QUIT\r\n")
            _ = try? reply(within: .seconds(2), "QUIT")
        }
        close()
    }

    /// Closes the channel (once) and waits for it to close.
    func close() {
        guard !closed else { return }
        closed = true
        try? channel.close().wait()  // fails only when it is already closed
    }

    // MARK: - Addresses

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host.hasPrefix("127.") || host == "::1" || host == "[::1]"
    }

    static func isAddressLiteral(_ host: String) -> Bool {
        host.contains(":") || (host.split(separator: ".").count == 4 && host.split(separator: ".").allSatisfy { UInt8($0) != nil })
    }
}
