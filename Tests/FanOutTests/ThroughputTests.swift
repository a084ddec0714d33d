import Foundation
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

@Suite struct ThroughputTests {
    /// 20,000 participants over voice, SMS, e-mail and app on virtual time, with the ledger off:
    /// the dispatcher's own cost per message (debug build; `FANOUT_THROUGHPUT_COUNT` sets the size).
    @Test func mixedChannelsOnVirtualTime() async throws {
        let n = ProcessInfo.processInfo.environment["FANOUT_THROUGHPUT_COUNT"].flatMap(Int.init) ?? 20_000
        let providers: [Channel: any MessageProvider] = [
            .voice: RecordingProvider(callDuration: .seconds(45)), .sms: RecordingProvider(),
            .email: RecordingProvider(), .app: RecordingProvider(),
        ]
        let d = Dispatcher(providers: providers, clock: VirtualClock())
        let mix: [Channel] = [.voice, .sms, .email, .app]
        let people = (0..<n).map { i in
            Recipient(id: Int64(i + 1), distanceMeters: Double(n - i) / 10, channels: [mix[i % 4]])
        }
        let wall = ContinuousClock.now
        let id = try d.start(Fixture.request(mix, confirmed: true), recipients: people)
        try await d.runUntilIdle()
        let elapsed = ContinuousClock.now - wall
        let s = try d.status(id)
        #expect(s.alerts == [.delivered: n])
        // n/4 calls on 600 lines in rounds of 45 s; n/4 SMS at 100/s; the later of the two.
        let calls = (n + 3) / 4
        let voiceEnd = Duration.seconds((calls + 599) / 600 * 45)
        let smsEnd = Duration.seconds(fractional: Double(n / 4) / 100)
        #expect(s.lastAlertCompletedAt == max(voiceEnd, smsEnd))
        print("dispatcher: \(n) messages in \(elapsed) wall, \(Int(Double(n) / elapsed.seconds)) messages/s")
    }
}

@Suite struct LedgerThroughputTests {
    /// The same mix with the ledger on: every message queued, sent and delivered in SQLite.
    @Test func mixedChannelsWithTheLedger() async throws {
        let n = ProcessInfo.processInfo.environment["FANOUT_THROUGHPUT_COUNT"].flatMap(Int.init) ?? 20_000
        let ledger = try LedgerResumeTests.ledger()
        let providers: [Channel: any MessageProvider] = [
            .voice: RecordingProvider(callDuration: .seconds(45)), .sms: RecordingProvider(),
            .email: RecordingProvider(), .app: RecordingProvider(),
        ]
        let d = try Dispatcher(providers: providers, clock: VirtualClock(), ledger: ledger)
        let mix: [Channel] = [.voice, .sms, .email, .app]
        let people = (0..<n).map { i in
            Recipient(id: Int64(i + 1), distanceMeters: Double(n - i) / 10, channels: [mix[i % 4]])
        }
        let wall = ContinuousClock.now
        let id = try d.start(Fixture.request(mix, confirmed: true), recipients: people)
        try await d.runUntilIdle()
        let elapsed = ContinuousClock.now - wall
        #expect(try ledger.messages(of: id).allSatisfy { $0.state == .delivered })
        print("dispatcher+ledger: \(n) messages in \(elapsed) wall, \(Int(Double(n) / elapsed.seconds)) messages/s")
    }
}
