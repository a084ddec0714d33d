import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Repeated in-process crashes at random moments of one action, each followed by a resume.
///
/// The dispatcher is abandoned with its unwritten ledger batch and its calls in progress: the
/// in-process companion of the kill -9 test with real processes (CLITests/KillTests).
@Suite struct CrashResumeTests {
    /// Calls to every 7th person go unanswered, the others are answered after 20–59 s; texts are
    /// delivered after 0.3 s.
    static func providers() -> (voice: RecordingProvider, sms: RecordingProvider, [Channel: any MessageProvider]) {
        let voice = RecordingProvider { m in
            ProviderOutcome(m.key.person % 7 == 0 ? .noAnswer : .delivered, after: .seconds(20 + m.key.person % 40))
        }
        let sms = RecordingProvider(deliveryDelay: .milliseconds(300))
        return (voice, sms, [.voice: voice, .sms: sms])
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomCrashesLoseNobodyAndRepeatOnlyInFlightMessages(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let ledger = try LedgerResumeTests.ledger()
        let (voice, sms, providers) = Self.providers()
        let config = DispatchConfig(voice: .init(lines: 50, typicalCallSeconds: 40))
        let options = DispatchOptions(ledgerBatchSize: 32)
        let n = 5000
        let people = (1...n).map { i in
            Recipient(id: Int64(i), distanceMeters: Double(n - i), channels: i % 3 == 0 ? [.voice] : [.sms])
        }
        let crashes = 10
        let (_, id) = try await Self.runWithCrashes(
            crashes, every: 100...4_000, people: people, request: Fixture.request([.sms, .voice]), config: config,
            providers: providers, ledger: ledger, options: options, random: &random)
        let received = Set(voice.records.map(\.message.key.person) + sms.records.map(\.message.key.person))
        let duplicates = voice.duplicates.count + sms.duplicates.count
        #expect(received == Set((1...n).map(Int64.init)))  // 0 lost
        #expect(voice.records.count + sms.records.count == n)  // first deliveries: one per person
        // In flight at a crash: 50 calls, up to 40 texts (a batch of 10 in transmission and 0.3 s of
        // delivery reports at 100/s), and at most one unwritten ledger batch of hand-overs.
        let window = config.voice.lines + 40 + options.ledgerBatchSize
        #expect(duplicates <= crashes * window)
        let states = Dictionary(grouping: try ledger.messages(of: id), by: \.state).mapValues(\.count)
        #expect(states[.queued] == nil && states[.sent] == nil)
        #expect(states[.failed] == n / 21 + (n % 21 >= 21 ? 1 : 0))  // no answer: ids divisible by 3 and 7
        print(
            "crash test seed \(seed): \(crashes) crashes, 0 lost, \(duplicates) repeats dropped by key, ledger \(states)"
        )
    }

    /// The same with retries and fallback: calls to every 7th person go unanswered twice (5 s
    /// backoff), then fall back to SMS; crashes land between attempts, during backoffs and in
    /// flight.
    @Test(arguments: [4, 5] as [UInt64])
    func randomCrashesWithRetriesAndFallbackKeepEveryAttemptOnce(seed: UInt64) async throws {
        var random = SeededRandom(seed: seed)
        let ledger = try LedgerResumeTests.ledger()
        let (voice, sms, providers) = Self.providers()
        let config = DispatchConfig(
            voice: .init(lines: 50, typicalCallSeconds: 40),
            retry: .init(attemptsPerChannel: 2, backoffSeconds: 5, fallback: true))
        let options = DispatchOptions(ledgerBatchSize: 32)
        let n = 3000
        let people = (1...n).map { i in
            Recipient(id: Int64(i), distanceMeters: Double(n - i), channels: i % 3 == 0 ? [.voice, .sms] : [.sms])
        }
        let crashes = 10
        let (d, id) = try await Self.runWithCrashes(
            crashes, every: 500...6_000, people: people, request: Fixture.request([.voice, .sms]), config: config,
            providers: providers, ledger: ledger, options: options, random: &random)
        // Every attempt reached its provider exactly once as a first delivery: persons divisible
        // by 21 had voice attempts 1 and 2, then SMS attempt 3; everyone else one attempt.
        var attempts: [Int64: [String]] = [:]
        for r in voice.records + sms.records {
            attempts[r.message.key.person, default: []].append("\(r.message.channel.rawValue)\(r.message.attempt)")
        }
        for person in 1...Int64(n) {
            let expected = person % 21 == 0 ? ["voice1", "voice2", "sms3"] : [person % 3 == 0 ? "voice1" : "sms1"]
            #expect(attempts[person]?.sorted() == expected.sorted(), "person \(person)")
        }
        let duplicates = voice.duplicates.count + sms.duplicates.count
        #expect(duplicates <= crashes * (config.voice.lines + 40 + options.ledgerBatchSize))
        let states = Dictionary(grouping: try ledger.messages(of: id), by: \.state).mapValues(\.count)
        #expect(states == [.delivered: n])  // everyone reached in the end
        let s = try d.status(id)
        #expect(s.reached == n)
        print("crash test with retries, seed \(seed): \(crashes) crashes, 0 lost, \(duplicates) repeats dropped by key")
    }

    /// Starts an action on `people`, crashes `crashes` times at random moments (`every` ms apart),
    /// resuming each time from the ledger, and runs the last dispatcher until idle.
    static func runWithCrashes(
        _ crashes: Int, every: ClosedRange<Int64>, people: [Recipient], request: ActionRequest,
        config: DispatchConfig, providers: [Channel: any MessageProvider], ledger: Ledger, options: DispatchOptions,
        random: inout SeededRandom
    ) async throws -> (Dispatcher, ActionID) {
        var d = try Dispatcher(
            config: config, providers: providers, clock: VirtualClock(), ledger: ledger, options: options)
        let id = try d.start(request, recipients: people)
        var now = Duration.zero
        for _ in 0..<crashes {
            now += .milliseconds(Int64.random(in: every, using: &random))
            try d.advance(to: now)
            // Crash: `d` is dropped with whatever its ledger batch held.
            d = try Dispatcher(
                config: config, providers: providers, clock: VirtualClock(start: now), ledger: ledger, options: options)
        }
        try await d.runUntilIdle()
        return (d, id)
    }
}
