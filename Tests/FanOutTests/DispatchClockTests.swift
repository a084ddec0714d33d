import Foundation
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct DispatchClockTests {
    @Test func virtualClockJumpsToTheDeadlineWithoutWaiting() async throws {
        let clock = VirtualClock()
        let wall = ContinuousClock.now
        try await clock.sleep(until: .seconds(30 * 60))
        #expect(clock.now == .seconds(1800))
        #expect(ContinuousClock.now - wall < .seconds(1))
    }

    @Test func virtualClockNeverRunsBackwards() {
        let clock = VirtualClock(start: .seconds(10))
        clock.advance(to: .seconds(5))
        clock.advance(by: .seconds(-3))
        #expect(clock.now == .seconds(10))
        clock.advance(by: .milliseconds(250))
        #expect(clock.now == .milliseconds(10_250))
    }

    @Test func systemClockSleepsForReal() async throws {
        let clock = SystemDispatchClock()
        let before = clock.now
        try await clock.sleep(until: before + .milliseconds(20))
        #expect(clock.now - before >= .milliseconds(20))
    }
}
