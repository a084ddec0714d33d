import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FanOut
import FanoutCore
import Geo
import GeoFormats
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The run loop's ledger writes (SQLite, blocking) go on the dispatcher's own thread, never on a
/// thread of the cooperative pool.
@Suite struct LedgerWriteThreadTests {
    @Test func runUntilIdleWritesOnTheDispatchersThread() async throws {
        let ledger = try LedgerResumeTests.ledger()
        let writers = Mutex<[String?]>([])
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger,
            options: DispatchOptions(ledgerBatchSize: 8))
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(200))
        ledger.writeWatch.withLock { $0 = { writers.withLock { $0.append(WorkerThreads.currentName) } } }
        try await d.runUntilIdle()
        let seen = writers.withLock { $0 }
        #expect(seen.count > 10, "the run wrote the outcomes in many batches")
        #expect(seen.allSatisfy { $0 == Dispatcher.threadName }, "\(Set(seen.map { $0 ?? "a pool thread" }))")
        #expect(try d.status(id).alerts == [.delivered: 200])
        #expect(try ledger.messages(of: id).filter { $0.state == .delivered }.count == 200, "the ledger has it all")
    }

    @Test func theProductionDriverWritesOnTheDispatchersThread() async throws {
        let ledger = try LedgerResumeTests.ledger()
        let writers = Mutex<[String?]>([])
        ledger.writeWatch.withLock { $0 = { writers.withLock { $0.append(WorkerThreads.currentName) } } }
        let config = DispatchConfig(sms: .init(perSecond: 1000, batchSize: 10))
        let d = try Dispatcher(
            config: config, providers: [.sms: RecordingProvider(deliveryDelay: .milliseconds(5))],
            clock: SystemDispatchClock(), ledger: ledger)
        // The driver task starts on a thread of its own and the wait polls on one: in a loaded
        // parallel test run the cooperative pool was not free for a minute (CLI fixtures that
        // import synchronously), and neither the task nor a poll sleeping there was resumed.
        let kickoff = WorkerThreads(count: 1, name: "test.driver")
        defer { kickoff.close(wait: false) }
        let driver = Task(executorPreference: kickoff) { try await d.run() }
        defer { driver.cancel() }
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(30))
        // The loop writes the outcomes before it waits again.
        #expect(
            try await eventually {
                try ledger.messages(of: id).filter { $0.state == .delivered }.count == 30
            })
        let seen = writers.withLock { $0 }
        #expect(seen.filter { $0 == nil }.count == 1, "only the start's own transaction, on this task")
        #expect(seen.filter { $0 == Dispatcher.threadName }.count >= 1, "the loop wrote the outcomes")
        #expect(seen.allSatisfy { $0 == nil || $0 == Dispatcher.threadName })
        driver.cancel()
        await #expect(throws: CancellationError.self) { try await driver.value }
    }
}
