import Dispatch
import FanOut
import Foundation
import Logging
import Synchronization

/// The state and threads behind ``KannelSMSProvider``: a bounded queue drained by worker threads,
/// the messages awaiting a delivery report, and the listener thread (reports and timeouts).
final class KannelCore: Sendable {
    struct Job: Sendable {
        var message: OutboundMessage
        var reporter: DeliveryReporter
    }

    struct Awaited: Sendable {
        var job: Job
        var deadline: ContinuousClock.Instant
    }

    struct State: Sendable {
        /// The queue, the owners of the keys in flight and the results remembered (``AdapterJobs``).
        var jobs = AdapterJobs<Job>()
        var awaiting: [String: Awaited] = [:]
        /// Reported throttled by the listener thread (the queue was full).
        var rejected: [Job] = []
        /// Repeats of completed keys, reported with the first result by the listener thread.
        var replays: [(Job, DeliveryResult)] = []
        var sending = 0
        var stopping = false
        var stopped = false
        var statistics = KannelSMSProvider.Statistics()
        /// Whether smsbox is rejecting (or unreachable) since the last accepted message: such an
        /// episode is one occurrence in ``KannelLogCounts/rejections``, its rejections its weight.
        var rejecting = false
        /// The log's counts of repeated events.
        var log = KannelLogCounts()

        var queued: Int { jobs.queued }
        mutating func pop() -> Job? { jobs.pop() }
    }

    let configuration: KannelConfiguration
    let reportPort: UInt16
    private let lookup: KannelSMSProvider.PhoneLookup
    let logger: Logger
    let onReport: (@Sendable (KannelSMSProvider.DeliveryReport) -> Void)?
    /// Called with every SMS reply (MO) smsbox's `get-url` hands the listener.
    let onReply: (@Sendable (KannelSMSProvider.Reply) -> Void)?
    let state = Mutex(State())
    /// When the adapter started (the time line of its log summaries).
    let started = ContinuousClock.now
    private let work = DispatchSemaphore(value: 0)
    let exited = DispatchSemaphore(value: 0)

    init(
        configuration: KannelConfiguration, lookup: @escaping KannelSMSProvider.PhoneLookup, logger: Logger,
        onReport: (@Sendable (KannelSMSProvider.DeliveryReport) -> Void)?,
        onReply: (@Sendable (KannelSMSProvider.Reply) -> Void)? = nil
    ) throws {
        self.configuration = configuration
        self.lookup = lookup
        self.logger = logger
        self.onReport = onReport
        self.onReply = onReply
        // The listening socket is made on the listener's own thread (it never leaves it); the port
        // comes back through the handshake, and the thread waits for the finished core.
        let handshake = ListenerHandshake()
        let start = ListenerStart(host: configuration.reportListenHost, port: configuration.reportListenPort)
        let thread = Thread {
            var core: KannelCore?
            do {
                let socket: Socket
                do {
                    socket = try Socket.listening(host: start.host, port: start.port)
                    handshake.bound(.success(try socket.localPort()))
                } catch {
                    handshake.bound(
                        .failure(error as? ProviderAdapterError ?? ProviderAdapterError(.socket, "\(error)")))
                    return
                }
                core = handshake.waitForCore()
                core?.listen(on: socket)
            }
            // Signalled only once the socket is released (closed), so that `shutdown` returns with
            // the port free.
            core?.exited.signal()
        }
        thread.name = "fanout.kannel.reports"
        thread.start()
        switch handshake.waitForPort() {
        case .success(let port): reportPort = port
        case .failure(let e): throw e
        }
        handshake.set(self)
        for i in 0..<configuration.workers {
            let worker = Thread { [self] in
                workLoop()
                exited.signal()
            }
            worker.name = "fanout.kannel.worker.\(i)"
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
                // A repeat of a key still in flight: its new reporter gets the one result.
                s.statistics.repeats += 1
                return true
            case .completed(let result):
                s.replays.append((job, result))
                s.statistics.repeats += 1
                return true
            case .full:
                s.rejected.append(job)
                return true
            case .new:
                s.jobs.append(job)
            }
            work.signal()
            return true
        }
        if !accepted {
            logger.error(
                "kannel: message submitted after shutdown, not sent", metadata: ["key": "\(message.idempotencyKey)"])
        }
    }

    var statistics: KannelSMSProvider.Statistics { state.withLock { $0.statistics } }

    var pending: Int {
        state.withLock { $0.queued + $0.sending + $0.awaiting.count + $0.rejected.count + $0.replays.count }
    }

    // MARK: - Workers

    private func workLoop() {
        while true {
            work.wait()
            let job = state.withLock { s -> Job?? in
                if s.stopping { return .some(nil) }
                guard let job = s.pop() else { return nil }
                s.sending += 1
                return job
            }
            guard let next = job else { continue }
            guard let job = next else { return }
            send(job)
            state.withLock { $0.sending -= 1 }
        }
    }

    private func send(_ job: Job) {
        let message = job.message
        let key = message.idempotencyKey
        let phone: String?
        do {
            phone = try lookup(message.key.person)
        } catch {
            // A registry error names the file and the SQL step, never a number.
            finish(job, .failed, reason: "looking up the phone number failed: \(error)")
            return
        }
        guard let phone, !phone.isEmpty else {
            finish(job, .failed, reason: "no phone number registered for the person")
            return
        }
        let dlrURL = KannelProtocol.dlrURL(
            host: configuration.reportURLHost ?? configuration.reportListenHost, port: reportPort, key: key)
        let target = KannelProtocol.sendTarget(configuration, message: message, phone: phone, dlrURL: dlrURL)
        // Awaited before the request: the report can arrive before smsbox's answer.
        let deadline = ContinuousClock.now.advanced(by: configuration.reportTimeout)
        state.withLock { $0.awaiting[key] = Awaited(job: job, deadline: deadline) }
        let response: HTTP.Response
        do {
            response = try HTTP.get(
                host: configuration.host, port: configuration.port, target: target,
                timeoutMilliseconds: configuration.requestTimeout.wholeMilliseconds)
        } catch let e as ProviderAdapterError {
            guard take(key) != nil else { return }  // a report came first
            finish(job, e.code == .unreachable ? .throttled : .failed, reason: "sendsms: \(e)")
            return
        } catch {
            guard take(key) != nil else { return }
            finish(job, .failed, reason: "sendsms: \(error)")
            return
        }
        switch KannelProtocol.answer(response) {
        case .accepted:
            state.withLock {
                $0.statistics.accepted += 1
                $0.rejecting = false
            }
        case .throttled(let reason):
            guard take(key) != nil else { return }
            finish(job, .throttled, reason: "smsbox: \(reason)")
        case .failed(let reason):
            guard take(key) != nil else { return }
            finish(job, .failed, reason: "smsbox: \(reason)")
        }
    }

    /// Removes `key` from the awaited messages; `nil` when it was not awaited (any more).
    func take(_ key: String) -> Job? {
        state.withLock { $0.awaiting.removeValue(forKey: key)?.job }
    }

    /// Counts and reports a result to the dispatcher (never with the adapter's lock held).
    func finish(_ job: Job, _ result: DeliveryResult, reason: String? = nil, replay: Bool = false) {
        let key = job.message.idempotencyKey
        let now = elapsed
        let (reporter, line) = state.withLock { s -> (DeliveryReporter, RepeatedEvent.Line?) in
            if replay { return (job.reporter, nil) }
            var line: RepeatedEvent.Line?
            if result == .throttled {
                // An episode of rejections is one occurrence, each rejection in it adds weight.
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
            // Throttled means not handed over: a repeat is sent. Any other result is final.
            return (s.jobs.finish(key, result, remember: configuration.rememberedResults) ?? job.reporter, line)
        }
        if let reason, !replay {
            let metadata: Logger.Metadata = [
                "key": "\(job.message.idempotencyKey)", "result": "\(result.rawValue)", "reason": "\(reason)",
            ]
            if result == .throttled {
                log(
                    line, level: .warning, first: "kannel: message rejected as overloaded (further rejections are counted)",
                    what: "smsbox rejecting again", metadata: metadata, debug: "kannel: message rejected as overloaded",
                    at: now)
            } else {
                log(
                    line, level: .error, first: "kannel: message failed", what: "messages failed", metadata: metadata,
                    debug: "kannel: message failed", at: now)
            }
        }
        do {
            try reporter.report(job.message, result: result)
        } catch {
            let line = state.withLock { $0.log.unrecorded.occurred(at: now) }
            log(
                line, level: .error, first: "kannel: the dispatcher could not record a report",
                what: "reports the dispatcher could not record",
                metadata: ["key": "\(job.message.idempotencyKey)", "error": "\(error)"],
                debug: "kannel: the dispatcher could not record a report", at: now)
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
        for _ in 0...configuration.workers { exited.wait() }  // the workers and the listener
        let now = elapsed
        state.withLock { s in
            s.stopped = true
            logRemainders(&s.log, at: now)
            let dropped = s.queued + s.awaiting.count + s.rejected.count
            if dropped > 0 {
                logger.info(
                    "kannel: stopped with messages not reported (the ledger keeps them as sent)",
                    metadata: ["queued": "\(s.queued)", "awaiting": "\(s.awaiting.count)"])
            }
        }
    }
}

/// Where the listener thread starts listening.
private struct ListenerStart: Sendable {
    var host: String
    var port: UInt16
}

/// The listener thread's start: the bound port goes to `init`, the finished core to the thread.
private final class ListenerHandshake: Sendable {
    private let port = Mutex<Result<UInt16, ProviderAdapterError>?>(nil)
    private let core = Mutex<KannelCore?>(nil)
    private let portReady = DispatchSemaphore(value: 0)
    private let coreReady = DispatchSemaphore(value: 0)

    func bound(_ result: Result<UInt16, ProviderAdapterError>) {
        port.withLock { $0 = result }
        portReady.signal()
    }

    func waitForPort() -> Result<UInt16, ProviderAdapterError> {
        portReady.wait()
        return port.withLock { $0 } ?? .failure(ProviderAdapterError(.socket, "the report listener did not start"))
    }

    func set(_ c: KannelCore) {
        core.withLock { $0 = c }
        coreReady.signal()
    }

    func waitForCore() -> KannelCore? {
        coreReady.wait()
        return core.withLock { $0 }
    }
}

extension Duration {
    /// The duration in whole milliseconds, at least 1.
    package var wholeMilliseconds: Int {
        let (seconds, atto) = components
        // At most a day: a socket timeout, never an overflow.
        return max(1, Int(min(seconds, 86_400)) * 1000 + Int(atto / 1_000_000_000_000_000))
    }
}
