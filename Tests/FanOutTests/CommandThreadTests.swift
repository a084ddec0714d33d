import Foundation
import Synchronization
import TestSupport
import Testing

@testable import FanOut
import FanoutTesting
import Geo
import Participants
import Selection

/// A command awaited from a task (`await d.start(...)`, `enlarge`, `stop`, `end`) writes its one
/// ledger transaction on the dispatcher's commands thread, never on a thread of the cooperative
/// pool; the synchronous commands still write on the caller's own thread.
@Suite struct CommandThreadTests {
    /// `n` participants outside-in (ids `first`...), `n` metres down to 1 from the incident.
    static func participants(_ n: Int, from first: Int64 = 1) -> [SelectedParticipant] {
        (0..<n).map { i in
            SelectedParticipant(id: first + Int64(i), distanceMeters: Double(n - i), country: nil, row: Int32(i))
        }
    }

    static let simulation = RecipientSource.withoutRegistry(reason: "command thread test")

    /// A dispatcher on a new ledger, and the names of the threads its ledger writes run on
    /// (`nil`: a thread that is none of the library's, such as the pool's or the test's own).
    static func watched() throws -> (Dispatcher, Ledger, Writers) {
        let ledger = try LedgerResumeTests.ledger()
        let d = try Dispatcher(providers: [.sms: RecordingProvider()], clock: VirtualClock(), ledger: ledger)
        let writers = Writers()
        ledger.writeWatch.withLock { $0 = { writers.names.withLock { $0.append(WorkerThreads.currentName) } } }
        return (d, ledger, writers)
    }

    /// The thread names ``watched()`` collects.
    final class Writers: Sendable {
        let names = Mutex<[String?]>([])
        var seen: [String?] { names.withLock { $0 } }
    }

    @Test func awaitedCommandsWriteOnTheCommandsThread() async throws {
        let (d, ledger, writers) = try Self.watched()
        let request = Fixture.request([.sms])
        let first = try await d.start(
            request, participants: Self.participants(100), incident: Fixture.point, recipients: Self.simulation)
        let added = try await d.enlarge(
            first, participants: Self.participants(150), recipients: Self.simulation)
        let cancelled = try await d.stop(first)
        let second = try await d.start(
            request, participants: Self.participants(20, from: 1_000), incident: Fixture.point,
            recipients: Self.simulation)
        try await d.runUntilIdle()
        let ended = try await d.end(second, result: "Found. Thank you.")
        try await d.runUntilIdle()

        #expect(added == 50)
        // The start handed the first SMS batch (10, the default) over at once; the rest was queued.
        #expect(cancelled == 140, "150 persons less the first batch")
        #expect(ended == 20)
        let seen = writers.seen
        let byCommands = seen.filter { $0 == Dispatcher.commandsThreadName }.count
        #expect(byCommands == 5, "one transaction per command: start, enlarge, stop, start, end")
        #expect(seen.allSatisfy { $0 == Dispatcher.commandsThreadName || $0 == Dispatcher.threadName },
                "\(Set(seen.map { $0 ?? "a thread of no WorkerThreads" }))")
        #expect(try ledger.messages(of: first).filter { $0.state == .cancelled }.count == 140)
        #expect(try ledger.messages(of: second).filter { $0.key.kind == .end && $0.state == .delivered }.count == 20)
        #expect(try d.status(first).state == .stopped)
        #expect(try d.status(second).state == .ended)
    }

    @Test func anAwaitedCommandThatThrowsWritesNothing() async throws {
        let (d, ledger, writers) = try Self.watched()
        let id = try await d.start(
            Fixture.request([.sms]), participants: Self.participants(3), incident: Fixture.point,
            recipients: Self.simulation)
        await #expect(throws: DispatchError.self) { try await d.end(id, result: "  ") }
        await #expect(throws: DispatchError.self) { try await d.stop(ActionID(rawValue: 99)) }
        #expect(writers.seen == [Dispatcher.commandsThreadName], "only the start wrote")
        #expect(try ledger.messages(of: id).allSatisfy { $0.key.kind == .alert })
    }

    @Test func awaitedCommandsFromManyTasksAtOnceEachWriteOneTransaction() async throws {
        let (d, _, writers) = try Self.watched()
        let request = Fixture.request([.sms])
        let ids = try await withThrowingTaskGroup(of: ActionID.self) { group in
            for task in 0..<8 {
                group.addTask {
                    try await d.start(
                        request, participants: Self.participants(50, from: Int64(task) * 1_000 + 1),
                        incident: Fixture.point, recipients: Self.simulation)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(Set(ids.map(\.rawValue)) == Set(1...8))
        #expect(writers.seen == Array(repeating: Dispatcher.commandsThreadName, count: 8))
        for id in ids { #expect(try d.status(id).included == 50) }
    }

    @Test func synchronousCommandsStillWriteOnTheCallersThread() throws {
        let (d, ledger, writers) = try Self.watched()
        let request = Fixture.request([.sms])
        let id = try d.start(
            request, participants: Self.participants(10), incident: Fixture.point, recipients: Self.simulation)
        #expect(try d.enlarge(id, participants: Self.participants(12), recipients: Self.simulation) == 2)
        #expect(try d.stop(id) == 2, "12 persons less the first SMS batch of 10, handed over at the start")
        #expect(try d.end(id, result: "Found. Thank you.") == 0, "no outcome came in before the stop (no time passed)")
        #expect(writers.seen == [nil, nil, nil, nil], "four commands, each on this thread")
        #expect(try ledger.messages(of: id).filter { $0.state == .cancelled }.count == 2)
        #expect(try d.status(id).state == .ended)
    }
}
