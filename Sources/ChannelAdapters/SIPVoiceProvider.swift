import FanOut
import Foundation
import Logging
import Participants
import ProviderAdapters

/// A voice adapter over SIP (RFC 3261 over UDP): phones each person through a SIP trunk, plays
/// the message as speech and hears the key press that answers it.
///
/// ``submit(_:at:reporter:)`` only queues the message (bounded, ``SIPConfiguration/queueCapacity``).
/// Preparation threads look the person's phone number up (at call time, through the lookup given
/// at creation) and render the text with espeak-ng and sox (cached per action, language and text);
/// one event-loop thread places the calls, at most ``SIPConfiguration/lines`` at once: an INVITE
/// with an SDP offer of PCMU, PCMA and telephone-event, digest authentication on 401/407, RFC
/// 3261's retransmissions, CANCEL at the ring timeout. An answered call hears the message (20 ms
/// RTP packets) and then has ``SIPConfiguration/dtmfWait`` to press a key; the adapter hangs up.
///
/// | the call | result |
/// | --- | --- |
/// | answered (2xx), also when the person hangs up during the message | ``DeliveryResult/delivered`` |
/// | 486 Busy Here, 600 Busy Everywhere | ``DeliveryResult/busy`` |
/// | ring timeout (CANCEL, 487), 480, 408 | ``DeliveryResult/noAnswer`` |
/// | 503 with Retry-After, proxy unreachable (ICMP, no route), the adapter's queue full | ``DeliveryResult/throttled`` |
/// | any other final response, no final response (Timer B), no phone number, no usable SDP | ``DeliveryResult/failed`` |
///
/// Key presses (RFC 4733 telephone-events on the call's RTP port, during the message and the
/// wait after it) go to the ``AnswerSink`` given at creation: 1 is a sighting
/// (``AnswerKind/sighting``), 2 asks for no more calls in the action (``AnswerKind/stop``); each
/// press once, on channel ``Channel/voice``, for the message key's action and person.
///
/// The idempotency key (``OutboundMessage/idempotencyKey``) travels in the INVITE's
/// `X-Fanout-Key` header; a SIP trunk does not deduplicate on it. The adapter honours keys itself
/// while it runs, as ``KannelSMSProvider`` does.
///
/// Phone numbers are personal data: they are only in the Request-URI and To of the INVITE,
/// never in logs, errors or reports (reason phrases from the far end are logged with digit runs masked).
///
/// - Important: Call ``shutdown()`` when done: it hangs up (BYE, CANCEL) and stops the threads.
public final class SIPVoiceProvider: DeferredMessageProvider {
    /// Looks a person's phone number up (`nil`: none registered).
    ///
    /// Called on a preparation thread.
    public typealias PhoneLookup = @Sendable (_ person: Int64) throws -> String?

    /// Counts since creation.
    public struct Statistics: Sendable, Hashable {
        /// Messages taken over by ``submit(_:at:reporter:)``.
        public var submitted = 0
        /// Calls placed (first INVITEs sent).
        public var placed = 0
        /// Calls answered (2xx).
        public var answered = 0
        /// 401/407 challenges answered with credentials.
        public var challenges = 0
        /// Calls cancelled at the ring timeout.
        public var cancelled = 0
        /// Calls the far end hung up (BYE) before the adapter did.
        public var hungUpByPeer = 0
        /// Reported delivered.
        public var delivered = 0
        /// Reported busy.
        public var busy = 0
        /// Reported no answer.
        public var noAnswer = 0
        /// Reported failed.
        public var failed = 0
        /// Reported throttled.
        public var throttled = 0
        /// Key 1 presses (sightings) heard.
        public var sightings = 0
        /// Key 2 presses (stops) heard.
        public var stops = 0
        /// Other keys heard (ignored).
        public var otherKeys = 0
        /// Datagrams on the signalling port that were ignored (not SIP, incomplete, for no call).
        public var malformed = 0
        /// The most calls up at once.
        public var peakCalls = 0
        /// RTP audio packets sent.
        public var packetsSent = 0
        /// Of those, sent more than 40 ms after they were due (the event loop fell behind).
        public var latePackets = 0
        /// Submissions of a key already in flight or completed: not called again.
        public var repeats = 0
    }

    let core: SIPCore

    /// Creates the adapter: binds the signalling socket (connected to the proxy) and starts the threads.
    ///
    /// - Parameters:
    ///   - configuration: The trunk, the credentials, the lines, the timeouts and the voices.
    ///   - phoneNumber: Resolves a person to their phone number at call time (never logged).
    ///   - answers: Where key presses go (`nil`: they are counted, not passed on).
    ///   - logger: Where reasons for failures go (never phone numbers or texts).
    ///   - onOutcome: Called with every result as it is reported (for auditing and tests).
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` (espeak-ng or sox missing, the
    ///   cache directory not writable), `.unreachable` (the proxy's name does not resolve),
    ///   `.socket` (the local address cannot be bound).
    public init(
        configuration: SIPConfiguration, phoneNumber: @escaping PhoneLookup, answers: AnswerSink? = nil,
        logger: Logger = Logger(label: "fanout.sip"),
        onOutcome: (@Sendable (OutboundMessage, DeliveryResult) -> Void)? = nil
    ) throws {
        core = try SIPCore(
            configuration: configuration, lookup: phoneNumber, answers: answers, logger: logger, onOutcome: onOutcome)
    }

    /// Creates the adapter with phone numbers from the registry (``Registry/phoneNumber(person:)``).
    public convenience init(
        configuration: SIPConfiguration, registry: Registry, answers: AnswerSink? = nil,
        logger: Logger = Logger(label: "fanout.sip"),
        onOutcome: (@Sendable (OutboundMessage, DeliveryResult) -> Void)? = nil
    ) throws {
        try self.init(
            configuration: configuration, phoneNumber: { try registry.phoneNumber(person: $0) }, answers: answers,
            logger: logger, onOutcome: onOutcome)
    }

    deinit { core.shutdown() }

    /// Queues `message` for a line; never blocks.
    ///
    /// When the queue is full the message is reported throttled shortly after (from the event loop).
    public func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter) {
        core.submit(message, reporter: reporter)
    }

    /// Counts so far.
    public var statistics: Statistics { core.statistics }

    /// Messages queued, being prepared or in a call.
    public var pending: Int { core.pending }

    /// The local address of the signalling socket (`host:port`, as in the Via and Contact headers).
    public var signallingAddress: String { core.localAddress.description }

    /// The µ-law cache file `message` is (or will be) played from.
    public func audioFile(for message: OutboundMessage) -> String {
        URL(fileURLWithPath: core.configuration.audioCacheDirectory)
            .appendingPathComponent(core.audio.cacheName(message) + ".ulaw").path
    }

    /// Stops the adapter: no new calls; calls up are hung up (BYE, or CANCEL while ringing) and not
    /// reported; the threads end.
    ///
    /// Messages still queued are not called: the dispatcher's ledger keeps them as sent, and
    /// ``Dispatcher`` `resume` sends them again under the same key. Idempotent.
    public func shutdown() { core.shutdown() }
}
