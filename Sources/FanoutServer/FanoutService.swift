import ChannelAdapters
import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import Hummingbird
import Logging
import ProviderAdapters
import ServiceLifecycle
import Synchronization

/// How `fanout serve` runs.
public struct ServeOptions: Sendable {
    /// The registry file; its ledger is resumed and held while the service runs.
    public var database: String
    /// The address to listen on.
    public var host: String
    /// The port to listen on (0: any free port; see ``FanoutService/run(_:logger:onListening:)``).
    public var port: Int
    /// Tokens, roles, regions and limits.
    public var configuration: ServeConfiguration
    /// Provider limits, rates and thresholds.
    public var dispatch: DispatchConfig
    /// How the simulated providers answer.
    public var simulation: ProviderSimulation
    /// Selection engines (threads); `nil`: ``SelectionService/defaultEngineCount``.
    public var engines: Int?
    /// The data directory (RD grid, borders, municipalities, travel radius).
    public var data: DataDirectory
    /// Where Leaflet is, for the map page (default: Debian's `libjs-leaflet`).
    public var leaflet: URL = MapAssets.debianLeaflet
    /// When set, every hand-over to a simulated provider is also appended to this provider-record
    /// file (``DeskProviders/recordPath``; the kill -9 test's evidence).
    public var providerRecord: String?
    /// Dispatcher seconds per wall second: 1 in production; more makes the simulated providers'
    /// delays and the configured rates pass faster (tests).
    public var speed: Double = 1
    /// Checks the tokens of the participants' reply links (`/reply/{token}`; `nil`: none is valid).
    public var replyVerifier: ReplyTokenVerifier?
    /// SMS through a real Kannel (`nil`: simulated). A real provider needs ``speed`` 1.
    public var kannel: KannelConfiguration?
    /// Calls over SIP (`nil`: simulated).
    public var sip: SIPConfiguration?
    /// App pushes over Web Push (`nil`: simulated); its reply links' secret also verifies reply links.
    public var webpush: WebPushConfiguration? { didSet { verifyRepliesOfTheAdapters() } }
    /// E-mail over SMTP (`nil`: simulated); its reply secret also verifies the reply links.
    public var smtp: SMTPConfiguration? { didSet { verifyRepliesOfTheAdapters() } }

    /// Sets ``replyVerifier`` to accept the reply links the mail and the app adapters sign.
    private mutating func verifyRepliesOfTheAdapters() {
        var signers: [MailReplyToken] = []
        if let secret = smtp?.replySecret, let tokens = try? MailReplyToken(secret: secret) { signers.append(tokens) }
        if let app = webpush?.replies { signers.append(app.signer) }
        guard !signers.isEmpty else { return }
        let all = signers
        replyVerifier = { token in all.lazy.compactMap { $0.claims(token) }.first }
    }

    /// Creates options.
    public init(
        database: String, host: String = "127.0.0.1", port: Int = 8080, configuration: ServeConfiguration,
        dispatch: DispatchConfig = DispatchConfig(), simulation: ProviderSimulation = .realistic(),
        engines: Int? = nil, data: DataDirectory = .bundled
    ) {
        self.database = database
        self.host = host
        self.port = port
        self.configuration = configuration
        self.dispatch = dispatch
        self.simulation = simulation
        self.engines = engines
        self.data = data
    }
}

/// The control-room service: an HTTP API over one registry and its ledger, with the dispatcher
/// running on the real clock until SIGTERM or SIGINT.
public enum FanoutService {
    /// Runs the service until SIGTERM or SIGINT, then shuts down gracefully: stops accepting,
    /// finishes the requests in flight, stops the dispatcher and writes the ledger.
    ///
    /// The port is bound at once; `/readyz` answers 503 until the index is loaded and the ledger
    /// resumed.
    ///
    /// - Parameter onListening: Called with the bound port once the server listens.
    /// - Throws: ``ServeError`` `.config`; ``DispatchError`` `.ledgerBusy` when another process runs
    ///   this ledger; what opening the registry throws.
    public static func run(
        _ options: ServeOptions, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        let app = try application(options, logger: logger, onListening: onListening)
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// The application: the router over a new control room, and the service that loads the
    /// index and runs the dispatcher.
    package static func application(
        _ options: ServeOptions, logger: Logger, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) throws -> some ApplicationProtocol {
        guard FileManager.default.fileExists(atPath: options.database) else {
            throw ServeError(
                .config, "\(options.database): no such registry (import participants into it first)")
        }
        // Refused before the port is bound: another process runs this ledger. (The desk takes the
        // lock for good when it opens; this probe lets it go at once.)
        guard try LedgerLock.acquire(for: options.database, command: "fanout serve") != nil else {
            let holder = LedgerLock.holder(of: options.database).map { "\($0)" } ?? "another process"
            throw DispatchError(
                .ledgerBusy,
                "\(options.database): the dispatcher of this ledger runs in \(holder); one process at a time runs it")
        }
        let metrics = ServeMetrics()
        let room = try ControlRoom(
            tokens: TokenBook(
                options.configuration, data: options.data,
                municipalities: {
                    try Municipalities.load(data: options.data, converter: try CoordinateConverter(data: options.data))
                }),
            limits: options.configuration.limits, travel: try? TravelRadiusTable.load(data: options.data), logger: logger,
            metrics: metrics)
        let document = try OpenAPIDocument.load()
        let map = try MapAssets.load(data: options.data, leafletDirectory: options.leaflet, logger: logger)
        let routes = Routes(
            room: room, metrics: metrics, openapi: document, declared: try DeclaredRoutes(document: document), map: map,
            replyVerifier: options.replyVerifier,
            publicFeed: try options.configuration.publicFeed.map {
                try PublicFeedService(settings: $0, callNumber: (options.dispatch.texts ?? MessageTemplates()).callNumber)
            })
        return Application(
            router: routes.router(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: "fanout"),
            services: [DeskService(room: room, options: options, metrics: metrics, logger: logger)],
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? options.port) },
            logger: logger)
    }
}

/// Loads the index, resumes the ledger and runs the dispatcher until graceful shutdown.
struct DeskService: Service {
    let room: ControlRoom
    let options: ServeOptions
    let metrics: ServeMetrics
    let logger: Logger

    func run() async throws {
        let options = self.options
        let room = self.room
        let factory = metrics.factory
        let logger = self.logger
        let clock = ContinuousClock()
        let t0 = clock.now
        let selection = try await onThread(named: "fanout.serve.load") {
            try SelectionService.open(registryAt: options.database, data: options.data, engines: options.engines)
        }
        let loadSeconds = (clock.now - t0).seconds
        do {
            try await withGracefulShutdownHandler {
                try await onThread(named: "fanout.serve.desk") {
                    let desk = try ActionDesk(
                        db: options.database, config: options.dispatch,
                        providers: DeskProviders(
                            simulation: options.simulation, recordPath: options.providerRecord, kannel: options.kannel,
                            sip: options.sip, smtp: options.smtp, webpush: options.webpush),
                        clock: .real(speed: options.speed),
                        command: "fanout serve", metrics: factory)
                    guard let registry = selection.registry else {
                        throw ServeError(.config, "\(options.database): no participant registry is open")
                    }
                    room.attach(
                        LoadedRoom(
                            selection: selection, dispatcher: desk.dispatcher, ledger: desk.ledger, registry: registry,
                            config: options.dispatch, providers: desk.providerChoice.recorded,
                            interruption: desk.interruption))
                    logger.info(
                        "ready",
                        metadata: [
                            "participants": "\(selection.live.snapshot().count)",
                            "index_seconds": "\(String(format: "%.2f", loadSeconds))",
                            "actions_resumed": "\(desk.dispatcher.actionIDs.count)",
                        ])
                    room.planCache.rebuild(registry)  // in the background: plans read the registry until then
                    if room.isStopping { desk.interruption.request() }
                    defer { _ = room.detach() }
                    try desk.runUntilInterrupted()
                    try desk.close()
                    logger.info("dispatcher stopped; ledger written")
                }
            } onGracefulShutdown: {
                room.requestStop()
            }
        } catch {
            await selection.close()
            throw error
        }
        await selection.close()
    }
}

/// Runs blocking `body` on a new thread and waits for it without holding a cooperative thread.
func onThread<T: Sendable>(named name: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            continuation.resume(with: Result { try body() })
        }
        thread.name = name
        thread.start()
    }
}
