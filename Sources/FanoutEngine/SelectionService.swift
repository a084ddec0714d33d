import FanOut
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synchronization

/// Selections for many tasks at once: a few engines over one live index, each served by a thread
/// of its own that takes jobs from one queue, with `async` selection and cancellation.
///
/// Selection is CPU-bound C work (GEOS, PROJ): it runs on the service's threads, never on the
/// cooperative pool, so a server's request handlers stay responsive while selections run. Any
/// number of tasks may call ``select(_:)`` at once; at most ``engineCount`` selections run at a
/// time, the others wait in the queue, first come, first served.
///
/// ```swift
/// let service = try SelectionService.open(registryAt: "participants.sqlite")   // min(cores, 4) engines
/// let result = try await service.select(SelectionRequest(
///     area: .circle(center: LonLat(lon: 4.8930, lat: 52.3731), radiusMeters: 2_000)))
/// await service.close()
/// ```
///
/// Cancellation: a selection whose task is cancelled while it waits in the queue is taken out of
/// the queue, never runs, and throws `CancellationError` at once. One cancelled while it runs stops
/// at the engine's next check between phases (area built, participants collected, distances
/// measured) and throws `CancellationError`; past the last check it completes and its result is
/// discarded (`CancellationError` all the same).
///
/// - Important: Close the service (``close()``) when done: its threads live until then.
public final class SelectionService: Sendable {
    /// The engines, one per thread (thread `i` uses `engines[i]`).
    private let engines: [Engine]
    private let threads: WorkerThreads
    /// Set by ``close()``: jobs that have not started are refused.
    private let closing = Atomic<Bool>(false)

    /// How many engines (and threads) select at once.
    public var engineCount: Int { engines.count }
    /// The live index all engines share (participants registered through any engine or
    /// ``register(_:)`` are seen by every later selection).
    public var live: LiveIndex { engines[0].live }
    /// The registry the engines were opened on, if any.
    public var registry: Registry? { engines[0].registry }
    /// How the engines compute RD New (see ``Engine/transformation``).
    public var transformation: RDAccuracy { engines[0].transformation }

    /// Jobs waiting for a free engine.
    package var queuedJobs: Int { threads.queued }
    /// Whether the calling thread is one of the service's threads.
    package var isOnItsThreads: Bool { threads.isCurrent }
    /// Whether ``close()`` has begun.
    package var isClosing: Bool { closing.load(ordering: .acquiring) }

    /// The default number of engines: the processor count, at most 4.
    public static var defaultEngineCount: Int { min(max(1, ProcessInfo.processInfo.activeProcessorCount), 4) }

    /// Makes a service around `engine` and `engines - 1` more engines over its live index, with
    /// its registry, data directory and RD grid requirement.
    ///
    /// - Parameters:
    ///   - engine: The first engine (the service owns it from now on: use it no more).
    ///   - engines: How many engines (threads); `nil` is ``defaultEngineCount``. At least 1.
    /// - Throws: ``GeoError`` when GEOS or PROJ cannot start for another engine.
    public init(engine: Engine, engines count: Int? = nil) throws {
        let n = max(1, count ?? Self.defaultEngineCount)
        var engines = [engine]
        for _ in 1..<n {
            engines.append(try Engine(live: engine.live, registry: engine.registry, data: engine.data, rdGrid: engine.rdGrid))
        }
        self.engines = engines
        threads = WorkerThreads(count: n, name: "fanout.select")
    }

    /// Opens the registry at `path` as ``Engine/open(registryAt:readOnly:data:rdGrid:)`` does and
    /// makes a service of `engines` engines over it.
    ///
    /// - Throws: What ``Engine/open(registryAt:readOnly:data:rdGrid:)`` throws.
    public static func open(
        registryAt path: String, readOnly: Bool = false, data: DataDirectory = .bundled,
        rdGrid: RDGridRequirement = .required, engines: Int? = nil
    ) throws -> SelectionService {
        try SelectionService(
            engine: try Engine.open(registryAt: path, readOnly: readOnly, data: data, rdGrid: rdGrid), engines: engines)
    }

    /// Selects every participant inside the request's area, outside-in, on the first free engine.
    ///
    /// - Throws: What ``Engine/select(_:)`` throws; `CancellationError` when the task is cancelled
    ///   (see the type's discussion); ``SelectionError`` `.closed` when the service was closed
    ///   before the selection ran.
    public func select(_ request: SelectionRequest) async throws -> SelectionResult {
        try await perform { engine, checkpoint in try engine.select(request, checkpoint: checkpoint) }
    }

    /// Registers or updates participants through one of the engines (see ``Engine/register(_:)``):
    /// every selection that starts afterwards sees them.
    ///
    /// - Throws: What ``Engine/register(_:)`` throws; `CancellationError`; ``SelectionError`` `.closed`.
    public func register(_ records: [ParticipantRecord]) async throws {
        try await register(records, alongside: nil)
    }

    /// Registers or updates participants as ``register(_:)`` does, with `alongside` written in
    /// the registry's transaction (a command's audit record).
    package func register(_ records: [ParticipantRecord], alongside: AlongsideWrite?) async throws {
        try await perform { engine, _ in try engine.register(records, alongside: alongside) }
    }

    /// Removes participants through one of the engines (see ``Engine/remove(ids:)``).
    ///
    /// - Throws: What ``Engine/remove(ids:)`` throws; `CancellationError`; ``SelectionError`` `.closed`.
    public func remove(ids: [Int64]) async throws {
        try await remove(ids: ids, alongside: nil)
    }

    /// Removes participants as ``remove(ids:)`` does, with `alongside` written in the registry's
    /// transaction (a command's audit record).
    package func remove(ids: [Int64], alongside: AlongsideWrite?) async throws {
        try await perform { engine, _ in try engine.remove(ids: ids, alongside: alongside) }
    }

    /// Runs `body` on the first free engine's thread, with a checkpoint that throws
    /// `CancellationError` once the calling task is cancelled.
    ///
    /// - Throws: `body`'s error; `CancellationError`; ``SelectionError`` `.closed`.
    package func perform<T: Sendable>(
        _ body: @escaping @Sendable (Engine, _ checkpoint: () throws -> Void) throws -> T
    ) async throws -> T {
        try Task.checkCancellation()
        let job = PendingJob<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                job.wait(with: continuation)
                let id = threads.submit { [self] worker in
                    guard !job.isCancelled else { return job.finish(.failure(CancellationError())) }
                    guard !closing.load(ordering: .acquiring) else { return job.finish(.failure(Self.closedError)) }
                    let result = Result { try body(engines[worker]) { if job.isCancelled { throw CancellationError() } } }
                    job.finish(job.isCancelled ? .failure(CancellationError()) : result)
                }
                guard let id else { return job.finish(.failure(Self.closedError)) }
                job.queued(as: id)
            }
        } onCancel: {
            if let id = job.cancel(), threads.cancel(id) { job.finish(.failure(CancellationError())) }
        }
    }

    /// Closes the service: selections still queued throw ``SelectionError`` `.closed`, those
    /// running complete; then the threads are joined. Later selections throw `.closed`. Closing
    /// twice does nothing more.
    public func close() async {
        closing.store(true, ordering: .releasing)
        threads.close(wait: false)
        let threads = self.threads
        // Joining blocks: wait on a thread of its own, not on the cooperative pool.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                threads.close(wait: true)
                done.resume()
            }.start()
        }
    }
}

extension SelectionService {
    /// What a selection on a closed service throws.
    static var closedError: SelectionError { SelectionError(.closed, "the selection service is closed") }
}

/// One job of a ``SelectionService``: its continuation, resumed once, and its cancellation.
private final class PendingJob<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var id: WorkerThreads.JobID?
        var cancelled = false
    }

    private let state = Mutex(State())

    /// Whether the task was cancelled.
    var isCancelled: Bool { state.withLock { $0.cancelled } }

    func wait(with continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func queued(as id: WorkerThreads.JobID) {
        state.withLock { $0.id = id }
    }

    /// Marks the job cancelled. Returns its queue id, to take it back, if it was queued.
    func cancel() -> WorkerThreads.JobID? {
        state.withLock { s in
            s.cancelled = true
            return s.id
        }
    }

    /// Resumes the caller with `result` (only the first call does).
    func finish(_ result: Result<T, any Error>) {
        state.withLock { s in
            defer { s.continuation = nil }
            return s.continuation
        }?.resume(with: result)
    }
}
