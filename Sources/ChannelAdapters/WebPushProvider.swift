import FanOut
import Foundation
import Logging
import Participants
import ProviderAdapters

/// App pushes over Web Push (RFC 8030): each message is encrypted to the person's subscription
/// (RFC 8291, `aes128gcm`), signed for the push service with VAPID (RFC 8292) and posted to the
/// subscription's endpoint over HTTPS (AsyncHTTPClient).
///
/// ``submit(_:at:reporter:)`` only queues the message (bounded, ``WebPushConfiguration/queueCapacity``);
/// worker threads look the person's subscription up at send time, build the JSON payload (the
/// text, the photo link, the urgency and the action's area simplified to a few vertices, see
/// ``WebPushActionInfo``), encrypt it and post it, with the headers `TTL`, `Urgency`,
/// `Content-Encoding: aes128gcm`, `Authorization: vapid t=…, k=…` and `Topic`. The push
/// service's answer is the outcome:
///
/// | push service answers | result |
/// | --- | --- |
/// | 201 Created, 202 Accepted (any 2xx) | ``DeliveryResult/delivered`` |
/// | 404, 410 (the subscription expired or was withdrawn) | ``DeliveryResult/failed``; the subscription is removed |
/// | 429, 5xx, no connection | ``DeliveryResult/throttled``: the dispatcher slows the channel; nothing more goes to that push service until its `Retry-After` has passed |
/// | 413, any other 4xx, a 3xx (redirects are not followed) | ``DeliveryResult/failed`` |
/// | request sent, no answer; TLS refused | ``DeliveryResult/failed`` |
/// | no subscription for the person | ``DeliveryResult/failed`` |
///
/// Web Push has no idempotency key; the adapter honours ``OutboundMessage/idempotencyKey`` itself
/// while it runs (a key in flight or completed is not sent again; its outcome goes to the latest
/// submitter) and puts it in the payload's `key`, so that an app drops a push it has shown.
///
/// Subscriptions are personal data: endpoints and keys are never logged (error texts have the
/// endpoint replaced, answers from push services have digit runs masked); the log names the push
/// service by its origin.
///
/// - Important: Call ``shutdown()`` when done: it stops the workers and closes the HTTP client.
public final class WebPushProvider: DeferredMessageProvider {
    /// Looks a person's subscription up (`nil`: none). Called on a worker thread.
    public typealias SubscriptionLookup = @Sendable (_ person: Int64) throws -> PushSubscription?
    /// Removes a person's subscription if it is still the one with that endpoint (after 404/410).
    public typealias SubscriptionRemoval = @Sendable (_ person: Int64, _ endpoint: String) throws -> Void
    /// What the adapter needs to know of an action (`nil`: unknown, the defaults apply). Called
    /// on a worker thread for every message: cache in it if finding the area is costly.
    public typealias ActionLookup = @Sendable (ActionID) -> WebPushActionInfo?

    /// Counts since creation.
    public struct Statistics: Sendable, Hashable {
        /// Messages taken over by ``submit(_:at:reporter:)``.
        public var submitted = 0
        /// Taken by a push service (2xx).
        public var accepted = 0
        /// Reported delivered.
        public var delivered = 0
        /// Reported failed.
        public var failed = 0
        /// Reported throttled (429, 5xx, no connection, Retry-After, the adapter's queue full).
        public var throttled = 0
        /// Failed because the person has no subscription.
        public var noSubscription = 0
        /// Subscriptions removed after a 404 or 410.
        public var subscriptionsRemoved = 0
        /// Throttled without a request while a push service's `Retry-After` ran.
        public var heldByRetryAfter = 0
        /// Payloads whose text was shortened to fit in 4 KB.
        public var textsShortened = 0
        /// Submissions of a key already in flight or completed: not sent again.
        public var repeats = 0
    }

    private let core: WebPushCore

    /// Creates the adapter: starts the worker threads and the HTTP client.
    ///
    /// - Parameters:
    ///   - configuration: VAPID key and subject, TTL, urgencies, workers, timeouts.
    ///   - subscriptions: Resolves a person to their subscription at send time (never logged).
    ///   - removeSubscription: Called after a 404/410 with the person and the endpoint that failed.
    ///   - actionInfo: The action's urgency and area for the payload and the `Urgency` header
    ///     (`nil`: every action at ``WebPushConfiguration/defaultUrgency``, no area).
    ///   - logger: Where reasons for failures and throttling go (never subscriptions or texts).
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` when the trusted CA file is not PEM.
    public init(
        configuration: WebPushConfiguration, subscriptions: @escaping SubscriptionLookup,
        removeSubscription: @escaping SubscriptionRemoval, actionInfo: ActionLookup? = nil,
        logger: Logger = Logger(label: "fanout.webpush")
    ) throws {
        core = try WebPushCore(
            configuration: configuration, subscriptions: subscriptions, removeSubscription: removeSubscription,
            actionInfo: actionInfo, logger: logger)
    }

    /// Creates the adapter with subscriptions from the registry (``Registry/pushSubscription(person:)``,
    /// ``Registry/removePushSubscription(person:endpoint:)``).
    public convenience init(
        configuration: WebPushConfiguration, registry: Registry, actionInfo: ActionLookup? = nil,
        logger: Logger = Logger(label: "fanout.webpush")
    ) throws {
        try self.init(
            configuration: configuration, subscriptions: { try registry.pushSubscription(person: $0) },
            removeSubscription: { try registry.removePushSubscription(person: $0, endpoint: $1) },
            actionInfo: actionInfo, logger: logger)
    }

    deinit { core.shutdown() }

    /// Queues `message` for a worker; never blocks.
    ///
    /// When the queue is full the message is reported throttled shortly after (from a worker).
    public func submit(_ message: OutboundMessage, at time: Duration, reporter: DeliveryReporter) {
        core.submit(message, reporter: reporter)
    }

    /// Counts so far.
    public var statistics: Statistics { core.statistics }

    /// Messages queued or being sent.
    public var pending: Int { core.pending }

    /// The VAPID public key an app subscribes with (`applicationServerKey`), base64url.
    public var applicationServerKey: String { core.vapid.publicKey }

    /// Stops the adapter: no new messages, requests in progress finish, threads end, the HTTP
    /// client closes.
    ///
    /// Messages still queued are not sent: the dispatcher's ledger keeps them as sent, and
    /// ``Dispatcher`` `resume` sends them again under the same key. Idempotent.
    public func shutdown() { core.shutdown() }
}
