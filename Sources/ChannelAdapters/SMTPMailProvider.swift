import FanOut
import Foundation
import Logging
import Participants
import ProviderAdapters

/// An e-mail adapter to an SMTP relay (RFC 5321): mails each alert, with the person's signed
/// reply links, over persistent connections with ESMTP PIPELINING (RFC 2920) and STARTTLS
/// (RFC 3207), and maps the relay's answers to ``DeliveryResult``s.
///
/// ``submit(_:at:reporter:)`` only queues the message (bounded, ``SMTPConfiguration/queueCapacity``).
/// Each of ``SMTPConfiguration/connections`` worker threads keeps one connection open: greeting,
/// EHLO, STARTTLS and EHLO again (per ``SMTPConfiguration/startTLS``), AUTH PLAIN when a user is
/// configured. Per mail it looks the person's address up (at send time, through the lookup given at
/// creation), writes MAIL FROM, RCPT TO and DATA in one go when the server offers PIPELINING (one
/// by one otherwise), then the dot-stuffed mail (see ``MailReplyToken`` for its links) together with
/// the next mail's commands: a worker sends up to 16 queued mails back to back.
///
/// | the relay answers | result |
/// | --- | --- |
/// | 2xx after the end of data | ``DeliveryResult/delivered`` |
/// | 5xx to MAIL, RCPT, DATA or the end of data (a permanent bounce) | ``DeliveryResult/failed`` |
/// | 4xx to RCPT, DATA or the end of data (450 mailbox busy, greylisting) | ``DeliveryResult/failed``: the dispatcher retries it as a new attempt |
/// | 421 (closing), 451 or 452 (too many, local error) anywhere, any 4xx to MAIL | ``DeliveryResult/throttled`` |
/// | no connection, a 4xx or 554 greeting, the connection lost before the end of data | ``DeliveryResult/throttled``: nothing was handed over |
/// | the connection lost after the end of data, before the answer | ``DeliveryResult/failed`` (the relay may have taken it: not sent again) |
/// | TLS required but not offered, a failed TLS handshake, AUTH refused | ``DeliveryResult/failed`` (logged as an error) |
///
/// After a refusal within a transaction the adapter sends RSET; a connection the server closed
/// while idle is opened again and the mail sent on the new one. A reply line that is not SMTP
/// closes the connection (never a crash). ``shutdown()`` sends QUIT on every connection.
///
/// The idempotency key travels in the `X-Fanout-Key` header and the Message-ID. SMTP relays do
/// not deduplicate; the adapter honours keys itself while it runs, as ``KannelSMSProvider`` does.
///
/// Addresses are personal data: they are only in RCPT TO and the `To:` header, never in logs,
/// errors or reports (server answers are logged with addresses and digit runs masked).
///
/// - Important: Call ``shutdown()`` when done: it QUITs the connections and stops the threads.
public final class SMTPMailProvider: DeferredMessageProvider {
    /// Looks a person's e-mail address up (`nil`: none registered).
    ///
    /// Called on a worker thread.
    public typealias AddressLookup = @Sendable (_ person: Int64) throws -> String?

    /// Counts since creation.
    public struct Statistics: Sendable, Hashable {
        /// Messages taken over by ``submit(_:at:reporter:)``.
        public var submitted = 0
        /// Reported delivered (the relay answered 2xx to the end of data).
        public var delivered = 0
        /// Reported failed (refused, no address, the connection lost after the end of data).
        public var failed = 0
        /// Reported throttled (the relay overloaded or unreachable, the adapter's queue full).
        public var throttled = 0
        /// Submissions of a key already in flight or completed: not sent again.
        public var repeats = 0
        /// Connections opened.
        public var connections = 0
        /// Of those, inside TLS (STARTTLS).
        public var encryptedConnections = 0
        /// Of those, with PIPELINING used.
        public var pipelinedConnections = 0
        /// Connections that could not be opened (refused, timed out, TLS or AUTH failed).
        public var connectionFailures = 0
        /// Mails sent again on a new connection because the server had closed an idle one.
        public var reconnects = 0
    }

    private let core: SMTPCore

    /// Creates the adapter and starts one worker thread per connection (connections are opened
    /// when the first mails come).
    ///
    /// - Parameters:
    ///   - configuration: The relay, TLS, the sender and the reply links.
    ///   - emailAddress: Resolves a person to their e-mail address at send time (never logged).
    ///   - logger: Where reasons for failures and throttling go (never addresses or texts).
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` when the trusted CA file holds no
    ///   certificate or TLS cannot be set up.
    public init(
        configuration: SMTPConfiguration, emailAddress: @escaping AddressLookup,
        logger: Logger = Logger(label: "fanout.smtp")
    ) throws {
        core = try SMTPCore(configuration: configuration, lookup: emailAddress, logger: logger)
    }

    /// Creates the adapter with addresses from the registry (``Registry/emailAddress(person:)``).
    public convenience init(
        configuration: SMTPConfiguration, registry: Registry, logger: Logger = Logger(label: "fanout.smtp")
    ) throws {
        try self.init(
            configuration: configuration, emailAddress: { try registry.emailAddress(person: $0) }, logger: logger)
    }

    deinit { core.shutdown() }

    /// Queues `message` for a worker; never blocks.
    ///
    /// When the queue is full the message is reported throttled shortly after (by a worker).
    public func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter) {
        core.submit(message, reporter: reporter)
    }

    /// Counts so far.
    public var statistics: Statistics { core.statistics }

    /// Messages queued or being sent.
    public var pending: Int { core.pending }

    /// The signer of this adapter's reply links (the service verifies them with the same secret).
    public var replyTokens: MailReplyToken { core.composer.tokens }

    /// Stops the adapter: no new messages, mails in progress finish, QUIT on every connection,
    /// threads end.
    ///
    /// Waits for the workers. Mails still queued are not sent: the dispatcher's ledger keeps them
    /// as sent, and ``Dispatcher`` `resume` sends them again under the same key. Idempotent.
    public func shutdown() { core.shutdown() }
}
