import ArgumentParser
import ChannelAdapters
import FanOut
import FanoutLab
import FanoutServer
import FanoutTesting
import Foundation
import GeoFormats
import Logging
import ProviderAdapters
import Synchronization

struct ServeCommand: LoggingCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the control-room service: an HTTP API over a registry and its ledger.",
        discussion: """
            Listens on --listen (default: 127.0.0.1:8080) and serves the API described at GET /openapi.json: \
            selections, actions (start, enlarge, stop, end, status, explain), participants, /healthz, /readyz and \
            /metrics. Every /v1 route needs a bearer token from --config (see docs/serve.md). The dispatcher runs on \
            the real clock with simulated providers and holds the ledger: a second process on the same --db is \
            refused. SIGTERM or SIGINT stop it gracefully: requests in flight finish and the ledger is written.

            --demo serves the cached demo registry (built as 'fanout demo' builds it, --count participants) from a \
            copy in --dir, makes one token per role and prints each on standard error as a line 'token ROLE VALUE'.
            """)

    @Option(help: ArgumentHelp("The registry (SQLite) to serve.", valueName: "FILE"))
    var db: String?

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "HOST:PORT"))
    var listen: String = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("The serve configuration: tokens, roles, regions, limits.", valueName: "FILE"))
    var config: String?

    @Flag(help: "Serve the demo registry with one token per role (printed on standard error).")
    var demo = false

    @Option(help: ArgumentHelp("Directory of the cached demo registry (with --demo).", valueName: "DIR"))
    var dir: String = "demo-data"

    @Option(help: ArgumentHelp("Participants in the demo registry (with --demo).", valueName: "N"))
    var count: Int = 1_600_000

    @Option(help: ArgumentHelp("Simulated providers: realistic or ideal.", valueName: "NAME"))
    var simulation: String = "realistic"

    @Option(help: ArgumentHelp("Selection engines (threads); default: cores, at most 4.", valueName: "N"))
    var engines: Int?

    @Option(help: .hidden) var providerRecord: String?

    @Option(help: .hidden) var speed: Double = 1

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        if demo {
            if config != nil { throw ValidationError("--demo makes its own tokens: leave out --config") }
            guard Demo.countRange.contains(count) else { throw ValidationError("--count must be 1...20,000,000, got \(count)") }
        } else {
            guard db != nil else { throw ValidationError("give --db FILE (the registry to serve), or --demo") }
            guard config != nil else { throw ValidationError("give --config FILE (the tokens and their roles), or --demo") }
        }
        _ = try address()
        guard ProviderSimulation.named(simulation) != nil else {
            throw ValidationError("--simulation must be realistic or ideal, got '\(simulation.prefix(40))'")
        }
        if let engines, !(1...64).contains(engines) { throw ValidationError("--engines must be 1...64, got \(engines)") }
        guard speed.isFinite, (0.01...1000).contains(speed) else {
            throw ValidationError("--speed must be 0.01...1000 (dispatcher seconds per wall second), got \(speed)")
        }
        if let providerRecord {
            let inputs = (db.map { [OutputTarget.Input("--db registry", $0)] } ?? []) + (config.map { [.init("--config file", $0)] } ?? [])
            do { _ = try checkOutput(providerRecord, option: "--provider-record", kind: .append, inputs: inputs) } catch {
                throw failDuringValidation(error)
            }
        }
    }

    func address() throws -> (host: String, port: Int) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
            (0...65535).contains(port), colon > listen.startIndex
        else { throw ValidationError("--listen must be HOST:PORT, for example 127.0.0.1:8080, got '\(listen.prefix(60))'") }
        return (String(listen[..<colon]), port)
    }

    func run() throws {
        let (host, port) = try address()
        var configuration: ServeConfiguration
        var database: String
        if demo {
            (database, configuration) = try prepareDemo()
        } else {
            guard let db, let config else { throw ValidationError("give --db and --config, or --demo") }
            database = db
            configuration = try ServeConfiguration.load(from: URL(fileURLWithPath: config))
        }
        let dispatch = try configuration.dispatchPath.map { try DispatchConfig.load(from: URL(fileURLWithPath: $0)) }
        var options = ServeOptions(
            database: database, host: host, port: port, configuration: configuration, dispatch: dispatch ?? DispatchConfig(),
            simulation: ProviderSimulation.named(simulation) ?? .realistic(), engines: engines, data: commandData)
        options.providerRecord = providerRecord
        options.speed = speed
        if let path = configuration.dispatchPath {
            // The real providers of the dispatcher configuration: SMS (Kannel), calls (SIP), mail (SMTP).
            let url = URL(fileURLWithPath: path)
            let environment = ProcessInfo.processInfo.environment
            options.kannel = try KannelConfiguration.load(
                fromDispatchConfig: url, password: environment[KannelConfiguration.passwordVariable])
            options.sip = try SIPConfiguration.load(
                fromDispatchConfig: url, password: environment[SIPConfiguration.passwordVariable])
            options.smtp = try SMTPConfiguration.load(fromDispatchConfig: url, environment: environment)
            options.webpush = try WebPushConfiguration.load(
                fromDispatchConfig: url, privateKey: environment[WebPushConfiguration.privateKeyVariable],
                replySecret: environment[WebPushConfiguration.replySecretVariable])
            if options.kannel != nil || options.sip != nil || options.smtp != nil || options.webpush != nil, speed != 1 {
                throw ValidationError("--speed \(speed): real providers (\(path)) run on real time (speed 1)")
            }
        }
        let logger = Logger(label: "fanout.serve")
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let result = await Result(catching: {
                try await FanoutService.run(options, logger: logger) { port in
                    logger.info("listening", metadata: ["address": "\(host):\(port)"])
                }
            })
            outcome.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        try outcome.withLock { $0 }?.get()
    }

    /// The demo's registry (a copy of the cached one, kept between runs so that actions resume)
    /// and four new tokens, printed on standard error.
    func prepareDemo() throws -> (String, ServeConfiguration) {
        let progress = ProgressLine()
        let prep = try Demo.prepare(in: URL(fileURLWithPath: dir), count: count, data: commandData) { stage, rows in
            progress.update("\(stage): \(grouped(rows)) of \(grouped(count))")
        }
        progress.finish()
        let copy = URL(fileURLWithPath: dir).appendingPathComponent("serve-demo-\(count).sqlite").path
        if !FileManager.default.fileExists(atPath: copy) {
            let partial = copy + ".partial-\(ProcessInfo.processInfo.processIdentifier)"
            try? FileManager.default.removeItem(atPath: partial)
            try FileManager.default.copyItem(atPath: prep.databasePath, toPath: partial)
            guard rename(partial, copy) == 0 else {
                throw CommandFailure(.refused, "\(copy): cannot put the demo registry in place")
            }
        }
        var tokens: [ServeConfiguration.Token] = []
        for role in Role.allCases {
            var generator = SystemRandomNumberGenerator()
            let value = "demo-\(role.rawValue)-" + (0..<24).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
            tokens.append(.init(subject: "demo-\(role.rawValue)", role: role, sha256: ServeConfiguration.hash(token: value)))
            note("token \(role.rawValue) \(value)")
        }
        return (copy, ServeConfiguration(tokens: tokens))
    }
}

extension Result where Failure == any Error {
    /// The result of an `async` throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
