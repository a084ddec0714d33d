import Dispatch
import FanOut
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ProviderAdapters
import Synchronization

/// The state and threads behind ``SMTPMailProvider``: a bounded queue drained by one worker
/// thread per persistent connection, and the keys in flight or completed.
final class SMTPCore: Sendable {
    struct Job: Sendable {
        enum Kind: Sendable {
            /// Mail it.
            case send
            /// Report it throttled: the queue was full.
            case reject
            /// Report the result of its key's earlier hand-over again.
            case replay(DeliveryResult)
        }

        var message: OutboundMessage
        var reporter: DeliveryReporter
        var kind: Kind
    }

    struct State: Sendable {
        /// The queue, the owners of the keys in flight and the results remembered (``AdapterJobs``).
        var jobs = AdapterJobs<Job>()
        var sending = 0
        var mailsQueued = 0
        var stopping = false
        var statistics = SMTPMailProvider.Statistics()
        /// Whether the relay is refusing (or unreachable) since the last accepted mail.
        var rejecting = false
        var log = SMTPLogCounts()

        var queued: Int { jobs.queued }
        mutating func pop() -> Job? { jobs.pop() }
    }

    let configuration: SMTPConfiguration
    private let lookup: SMTPMailProvider.AddressLookup
    let logger: Logger
    let composer: MailComposer
    private let group: MultiThreadedEventLoopGroup
    private let tls: NIOSSLContext?
    let state = Mutex(State())
    let started = ContinuousClock.now
    private let work = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)

    init(configuration: SMTPConfiguration, lookup: @escaping SMTPMailProvider.AddressLookup, logger: Logger) throws {
        self.configuration = configuration
        self.lookup = lookup
        self.logger = logger
        composer = MailComposer(configuration: configuration, tokens: try MailReplyToken(secret: configuration.replySecret))
        tls = try Self.tlsContext(configuration)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        for i in 0..<configuration.connections {
            let worker = Thread { [self] in
                workLoop()
                exited.signal()
            }
            worker.name = "fanout.smtp.connection.\(i)"
            worker.start()
        }
    }

    /// The client TLS context: TLS 1.2 or later, the certificate checked against the trusted CAs.
    private static func tlsContext(_ configuration: SMTPConfiguration) throws -> NIOSSLContext? {
        guard configuration.startTLS != .off else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateVerification = .fullVerification
        if let file = configuration.trustedCAFile {
            do {
                guard !(try NIOSSLCertificate.fromPEMFile(file)).isEmpty else {
                    throw ProviderAdapterError(.invalidConfiguration, "no certificate in it")
                }
            } catch {
                throw ProviderAdapterError(
                    .invalidConfiguration, "the trusted CA file '\(file.prefix(120))' holds no PEM certificate: \(error)")
            }
            tls.trustRoots = .file(file)
        }
        do { return try NIOSSLContext(configuration: tls) } catch {
            throw ProviderAdapterError(.invalidConfiguration, "cannot set TLS up: \(error)")
        }
    }

    // MARK: - Submitting

    func submit(_ message: OutboundMessage, reporter: DeliveryReporter) {
        let key = message.idempotencyKey
        let accepted = state.withLock { s -> Bool in
            if s.stopping { return false }
            s.statistics.submitted += 1
            // Replays and rejections queue too: every result is reported in order by a connection.
            let kind: Job.Kind
            switch s.jobs.admit(key, reporter: reporter, capacity: configuration.queueCapacity, occupancy: s.mailsQueued) {
            case .inFlight:
                // A repeat of a key still in flight: its new reporter gets the one result.
                s.statistics.repeats += 1
                return true
            case .completed(let result):
                kind = .replay(result)
                s.statistics.repeats += 1
            case .full: kind = .reject
            case .new:
                kind = .send
                s.mailsQueued += 1
            }
            s.jobs.append(Job(message: message, reporter: reporter, kind: kind))
            work.signal()
            return true
        }
        if !accepted {
            logger.error("smtp: message submitted after shutdown, not sent", metadata: ["key": "\(key)"])
        }
    }

    var statistics: SMTPMailProvider.Statistics { state.withLock { $0.statistics } }

    var pending: Int { state.withLock { $0.queued + $0.sending } }

    // MARK: - Workers

    /// Mails a worker takes from the queue at once (sent back to back on its connection).
    static let batch = 16

    /// One connection's worker: takes jobs until stopping, then QUITs its connection.
    private func workLoop() {
        var connection: SMTPConnection?
        var lastRefusal: ContinuousClock.Instant?
        while true {
            work.wait()
            let next = state.withLock { s -> [Job]? in
                if s.stopping { return nil }
                var jobs: [Job] = []
                while jobs.count < Self.batch, let job = s.pop() {
                    jobs.append(job)
                    guard case .send = job.kind else { break }
                    s.mailsQueued -= 1
                    // Only mails are batched: a report job ends the batch.
                    if let next = s.jobs.next, case .send = next.kind {} else { break }
                }
                s.sending += jobs.count
                return jobs
            }
            guard let jobs = next else { break }
            if jobs.isEmpty { continue }
            var mails: [Job] = []
            for job in jobs {
                switch job.kind {
                case .send: mails.append(job)
                case .reject: finish(job, .throttled, reason: "the adapter's queue is full")
                case .replay(let result): finish(job, result, replay: true)
                }
            }
            if !mails.isEmpty { send(mails, on: &connection, lastRefusal: &lastRefusal) }
            state.withLock { $0.sending -= jobs.count }
        }
        connection?.quit()
    }

    /// Looks the addresses up, writes the mails and sends them back to back on the worker's
    /// connection (opened, or opened again, as needed).
    private func send(_ jobs: [Job], on connection: inout SMTPConnection?, lastRefusal: inout ContinuousClock.Instant?) {
        var ready: [(job: Job, to: String, content: [UInt8])] = []
        for job in jobs {
            let address: String?
            do {
                address = try lookup(job.message.key.person)
            } catch {
                // A registry error names the file and the SQL step, never an address.
                finish(job, .failed, reason: "looking up the e-mail address failed: \(error)")
                continue
            }
            guard let address, !address.isEmpty else {
                finish(job, .failed, reason: "no e-mail address registered for the person")
                continue
            }
            // Checked before it goes into RCPT TO: a line break in it would inject commands.
            guard SMTPConfiguration.isAddress(address) else {
                finish(job, .failed, reason: "the registered e-mail address is not a plain local@domain")
                continue
            }
            ready.append((job, address, composer.compose(job.message, to: address)))
        }
        guard !ready.isEmpty else { return }
        for round in 0..<2 {
            if let c = connection, !c.isUsable {
                c.close()
                connection = nil
            }
            if connection == nil {
                if let last = lastRefusal, ContinuousClock.now - last < .milliseconds(250) {
                    for r in ready { finish(r.job, .throttled, reason: "the relay was unreachable moments ago") }
                    return
                }
                do throws(SMTPConnectionError) {
                    let opened = try SMTPConnection.open(configuration, group: group, tls: tls)
                    connection = opened
                    lastRefusal = nil
                    state.withLock {
                        $0.statistics.connections += 1
                        if opened.encrypted { $0.statistics.encryptedConnections += 1 }
                        if opened.pipelining { $0.statistics.pipelinedConnections += 1 }
                    }
                } catch {
                    if error.transient { lastRefusal = .now }
                    connectionFailed(error)
                    for r in ready { finish(r.job, error.transient ? .throttled : .failed, reason: error.description) }
                    return
                }
            }
            guard let c = connection else { return }
            let reused = c.transactions > 0
            let outcomes = c.transactions(from: configuration.fromAddress, mails: ready.map { ($0.to, $0.content) })
            let untouched = outcomes.allSatisfy {
                if case .lost(_, dataSent: false) = $0 { true } else { false }
            }
            if untouched, reused, round == 0 {
                // An idle connection the server had closed: once more on a new one.
                c.close()
                connection = nil
                state.withLock { $0.statistics.reconnects += 1 }
                continue
            }
            if !c.isUsable {
                c.close()
                connection = nil
            }
            for (r, outcome) in zip(ready, outcomes) {
                let result = SMTPOutcome.result(of: outcome)
                finish(r.job, result, reason: result == .delivered ? nil : Self.reason(outcome))
            }
            return
        }
    }

    private static func reason(_ outcome: SMTPTransactionResult) -> String {
        switch outcome {
        case .accepted: "accepted"
        case .refused(let reply, let stage): "the relay answered \(reply) to \(stage.rawValue)"
        case .lost(let why, let dataSent):
            dataSent ? "\(why); the relay may have taken the mail: not sent again" : why
        }
    }

    /// Counts and reports a result to the dispatcher (never with the adapter's lock held).
    func finish(_ job: Job, _ result: DeliveryResult, reason: String? = nil, replay: Bool = false) {
        let key = job.message.idempotencyKey
        let now = elapsed
        let (reporter, line) = state.withLock { s -> (DeliveryReporter, RepeatedEvent.Line?) in
            if replay { return (job.reporter, nil) }
            var line: RepeatedEvent.Line?
            if result == .throttled {
                if s.rejecting { s.log.rejections.add(weight: 1, at: now) } else { line = s.log.rejections.occurred(at: now) }
                s.rejecting = true
            } else if result == .delivered {
                s.rejecting = false
            } else if reason != nil {
                line = s.log.failures.occurred(at: now)
            }
            switch result {
            case .delivered: s.statistics.delivered += 1
            case .throttled: s.statistics.throttled += 1
            default: s.statistics.failed += 1
            }
            // A replay's result is remembered already, a rejection's (throttled) is not final.
            guard case .send = job.kind else { return (job.reporter, line) }
            return (s.jobs.finish(key, result, remember: configuration.rememberedResults) ?? job.reporter, line)
        }
        if let reason, !replay {
            let metadata: Logger.Metadata = ["key": "\(key)", "result": "\(result.rawValue)", "reason": "\(reason)"]
            if result == .throttled {
                log(
                    line, level: .warning, first: "smtp: mail rejected as overloaded (further rejections are counted)",
                    what: "relay rejecting again", metadata: metadata, debug: "smtp: mail rejected as overloaded", at: now)
            } else {
                log(
                    line, level: .error, first: "smtp: mail failed", what: "mails failed", metadata: metadata,
                    debug: "smtp: mail failed", at: now)
            }
        }
        do {
            try reporter.report(job.message, result: result)
        } catch {
            let line = state.withLock { $0.log.unrecorded.occurred(at: now) }
            log(
                line, level: .error, first: "smtp: the dispatcher could not record a report",
                what: "reports the dispatcher could not record", metadata: ["key": "\(key)", "error": "\(error)"],
                debug: "smtp: the dispatcher could not record a report", at: now)
        }
    }

    private func connectionFailed(_ error: SMTPConnectionError) {
        let now = elapsed
        let line = state.withLock { s -> RepeatedEvent.Line? in
            s.statistics.connectionFailures += 1
            return s.log.connections.occurred(at: now)
        }
        log(
            line, level: error.transient ? .warning : .error, first: "smtp: connecting to the relay failed",
            what: "connections failed", metadata: ["reason": "\(error.description)"],
            debug: "smtp: connecting to the relay failed", at: now)
    }

    // MARK: - Shutdown

    func shutdown() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        for _ in 0..<configuration.connections { work.signal() }
        for _ in 0..<configuration.connections { exited.wait() }
        let now = elapsed
        state.withLock { s in
            logRemainders(&s.log, at: now)
            if s.mailsQueued > 0 {
                logger.info(
                    "smtp: stopped with mails not sent (the ledger keeps them as sent)",
                    metadata: ["queued": "\(s.mailsQueued)"])
            }
        }
        do { try group.syncShutdownGracefully() } catch {
            logger.error("smtp: stopping the event loop failed", metadata: ["error": "\(error)"])
        }
    }
}
