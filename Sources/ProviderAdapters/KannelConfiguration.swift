/// How ``KannelSMSProvider`` reaches Kannel's smsbox and where Kannel sends delivery reports.
public struct KannelConfiguration: Sendable {
    /// Which delivery report counts as delivered.
    public enum DeliveredOn: Sendable, Hashable {
        /// DLR type 1, "delivered to the phone" (the default): the SMSC's final report.
        case handset
        /// DLR type 8, "delivered to the SMSC" (Kannel's own acknowledgement, or the SMSC's): for
        /// SMSCs that send no final reports. A later type 1 or 2 is then ignored.
        case smsc
    }

    /// smsbox's host (its `sendsms-interface`).
    public var host: String
    /// smsbox's `sendsms-port`.
    public var port: UInt16
    /// The path of the sendsms interface (default `/cgi-bin/sendsms`).
    public var path: String
    /// A `sendsms-user` username.
    public var username: String
    /// Its password.
    public var password: String
    /// The sender (`from`): a short code, a number or an alphanumeric name such as "Burgernet".
    public var sender: String
    /// The SMSC connection to use (`smsc`, Kannel's `smsc-id`); `nil` lets Kannel route.
    public var smscID: String?
    /// Which DLR type counts as delivered.
    public var deliveredOn: DeliveredOn
    /// The numeric IPv4 address the delivery-report listener binds to (default loopback).
    public var reportListenHost: String
    /// Its port (0: a free port chosen by the system).
    public var reportListenPort: UInt16
    /// The host Kannel reaches the listener at, written into `dlr-url` (default ``reportListenHost``).
    public var reportURLHost: String?
    /// A message without a final report after this long counts as failed.
    public var reportTimeout: Duration
    /// How long one sendsms request may take (connect, send, answer).
    public var requestTimeout: Duration
    /// Parallel sendsms requests (worker threads).
    public var workers: Int
    /// Messages the adapter holds before it rejects new ones as throttled.
    public var queueCapacity: Int
    /// How many completed keys the adapter remembers, to answer a repeat without sending it.
    public var rememberedResults: Int
    /// Also pass the idempotency key as SMPP meta-data (`?smpp?fanout_key=…`); Kannel forwards it
    /// only to SMPP SMSCs with a matching `smpp-tlv` group.
    public var keyInMetaData: Bool

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - sendsmsURL: smsbox's sendsms URL, `http://host:port/cgi-bin/sendsms`.
    ///   - username: A `sendsms-user` of smsbox.
    ///   - password: Its password.
    ///   - sender: The `from` of every message.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` for a URL that is not
    ///   `http://host[:port]/path` (no user or password in it, no query) or an empty user or sender.
    public init(
        sendsmsURL: String, username: String, password: String, sender: String, smscID: String? = nil,
        deliveredOn: DeliveredOn = .handset, reportListenHost: String = "127.0.0.1", reportListenPort: UInt16 = 0,
        reportURLHost: String? = nil, reportTimeout: Duration = .seconds(600), requestTimeout: Duration = .seconds(10),
        workers: Int = 16, queueCapacity: Int = 10_000, rememberedResults: Int = 100_000, keyInMetaData: Bool = true
    ) throws {
        guard !sendsmsURL.contains("@") else {
            // Not echoed: it would show the password.
            throw ProviderAdapterError(
                .invalidConfiguration, "the sendsms URL must not carry a user or password; give them apart")
        }
        guard sendsmsURL.hasPrefix("http://") else {
            throw ProviderAdapterError(
                .invalidConfiguration, "the sendsms URL must start with http:// (got '\(sendsmsURL.prefix(60))')")
        }
        let rest = sendsmsURL.dropFirst("http://".count)
        let slash = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<slash]
        path = slash == rest.endIndex ? "/cgi-bin/sendsms" : String(rest[slash...])
        if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            guard let p = UInt16(authority[authority.index(after: colon)...]), p > 0 else {
                throw ProviderAdapterError(
                    .invalidConfiguration, "the sendsms URL's port is not a number in 1...65535 ('\(authority)')")
            }
            port = p
        } else {
            host = String(authority)
            port = 80
        }
        guard !host.isEmpty else {
            throw ProviderAdapterError(
                .invalidConfiguration, "the sendsms URL has no host ('\(sendsmsURL.prefix(60))')")
        }
        guard !path.contains("?") else {
            throw ProviderAdapterError(
                .invalidConfiguration, "the sendsms URL must not carry a query; give the user apart")
        }
        guard !username.isEmpty else {
            throw ProviderAdapterError(.invalidConfiguration, "the sendsms username is empty")
        }
        guard !sender.isEmpty else { throw ProviderAdapterError(.invalidConfiguration, "the sender ('from') is empty") }
        guard reportTimeout > .zero, requestTimeout > .zero else {
            throw ProviderAdapterError(.invalidConfiguration, "the report and request timeouts must be positive")
        }
        guard (1...64).contains(workers) else {
            throw ProviderAdapterError(.invalidConfiguration, "workers must be in 1...64, got \(workers)")
        }
        guard queueCapacity > 0 else {
            throw ProviderAdapterError(
                .invalidConfiguration, "the queue capacity must be positive, got \(queueCapacity)")
        }
        self.username = username
        self.password = password
        self.sender = sender
        self.smscID = smscID
        self.deliveredOn = deliveredOn
        self.reportListenHost = reportListenHost
        self.reportListenPort = reportListenPort
        self.reportURLHost = reportURLHost
        self.reportTimeout = reportTimeout
        self.requestTimeout = requestTimeout
        self.workers = workers
        self.queueCapacity = queueCapacity
        self.rememberedResults = max(0, rememberedResults)
        self.keyInMetaData = keyInMetaData
    }
}
