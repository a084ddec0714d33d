import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct RealClockTests {
    /// A whole action on the real clock: 40 SMS at 1,000/s, 4 calls of 20 ms on 2 lines, then the end.
    @Test func anActionRunsFromStartToEndOnTheRealClock() async throws {
        let config = DispatchConfig(
            voice: .init(lines: 2, typicalCallSeconds: 0.02), sms: .init(perSecond: 1000, batchSize: 10))
        let voice = RecordingProvider(callDuration: .milliseconds(20))
        let sms = RecordingProvider()
        let clock = SystemDispatchClock()
        let d = Dispatcher(config: config, providers: [.voice: voice, .sms: sms], clock: clock)
        let people: [Recipient] = (1...44).map { (i: Int) -> Recipient in
            let channels: [Channel] = i <= 4 ? [.voice] : [.sms]
            return Recipient(id: Int64(i), distanceMeters: Double(100 - i), channels: channels)
        }
        let started = clock.now
        let id = try d.start(Fixture.request([.sms, .voice]), recipients: people)
        try await d.runUntilIdle()
        let took = clock.now - started
        #expect(took >= .milliseconds(40))  // two rounds of 20 ms calls
        // No upper bound: when the whole suite runs, CPU-bound tests elsewhere can hold both cores
        // and the cooperative pool for tens of seconds.
        try await d.end(id, result: "Found")
        try await d.runUntilIdle()
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 44])
        #expect(s.endMessages == [.delivered: 44])
    }
}

@Suite struct RunLoopTests {
    /// Waits (real time) until `condition` holds, for at most a minute (the pool may be starved by
    /// CPU-bound tests in other suites).
    static func eventually(_ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(5))
        }
        return try condition()  // resumed late on a busy pool: look once more
    }

    /// The production driver: commands arrive while `run()` waits, and it wakes for each.
    @Test func theDriverLoopWakesForEachCommand() async throws {
        let config = DispatchConfig(sms: .init(perSecond: 1000, batchSize: 10))
        let sms = RecordingProvider(deliveryDelay: .milliseconds(5))
        let d = Dispatcher(config: config, providers: [.sms: sms], clock: SystemDispatchClock())
        let driver = Task { try await d.run() }
        defer { driver.cancel() }
        try await Task.sleep(for: .milliseconds(20))  // the loop is waiting for work
        let id = try d.start(Fixture.request([.sms]), recipients: Fixture.recipients(30))
        #expect(try await Self.eventually { try d.status(id).alerts == [.delivered: 30] })
        try d.enlarge(id, with: Fixture.recipients(50))
        #expect(try await Self.eventually { try d.status(id).alerts == [.delivered: 50] })
        try await d.end(id, result: "Found")
        #expect(try await Self.eventually { try d.status(id).endMessages == [.delivered: 50] })
        driver.cancel()
        await #expect(throws: CancellationError.self) { try await driver.value }
    }
}
