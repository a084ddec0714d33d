import FanOut
import FanoutEngine
import FanoutTesting
import Foundation
import Synchronization
import Testing

/// `await dispatcher.start(_:selection:recipients:)` and `enlarge(_:selection:recipients:confirmed:)`
/// write their ledger transaction on the dispatcher's commands thread, not on the calling task's
/// thread of the cooperative pool (the registry read for the recipients runs there too).
@Suite struct SelectionCommandThreadTests {
    @Test func awaitedSelectionCommandsWriteOnTheCommandsThread() async throws {
        let (path, engine, registry) = try SafeActionAPITests.fourNeighbours()
        let small = try engine.select(SafeActionAPITests.circleAroundA(radiusMeters: 150))
        let all = try engine.select(SafeActionAPITests.circleAroundA())
        #expect(small.participants.map(\.id) == [4])
        let ledger = try Ledger.open(at: path)
        let d = try Dispatcher(
            providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        let writers = Mutex<[String?]>([])
        ledger.writeWatch.withLock { $0 = { writers.withLock { $0.append(WorkerThreads.currentName) } } }

        let id = try await d.start(SafeActionAPITests.burglary, selection: small, recipients: .registry(registry))
        try await d.enlarge(id, selection: all, recipients: .registry(registry))

        #expect(writers.withLock { $0 } == [Dispatcher.commandsThreadName, Dispatcher.commandsThreadName])
        #expect(try d.status(id).included == 2, "persons 3 and 4; 1 opted out, 2 quiet on every channel")
    }
}
