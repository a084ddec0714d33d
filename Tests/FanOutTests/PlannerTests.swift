import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct PlannerTests {
    @Test func estimatesFromTheConfiguredLimits() {
        let c = DispatchConfig()
        #expect(Planner.estimate(recipients: [.sms: 1000], config: c).lastRecipientAt == .seconds(10))
        #expect(Planner.estimate(recipients: [.voice: 1200], config: c).lastRecipientAt == .seconds(120))
        #expect(Planner.estimate(recipients: [.voice: 1201], config: c).lastRecipientAt == .seconds(180))
        let mixed = Planner.estimate(recipients: [.voice: 600, .sms: 9000, .email: 50_000], config: c)
        let expected: [Channel: Duration] = [.voice: .seconds(60), .sms: .seconds(90), .email: .seconds(5)]
        #expect(mixed.perChannel == expected)
        #expect(mixed.lastRecipientAt == .seconds(90))
        #expect(Planner.estimate(recipients: [:], config: c).lastRecipientAt == .zero)
    }

    @Test func theEstimateMatchesTheDispatcherOnVirtualTime() async throws {
        let config = DispatchConfig(voice: .init(lines: 50, typicalCallSeconds: 40))
        let providers: [Channel: any MessageProvider] = [
            .voice: RecordingProvider(callDuration: .seconds(40)), .sms: RecordingProvider(),
        ]
        let people: [Recipient] = (1...1000).map { (i: Int) -> Recipient in
            let channels: [Channel] = i % 5 == 0 ? [.voice] : [.sms]
            return Recipient(id: Int64(i), distanceMeters: Double(2000 - i), channels: channels)
        }
        let request = Fixture.request([.sms, .voice])
        let plan = Planner.estimate(request, recipients: people, config: config)
        let expected: [Channel: Duration] = [.voice: .seconds(160), .sms: .seconds(8)]
        #expect(plan.perChannel == expected)
        let d = Dispatcher(config: config, providers: providers, clock: VirtualClock())
        let id = try d.start(request, recipients: people)
        try await d.runUntilIdle()
        #expect(try d.status(id).lastAlertCompletedAt == plan.lastRecipientAt)
    }

    @Test func theInterlockNamesCountAndThreshold() {
        let c = DispatchConfig(confirmationThresholds: ["bike-theft": 500])
        #expect(throws: Never.self) {
            try Planner.checkInterlock(recipients: 500, incidentType: "bike-theft", confirmed: false, config: c)
        }
        #expect {
            try Planner.checkInterlock(recipients: 501, incidentType: "bike-theft", confirmed: false, config: c)
        } throws: {
            "\($0)" == "501 recipients is more than the 500 usual for a 'bike-theft' action; confirm explicitly to send"
        }
        #expect(throws: Never.self) {
            try Planner.checkInterlock(recipients: 10_000, incidentType: "bike-theft", confirmed: true, config: c)
            try Planner.checkInterlock(recipients: 10_000, incidentType: "other", confirmed: false, config: c)
        }
    }
}
