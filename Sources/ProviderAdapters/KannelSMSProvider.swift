import Dispatch
import FanOut
import Foundation
import Logging
import Participants
import Synchronization

/// An SMS adapter to Kannel: hands each message to smsbox's HTTP sendsms interface and maps
/// Kannel's answers and delivery reports to ``DeliveryResult``s.
///
/// ``submit(_:at:reporter:)`` only queues the message (bounded, ``KannelConfiguration/queueCapacity``);
/// worker threads look the person's phone number up (at send time, through the lookup given at
/// creation), send `GET /cgi-bin/sendsms?…` and read the answer:
///
/// | smsbox answers | result |
/// | --- | --- |
/// | 202 "0: Accepted for delivery", "3: Queued for later delivery" | wait for the delivery report |
/// | 503 ("Temporal failure, try again later": bearerbox's queue limit), "Queue full", 429 | ``DeliveryResult/throttled`` |
/// | anything else (403 wrong user, 400 bad number, a black list...) | ``DeliveryResult/failed`` |
/// | no connection (Kannel down) | ``DeliveryResult/throttled``: nothing was handed over |
/// | request sent, no answer | ``DeliveryResult/failed`` (Kannel may have taken it: not sent again) |
///
/// Kannel calls the adapter's own HTTP listener back on `dlr-url`
/// (`/dlr?key=<idempotency key>&type=%d&answer=%A`): type 1 is delivered (or 8 with
/// ``KannelConfiguration/DeliveredOn/smsc``), 2 and 16 are failed, 4 and 8 (by default) are
/// intermediate. A message without a final report within ``KannelConfiguration/reportTimeout``
/// is failed.
///
/// The idempotency key (``OutboundMessage/idempotencyKey``) travels in `dlr-url` and, for SMPP
/// SMSCs with a matching `smpp-tlv`, in `meta-data`. Kannel itself does **not** deduplicate: a
/// key sent to it twice is two SMS. The adapter honours keys itself while it runs: a key
/// submitted again while in flight (a dispatcher resumed in the same process) is not sent again
/// and its outcome goes to the latest submitter; a key already completed is answered with its
/// result (the last ``KannelConfiguration/rememberedResults`` keys). A new process knows no keys.
///
/// Phone numbers are personal data: they are only in the request to Kannel, never in logs,
/// errors or reports (answers from Kannel are logged with digit runs masked).
///
/// - Important: Call ``shutdown()`` when done: it stops the workers and the listener.
public final class KannelSMSProvider: DeferredMessageProvider {
    /// Looks a person's phone number up (`nil`: none registered).
    ///
    /// Called on a worker thread.
    public typealias PhoneLookup = @Sendable (_ person: Int64) throws -> String?

    /// One delivery report as Kannel sent it (for auditing and tests).
    public struct DeliveryReport: Sendable, Hashable {
        /// The idempotency key from `dlr-url`.
        public var key: String
        /// The DLR type (`%d`).
        public var type: Int
        /// The SMSC's answer text (`%A`: "ACK/" or an error), digit runs masked.
        public var answer: String
    }

    /// An SMS a participant sent to the service's number (MO), as smsbox's `get-url` passed it:
    /// `GET /mo?from=%p&text=%a` on the report listener.
    ///
    /// - Important: Both fields are personal data: never log them.
    public struct Reply: Sendable, Hashable {
        /// The sender's number as the SMSC gives it.
        public var from: String
        /// The text.
        public var text: String
    }

    /// Counts since creation.
    public struct Statistics: Sendable, Hashable {
        /// Messages taken over by ``submit(_:at:reporter:)``.
        public var submitted = 0
        /// Accepted by smsbox (202).
        public var accepted = 0
        /// Reported throttled (smsbox's 503/429, Kannel unreachable, the adapter's queue full).
        public var throttled = 0
        /// Reported failed (refused, no phone number, failed DLR, no answer).
        public var failed = 0
        /// Reported delivered.
        public var delivered = 0
        /// Failed because no final report came in time.
        public var timedOut = 0
        /// Delivery reports received, of any type.
        public var reports = 0
        /// Final reports for messages not awaited (late, repeated, unknown key).
        public var unmatchedReports = 0
        /// Submissions of a key already in flight or completed: not sent again (the first
        /// outcome is reported to the latest submitter).
        public var repeats = 0
        /// SMS replies (MO) received on the listener.
        public var replies = 0
    }

    private let core: KannelCore

    /// The port the delivery-report listener is bound to.
    public var reportPort: UInt16 { core.reportPort }

    /// Creates the adapter: starts the delivery-report listener and the worker threads.
    ///
    /// - Parameters:
    ///   - configuration: smsbox's address and user, the listener, timeouts and limits.
    ///   - phoneNumber: Resolves a person to their phone number at send time (never logged).
    ///   - logger: Where reasons for failures and throttling go (never phone numbers or texts).
    ///   - onReport: Called on the listener thread with every delivery report received.
    ///   - onReply: Called on the listener thread with every SMS reply (MO) smsbox passes on
    ///     (`nil`: `/mo` is not served). Must return quickly.
    /// - Throws: ``ProviderAdapterError`` `.socket`/`.invalidConfiguration` when the listener cannot
    ///   bind.
    public init(
        configuration: KannelConfiguration, phoneNumber: @escaping PhoneLookup,
        logger: Logger = Logger(label: "fanout.kannel"), onReport: (@Sendable (DeliveryReport) -> Void)? = nil,
        onReply: (@Sendable (Reply) -> Void)? = nil
    ) throws {
        core = try KannelCore(
            configuration: configuration, lookup: phoneNumber, logger: logger, onReport: onReport, onReply: onReply)
    }

    /// Creates the adapter with phone numbers from the registry (``Registry/phoneNumber(person:)``).
    public convenience init(
        configuration: KannelConfiguration, registry: Registry, logger: Logger = Logger(label: "fanout.kannel"),
        onReport: (@Sendable (DeliveryReport) -> Void)? = nil, onReply: (@Sendable (Reply) -> Void)? = nil
    ) throws {
        try self.init(
            configuration: configuration, phoneNumber: { try registry.phoneNumber(person: $0) }, logger: logger,
            onReport: onReport, onReply: onReply)
    }

    deinit { core.shutdown() }

    /// Queues `message` for a worker; never blocks.
    ///
    /// When the queue is full the message is reported
    /// throttled shortly after (from the listener thread).
    public func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter) {
        core.submit(message, reporter: reporter)
    }

    /// Counts so far.
    public var statistics: Statistics { core.statistics }

    /// Messages queued, being sent or awaiting their report.
    public var pending: Int { core.pending }

    /// Stops the adapter: no new messages, requests in progress finish, threads end.
    ///
    /// Waits for the workers and the listener. Messages still queued are not sent and awaited reports are no
    /// longer reported: the dispatcher's ledger keeps them as sent, and ``Dispatcher`` `resume`
    /// sends them again under the same key. Idempotent.
    public func shutdown() { core.shutdown() }
}
