import Dispatch
import FanOut
import Foundation
import Logging
import ProviderAdapters
import Synchronization

/// The state and threads behind ``SIPVoiceProvider``: a bounded queue, the preparation threads
/// (phone number look-up and audio rendering) and the event loop (``SIPEngine``) that places the
/// calls, at most ``SIPConfiguration/lines`` at once.
final class SIPCore: Sendable {
    struct Job: Sendable {
        var message: OutboundMessage
        var reporter: DeliveryReporter
    }

    /// A job ready to be called, or why it cannot be.
    struct Prepared: Sendable {
        var job: Job
        var outcome: Result<(phone: String, rendering: SIPAudio.Rendering), ProviderAdapterError>
    }

    struct State: Sendable {
        /// The queue, the owners of the keys in flight and the results remembered (``AdapterJobs``).
        var jobs = AdapterJobs<Job>()
        /// Jobs handed to the preparation threads.
        var toPrepare: [Job] = []
        /// Prepared jobs for the event loop.
        var prepared: [Prepared] = []
        /// Reported throttled by the event loop (the queue was full).
        var rejected: [Job] = []
        var replays: [(Job, DeliveryResult)] = []
        var stopping = false
        var statistics = SIPVoiceProvider.Statistics()
        /// Calls preparing or up (the event loop's count, for ``SIPVoiceProvider/pending``).
        var active = 0

        var queued: Int { jobs.queued }
        mutating func pop() -> Job? { jobs.pop() }
    }

    static let preparationThreads = 2

    let configuration: SIPConfiguration
    let lookup: SIPVoiceProvider.PhoneLookup
    let audio: SIPAudio
    let logger: Logger
    let answers: AnswerSink?
    let onOutcome: (@Sendable (OutboundMessage, DeliveryResult) -> Void)?
    let state = Mutex(State())
    let localAddress: SIPAddress
    private let preparing = DispatchSemaphore(value: 0)
    let exited = DispatchSemaphore(value: 0)

    init(
        configuration: SIPConfiguration, lookup: @escaping SIPVoiceProvider.PhoneLookup, answers: AnswerSink?,
        logger: Logger, onOutcome: (@Sendable (OutboundMessage, DeliveryResult) -> Void)?
    ) throws {
        self.configuration = configuration
        self.lookup = lookup
        self.answers = answers
        self.logger = logger
        self.onOutcome = onOutcome
        audio = try SIPAudio(configuration: configuration)
        let proxy = try SIPAddress.resolve(configuration.proxyHost, port: configuration.proxyPort)
        // The signalling socket is made on the event loop's own thread (it never leaves it); its
        // address comes back through the handshake, and the thread waits for the finished core.
        let handshake = SIPHandshake()
        let bind = SIPAddress(host: configuration.localHost, port: configuration.localPort)
        let thread = Thread {
            let engine: SIPEngine
            do {
                let socket = try UDPSocket.bound(host: bind.host, port: bind.port)
                try socket.setBufferSizes(4 << 20)
                try socket.connect(to: proxy)
                let local = try socket.localAddress()
                handshake.bound(.success(local))
                guard let core = handshake.waitForCore() else { return }
                engine = SIPEngine(core: core, socket: socket, local: local)
            } catch {
                handshake.bound(.failure(error as? ProviderAdapterError ?? ProviderAdapterError(.socket, "\(error)")))
                return
            }
            engine.run()
            engine.core.exited.signal()
        }
        thread.name = "fanout.sip.loop"
        thread.start()
        switch handshake.waitForAddress() {
        case .success(let address): localAddress = address
        case .failure(let e): throw e
        }
        handshake.set(self)
        for i in 0..<Self.preparationThreads {
            let worker = Thread { [self] in
                prepareLoop()
                exited.signal()
            }
            worker.name = "fanout.sip.prepare.\(i)"
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
            case .inFlight: s.statistics.repeats += 1
            case .completed(let result):
                s.replays.append((job, result))
                s.statistics.repeats += 1
            case .full: s.rejected.append(job)
            case .new: s.jobs.append(job)
            }
            return true
        }
        if !accepted {
            logger.error("sip: message submitted after shutdown, not called", metadata: ["key": "\(key)"])
        }
    }

    var statistics: SIPVoiceProvider.Statistics { state.withLock { $0.statistics } }

    var pending: Int {
        state.withLock { $0.queued + $0.active + $0.rejected.count + $0.replays.count }
    }

    // MARK: - Preparing

    /// Hands `jobs` (taken by the event loop, each holding a line) to the preparation threads.
    func prepare(_ jobs: [Job]) {
        guard !jobs.isEmpty else { return }
        state.withLock { $0.toPrepare.append(contentsOf: jobs) }
        for _ in jobs { preparing.signal() }
    }

    private func prepareLoop() {
        while true {
            preparing.wait()
            let next = state.withLock { s -> Job?? in
                if s.stopping { return .some(nil) }
                return s.toPrepare.isEmpty ? nil : s.toPrepare.removeFirst()
            }
            guard let job = next else { continue }
            guard let job else { return }
            let prepared = Prepared(job: job, outcome: prepareOne(job.message))
            state.withLock { $0.prepared.append(prepared) }
        }
    }

    private func prepareOne(_ message: OutboundMessage) -> Result<
        (phone: String, rendering: SIPAudio.Rendering), ProviderAdapterError
    > {
        let phone: String?
        do {
            phone = try lookup(message.key.person)
        } catch {
            // A registry error names the file and the SQL step, never a number.
            return .failure(ProviderAdapterError(.invalidConfiguration, "looking up the phone number failed: \(error)"))
        }
        guard let phone, let dialable = SIPOutcome.dialable(phone) else {
            return .failure(
                ProviderAdapterError(.invalidConfiguration, "no dialable phone number registered for the person"))
        }
        do {
            return .success((dialable, try audio.rendering(for: message)))
        } catch let e as ProviderAdapterError {
            return .failure(e)
        } catch {
            return .failure(ProviderAdapterError(.badAnswer, "rendering the message failed: \(error)"))
        }
    }

    // MARK: - Reporting

    /// Counts and reports a result (never with the lock held).
    func finish(_ job: Job, _ result: DeliveryResult, reason: String? = nil, replay: Bool = false) {
        let key = job.message.idempotencyKey
        let reporter = state.withLock { s -> DeliveryReporter in
            if replay { return job.reporter }
            switch result {
            case .delivered: s.statistics.delivered += 1
            case .busy: s.statistics.busy += 1
            case .noAnswer: s.statistics.noAnswer += 1
            case .throttled: s.statistics.throttled += 1
            case .failed: s.statistics.failed += 1
            }
            // Throttled means not handed over: a repeat is called. Any other result is final.
            return s.jobs.finish(key, result, remember: configuration.rememberedResults) ?? job.reporter
        }
        if let reason, !replay {
            let level: Logger.Level = result == .failed ? .error : .info
            logger.log(
                level: level, "sip: call ended",
                metadata: ["key": "\(key)", "result": "\(result.rawValue)", "reason": "\(PersonalData.masked(reason))"])
        }
        do {
            try reporter.report(job.message, result: result)
        } catch {
            logger.error(
                "sip: the dispatcher could not record a report", metadata: ["key": "\(key)", "error": "\(error)"])
        }
        onOutcome?(job.message, result)
    }

    // MARK: - Shutdown

    func shutdown() {
        let first = state.withLock { s -> Bool in
            defer { s.stopping = true }
            return !s.stopping
        }
        guard first else { return }
        for _ in 0..<Self.preparationThreads { preparing.signal() }
        for _ in 0...Self.preparationThreads { exited.wait() }  // the preparers and the loop
        state.withLock { s in
            if s.queued + s.active > 0 {
                logger.info(
                    "sip: stopped with messages not reported (the ledger keeps them as sent)",
                    metadata: ["queued": "\(s.queued)", "calls": "\(s.active)"])
            }
        }
    }
}

/// The event loop's start: the bound address goes to `init`, the finished core to the thread.
private final class SIPHandshake: Sendable {
    private let address = Mutex<Result<SIPAddress, ProviderAdapterError>?>(nil)
    private let core = Mutex<SIPCore?>(nil)
    private let addressReady = DispatchSemaphore(value: 0)
    private let coreReady = DispatchSemaphore(value: 0)

    func bound(_ result: Result<SIPAddress, ProviderAdapterError>) {
        address.withLock { $0 = result }
        addressReady.signal()
    }

    func waitForAddress() -> Result<SIPAddress, ProviderAdapterError> {
        addressReady.wait()
        return address.withLock { $0 } ?? .failure(ProviderAdapterError(.socket, "the SIP event loop did not start"))
    }

    func set(_ c: SIPCore) {
        core.withLock { $0 = c }
        coreReady.signal()
    }

    func waitForCore() -> SIPCore? {
        coreReady.wait()
        return core.withLock { $0 }
    }
}
