import Dispatch
import Foundation
import Synchronization
import TestSupport
import SelectionTestSupport
import Testing

@testable import FanoutEngine
import FanoutCore
import Geo
import GeoFormats
import Participants
import Selection
import FanOut
import ProviderAdapters
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// A job that blocks a service engine until released, and says when it has started.
private final class Blocker: Sendable {
    let release = DispatchSemaphore(value: 0)
    private let started = Atomic<Bool>(false)

    /// The job's body: note the start, wait for the release.
    func block() {
        started.store(true, ordering: .releasing)
        release.wait()
    }

    /// Waits (without blocking a thread) until the job runs.
    func waitUntilStarted() async throws {
        while !started.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
    }
}

/// Waits until the service holds `count` jobs in its queue.
private func waitUntilQueued(_ count: Int, in service: SelectionService) async throws {
    while service.queuedJobs < count { try await Task.sleep(for: .milliseconds(1)) }
}

@Suite struct SelectionServiceTests {
    static let population = makePopulation(count: 20_000, seed: 8)

    @Test func eightConcurrentTasksEqualTheBruteForce() async throws {
        let service = try SelectionService(engine: try Engine(columns: Self.population), engines: 3)
        let oracle = try Engine(columns: Self.population)
        let requests = concurrencyRequests(count: 8, seed: 9)
        let results = try await withThrowingTaskGroup(of: (Int, SelectionResult).self) { group in
            for (n, request) in requests.enumerated() {
                group.addTask { (n, try await service.select(request)) }
            }
            var all: [Int: SelectionResult] = [:]
            for try await (n, result) in group { all[n] = result }
            return all
        }
        var total = 0
        for (n, request) in requests.enumerated() {
            let want = try oracle.selectByBruteForce(request).participants
            #expect(unrowed(results[n]?.participants ?? []) == unrowed(want), "area \(n)")
            total += want.count
        }
        #expect(total > 1_000, "the areas select a meaningful number of participants")
        let onItsThreads = try await service.perform { _, _ in service.isOnItsThreads }
        #expect(onItsThreads, "selections run on the service's threads, not the pool")
        #expect(!service.isOnItsThreads)
        await service.close()
    }

    @Test func aSelectionCancelledWhileQueuedNeverRunsAndTheEngineServesTheNext() async throws {
        let service = try SelectionService(engine: try Engine(columns: Self.population), engines: 1)
        let blocker = Blocker()
        let first = Task { try await service.perform { _, _ in blocker.block() } }
        try await blocker.waitUntilStarted()
        let ran = Atomic<Bool>(false)
        let queued = Task { try await service.perform { _, _ in ran.store(true, ordering: .relaxed) } }
        try await waitUntilQueued(1, in: service)
        queued.cancel()
        // Answered while the engine is still busy with the first job: taken out of the queue.
        await #expect(throws: CancellationError.self) { try await queued.value }
        #expect(service.queuedJobs == 0)
        blocker.release.signal()
        try await first.value
        let request = concurrencyRequests(count: 1, seed: 10)[0]
        let next = try await service.select(request)
        let cancelledJobRan = ran.load(ordering: .relaxed)
        #expect(!cancelledJobRan, "the cancelled job never ran")
        let want = try Engine(columns: Self.population).selectByBruteForce(request).participants
        #expect(unrowed(next.participants) == unrowed(want))
        await service.close()
    }

    @Test func aSelectionCancelledWhileRunningStopsAtTheNextCheck() async throws {
        let service = try SelectionService(engine: try Engine(columns: Self.population), engines: 1)
        let blocker = Blocker()
        let passed = Atomic<Bool>(false)
        let running = Task {
            try await service.perform { _, checkpoint in
                blocker.block()
                try checkpoint()
                passed.store(true, ordering: .relaxed)
            }
        }
        try await blocker.waitUntilStarted()
        running.cancel()
        blocker.release.signal()
        await #expect(throws: CancellationError.self) { try await running.value }
        let passedTheCheck = passed.load(ordering: .relaxed)
        #expect(!passedTheCheck, "the job stopped at its check")
        await service.close()
    }

    @Test func closingRefusesQueuedSelectionsAndLetsTheRunningOneFinish() async throws {
        let service = try SelectionService(engine: try Engine(columns: Self.population), engines: 1)
        let blocker = Blocker()
        let running = Task {
            try await service.perform { _, _ in
                blocker.block()
                return 42
            }
        }
        try await blocker.waitUntilStarted()
        let request = concurrencyRequests(count: 1, seed: 11)[0]
        let queued = (0..<3).map { _ in Task { try await service.select(request) } }
        try await waitUntilQueued(3, in: service)
        let closing = Task { await service.close() }
        while !service.isClosing { try await Task.sleep(for: .milliseconds(1)) }
        blocker.release.signal()
        #expect(try await running.value == 42, "the running job completes")
        for task in queued {
            do {
                _ = try await task.value
                Issue.record("a queued selection ran after close")
            } catch let error as SelectionError {
                #expect(error.code == .closed)
            }
        }
        await closing.value
        do {
            _ = try await service.select(request)
            Issue.record("a selection after close ran")
        } catch let error as SelectionError {
            #expect(error.code == .closed)
        }
        await service.close()  // twice: nothing more
    }
}
