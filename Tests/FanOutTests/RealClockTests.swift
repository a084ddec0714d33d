import Testing

@testable import FanOut

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
        #expect(took < .seconds(2))
        try d.end(id, result: "Found")
        try await d.runUntilIdle()
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: 44])
        #expect(s.endMessages == [.delivered: 44])
    }
}
