import Foundation
import Synchronization
import TestSupport
import SelectionTestSupport
import Testing

@testable import FanoutEngine
@testable import Geo

/// An engine kept in an actor: every call runs on the actor's executor (a thread of the
/// cooperative pool, not the one that made the engine), one at a time.
private actor EngineHolder {
    let engine: Engine

    init(_ engine: Engine) { self.engine = engine }

    func select(_ request: SelectionRequest) throws -> [SelectedParticipant] {
        try engine.select(request).participants
    }
}

/// Circles around the population's clusters (the centre of the Netherlands in RD New).
func concurrencyRequests(count: Int, seed: UInt64) -> [SelectionRequest] {
    var rng = SeededRandom(seed: seed)
    return (0..<count).map { _ in
        SelectionRequest(
            area: .circle(
                center: LonLat(
                    lon: Double.random(in: 4.6...5.9, using: &rng), lat: Double.random(in: 51.8...52.6, using: &rng)),
                radiusMeters: Double.random(in: 2_000...25_000, using: &rng)))
    }
}

@Suite struct EngineConcurrencyTests {
    static let population = makePopulation(count: 20_000, seed: 3)

    @Test func anEngineMadeOnOneThreadSelectsOnAnother() throws {
        let engine = try Engine(columns: Self.population)
        let oracle = try Engine(columns: Self.population)
        let requests = concurrencyRequests(count: 12, seed: 1)
        let got = Mutex<[[SelectedParticipant]]?>(nil)
        let failure = Mutex<String?>(nil)
        let worker = Thread {
            do {
                let results = try requests.map { try engine.select($0).participants }
                got.withLock { $0 = results }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        worker.start()
        while !worker.isFinished { usleep(1_000) }
        #expect(failure.withLock { $0 } == nil)
        let results = try #require(got.withLock { $0 })
        var total = 0
        for (n, request) in requests.enumerated() {
            let want = try oracle.selectByBruteForce(request).participants
            #expect(unrowed(results[n]) == unrowed(want), "circle \(n)")
            total += want.count
        }
        #expect(total > 1_000, "the circles select a meaningful number of participants")
        // And back on this thread afterwards.
        #expect(unrowed(try engine.select(requests[0]).participants) == unrowed(results[0]))
    }

    @Test func anEngineInAnActorServesConcurrentTasks() async throws {
        let holder = EngineHolder(try Engine(columns: Self.population))
        let oracle = try Engine(columns: Self.population)
        let requests = concurrencyRequests(count: 8, seed: 2)
        let results = try await withThrowingTaskGroup(of: (Int, [SelectedParticipant]).self) { group in
            for (n, request) in requests.enumerated() {
                group.addTask { (n, try await holder.select(request)) }
            }
            var all: [Int: [SelectedParticipant]] = [:]
            for try await (n, participants) in group { all[n] = participants }
            return all
        }
        for (n, request) in requests.enumerated() {
            let want = try oracle.selectByBruteForce(request).participants
            #expect(unrowed(results[n] ?? []) == unrowed(want), "circle \(n)")
        }
    }

    @Test func twoCallersAtOnceStopTheProcessNamingTheEngine() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            let engine = try Engine(columns: makePopulation(count: 2_000, seed: 4))
            let request = SelectionRequest(area: .circle(center: LonLat(lon: 5.3, lat: 52.1), radiusMeters: 50_000))
            // While the first caller is inside (its first-batch callback), a second thread selects.
            _ = try engine.select(request, firstBatch: 1) { _ in
                let second = Thread { _ = try? engine.select(request) }
                second.start()
                while !second.isFinished { usleep(1_000) }
            }
        }
        let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(message.contains("Engine used by two callers at once"), "\(message)")
    }

    @Test func theCheckRefusesASecondThreadAndLetsTheFirstComeBack() throws {
        let use = ExclusiveUse("Thing")
        #expect(use.tryEnter())
        #expect(use.tryEnter(), "the same thread may enter again (a callback of its operation)")
        let other = Mutex<[Bool]>([])
        func fromAnotherThread() {
            let t = Thread {
                let entered = use.tryEnter()
                if entered { use.leave() }
                other.withLock { $0.append(entered) }
            }
            t.start()
            while !t.isFinished { usleep(500) }
        }
        fromAnotherThread()
        use.leave()
        #expect(use.isInUse, "still inside once")
        fromAnotherThread()
        use.leave()
        #expect(!use.isInUse)
        fromAnotherThread()
        #expect(other.withLock { $0 } == [false, false, true])
    }
}
