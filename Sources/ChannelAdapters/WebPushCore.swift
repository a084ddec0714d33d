import AsyncHTTPClient
import Dispatch
import FanOut
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Participants
import ProviderAdapters
import Synchronization

/// The state and threads behind ``WebPushProvider``: a bounded queue drained by worker threads,
/// each encrypting, signing and posting one push at a time through one shared HTTP client.
final class WebPushCore: Sendable {
    struct Job: Sendable {
        var message: OutboundMessage
        var reporter: DeliveryReporter
    }

    struct State: Sendable {
        /// The queue, the owners of the keys in flight and the results remembered (``AdapterJobs``).
        var jobs = AdapterJobs<Job>()
        /// Rejected because the queue was full, reported throttled by a worker.
        var rejected: [Job] = []
        /// Repeats of completed keys, reported with the first result by a worker.
        var replays: [(Job, DeliveryResult)] = []
        var sending = 0
        var stopping = false
        /// Push service origins that answered with `Retry-After`: nothing is sent to them before then.
        var blockedUntil: [String: ContinuousClock.Instant] = [:]
        var statistics = WebPushProvider.Statistics()
        var rejecting = false
        var log = WebPushLogCounts()

        var queued: Int { jobs.queued }
        mutating func pop() -> Job? { jobs.pop() }
    }

    let configuration: WebPushConfiguration
    let subscriptions: WebPushProvider.SubscriptionLookup
    let removeSubscription: WebPushProvider.SubscriptionRemoval
    let actionInfo: WebPushProvider.ActionLookup?
    let logger: Logger
    let vapid: WebPushVAPID
    let client: HTTPClient
    let state = Mutex(State())
    let started = ContinuousClock.now
    private let work = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(
        configuration: WebPushConfiguration, subscriptions: @escaping WebPushProvider.SubscriptionLookup,
        removeSubscription: @escaping WebPushProvider.SubscriptionRemoval,
        actionInfo: WebPushProvider.ActionLookup?, logger: Logger
    ) throws {
        self.configuration = configuration
        self.subscriptions = subscriptions
        self.removeSubscription = removeSubscription
        self.actionInfo = actionInfo
        self.logger = logger
        vapid = WebPushVAPID(
            subject: configuration.subject, key: try configuration.signingKey(), lifetime: configuration.tokenLifetime)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.trustedCAFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw ProviderAdapterError(
                    .invalidConfiguration, "the trusted CA file '\(file)' is not PEM certificates: \(error)")
            }
        }
        let timeout = TimeAmount.milliseconds(Int64(configuration.requestTimeout.wholeMilliseconds))
        let connect = TimeAmount.milliseconds(Int64(configuration.connectTimeout.wholeMilliseconds))
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: connect, read: timeout),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.workers))
        http.httpVersion = .automatic
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        for i in 0..<configuration.workers {
            let worker = Thread { [self] in
                workLoop()
                exited.signal()
            }
            worker.name = "fanout.webpush.worker.\(i)"
            worker.start()
        }
    }

    // MARK: - Submitting

    func submit(_ message: OutboundMessage, reporter: DeliveryReporter) {
        let key = message.idempotencyKey
        let accepted = state.withLock { s -> Bool in
            if s.stopping { return false }
            s.statistics.submitted += 1
            let job = Job(message: message, reporter: reporter)
            switch s.jobs.admit(key, reporter: reporter, capacity: configuration.queueCapacity) {
            case .inFlight:
                s.statistics.repeats += 1
                return true
            case .completed(let result):
                s.replays.append((job, result))
                s.statistics.repeats += 1
            case .full: s.rejected.append(job)
            case .new: s.jobs.append(job)
            }
            work.signal()
            return true
        }
        if !accepted {
            logger.error("webpush: message submitted after shutdown, not sent", metadata: ["key": "\(key)"])
        }
    }

    var statistics: WebPushProvider.Statistics { state.withLock { $0.statistics } }

    var pending: Int {
        state.withLock { $0.queued + $0.sending + $0.rejected.count + $0.replays.count }
    }

    // MARK: - Workers

    private enum Next {
        case stop, send(Job), reject(Job), replay(Job, DeliveryResult)
    }

    private func workLoop() {
        while true {
            work.wait()
            let next = state.withLock { s -> Next? in
                if s.stopping { return .stop }
                if let job = s.rejected.popLast() { return .reject(job) }
                if let (job, result) = s.replays.popLast() { return .replay(job, result) }
                guard let job = s.pop() else { return nil }
                s.sending += 1
                return .send(job)
            }
            switch next {
            case nil: continue
            case .stop: return
            case .reject(let job): finish(job, .throttled, reason: "the adapter's queue is full", tracked: false)
            case .replay(let job, let result): finish(job, result, replay: true)
            case .send(let job):
                send(job)
                state.withLock { $0.sending -= 1 }
            }
        }
    }

    private func send(_ job: Job) {
        let message = job.message
        let person = message.key.person
        let subscription: PushSubscription?
        do { subscription = try subscriptions(person) } catch {
            // A registry error names the file and the SQL step, never a subscription.
            finish(job, .failed, reason: "looking up the push subscription failed: \(error)")
            return
        }
        guard let subscription else {
            state.withLock { $0.statistics.noSubscription += 1 }
            finish(job, .failed, reason: "no push subscription registered for the person")
            return
        }
        guard let origin = WebPushVAPID.origin(of: subscription.endpoint) else {
            finish(job, .failed, reason: "the subscription's endpoint is not a URL")
            return
        }
        let now = ContinuousClock.now
        if let until = state.withLock({ $0.blockedUntil[origin] }), until > now {
            state.withLock { $0.statistics.heldByRetryAfter += 1 }
            let left = (until - now).components.seconds + 1
            finish(job, .throttled, reason: "\(origin) asked to wait (Retry-After) or is unreachable, \(left) s left")
            return
        }
        let info = actionInfo?(message.key.action)
        let urgency = info?.urgency ?? configuration.defaultUrgency
        let pushUrgency =
            message.key.kind == .end
            ? configuration.endUrgency ?? configuration.urgency[urgency] ?? .normal
            : configuration.urgency[urgency] ?? .normal
        guard
            let payload = WebPushPayload.make(
                message, urgency: urgency, area: info?.area ?? [], maxAreaVertices: configuration.maxAreaVertices,
                replies: message.key.kind == .alert
                    ? configuration.replies?.links(action: message.key.action, person: message.key.person) : nil)
        else {
            finish(job, .failed, reason: "the payload cannot be made to fit in 4 KB (a photo link that long?)")
            return
        }
        if payload.textShortened { state.withLock { $0.statistics.textsShortened += 1 } }
        let body: [UInt8]
        let authorization: String
        do {
            body = try WebPushEncryption.encrypt(
                payload.bytes, p256dh: subscription.p256dhBytes, auth: subscription.authBytes)
            authorization = try vapid.authorization(origin: origin)
        } catch {
            finish(job, .failed, reason: "\(error)")
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "TTL", value: String(configuration.ttlSeconds))
        headers.add(name: "Urgency", value: pushUrgency.rawValue)
        headers.add(name: "Content-Encoding", value: "aes128gcm")
        headers.add(name: "Content-Type", value: "application/octet-stream")
        headers.add(name: "Authorization", value: authorization)
        if configuration.topic { headers.add(name: "Topic", value: "fanout-a\(message.key.action.rawValue)") }
        let delegate = WebPushResponseDelegate()
        let answer: WebPushAnswer
        do {
            let request = try HTTPClient.Request(
                url: subscription.endpoint, method: .POST, headers: headers, body: .bytes(body))
            let deadline = NIODeadline.now() + .milliseconds(Int64(configuration.requestTimeout.wholeMilliseconds))
            answer = try client.execute(request: request, delegate: delegate, deadline: deadline).futureResult.wait()
        } catch {
            let text = hidden(String(describing: error), subscription.endpoint)
            if error is NIOSSLError || error is NIOSSLExtraError {
                finish(job, .failed, reason: "TLS with \(origin) failed: \(text)")
            } else if !delegate.requestSent {
                // Held for a second: the pushes queued for it are reported at once rather than
                // each waiting for the connect timeout.
                let until = ContinuousClock.now + .seconds(1)
                state.withLock { s in s.blockedUntil[origin] = max(s.blockedUntil[origin] ?? until, until) }
                finish(job, .throttled, reason: "no connection to \(origin): \(text)")
            } else {
                finish(job, .failed, reason: "\(origin) did not answer: \(text)")
            }
            return
        }
        let said = "\(origin) answered \(answer.status) '\(PersonalData.masked(hidden(answer.body, subscription.endpoint), limit: 120))'"
        switch WebPushOutcome.of(status: answer.status, retryAfter: answer.retryAfter) {
        case .delivered:
            state.withLock {
                $0.statistics.accepted += 1
                $0.rejecting = false
            }
            finish(job, .delivered)
        case .gone:
            let removed: String
            do {
                try removeSubscription(person, subscription.endpoint)
                state.withLock { $0.statistics.subscriptionsRemoved += 1 }
                removed = "subscription removed"
            } catch {
                removed = "removing the subscription failed: \(error)"
            }
            finish(job, .failed, reason: "\(said): \(removed)")
        case .throttled(let retryAfter):
            if let retryAfter, retryAfter > 0 {
                let wait = min(Duration.milliseconds(Int64(retryAfter * 1000)), configuration.maxRetryAfter)
                let until = ContinuousClock.now + wait
                state.withLock { s in s.blockedUntil[origin] = max(s.blockedUntil[origin] ?? until, until) }
            }
            finish(job, .throttled, reason: said)
        case .failed:
            finish(job, .failed, reason: said)
        }
    }

    /// `text` with the endpoint (the subscriber's capability URL) and its path replaced.
    private func hidden(_ text: String, _ endpoint: String) -> String {
        var out = text.replacingOccurrences(of: endpoint, with: "<endpoint>")
        if let path = URLComponents(string: endpoint)?.path, path.count > 1 {
            out = out.replacingOccurrences(of: path, with: "<endpoint path>")
        }
        return out
    }

    /// Counts and reports a result to the dispatcher (never with the adapter's lock held).
    ///
    /// - Parameters:
    ///   - replay: A repeat of a completed key answered with its first result: not counted again.
    ///   - tracked: Whether the job owns its key (queued and sent); a job rejected because the
    ///     queue was full does not.
    func finish(
        _ job: Job, _ result: DeliveryResult, reason: String? = nil, replay: Bool = false, tracked: Bool = true
    ) {
        let key = job.message.idempotencyKey
        let now = elapsed
        let (reporter, line) = state.withLock { s -> (DeliveryReporter, RepeatedEvent.Line?) in
            if replay { return (job.reporter, nil) }
            var line: RepeatedEvent.Line?
            if result == .throttled {
                if s.rejecting { s.log.rejections.add(weight: 1, at: now) } else { line = s.log.rejections.occurred(at: now) }
                s.rejecting = true
            } else if reason != nil {
                line = s.log.failures.occurred(at: now)
            }
            switch result {
            case .delivered: s.statistics.delivered += 1
            case .throttled: s.statistics.throttled += 1
            default: s.statistics.failed += 1
            }
            if !tracked { return (job.reporter, line) }
            // Throttled means not handed over: a repeat is sent. Any other result is final.
            return (s.jobs.finish(key, result, remember: configuration.rememberedResults) ?? job.reporter, line)
        }
        if let reason, !replay {
            let metadata: Logger.Metadata = ["key": "\(key)", "result": "\(result.rawValue)", "reason": "\(reason)"]
            if result == .throttled {
                log(
                    line, level: .warning, first: "webpush: push not taken (further ones are counted)",
                    what: "pushes not taken", metadata: metadata, at: now)
            } else {
                log(line, level: .error, first: "webpush: push failed", what: "pushes failed", metadata: metadata, at: now)
            }
        }
        do {
            try reporter.report(job.message, result: result)
        } catch {
            let line = state.withLock { $0.log.unrecorded.occurred(at: now) }
            log(
                line, level: .error, first: "webpush: the dispatcher could not record a report",
                what: "reports the dispatcher could not record", metadata: ["key": "\(key)", "error": "\(error)"],
                at: now)
        }
    }

    // MARK: - Shutdown

    func shutdown() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        for _ in 0..<configuration.workers { work.signal() }
        for _ in 0..<configuration.workers { exited.wait() }
        do { try client.syncShutdown() } catch {
            logger.error("webpush: closing the HTTP client failed", metadata: ["error": "\(error)"])
        }
        let now = elapsed
        state.withLock { s in
            logRemainders(&s.log, at: now)
            let dropped = s.queued + s.rejected.count + s.replays.count
            if dropped > 0 {
                logger.info(
                    "webpush: stopped with messages not sent (the ledger keeps them as sent)",
                    metadata: ["queued": "\(dropped)"])
            }
        }
    }
}
