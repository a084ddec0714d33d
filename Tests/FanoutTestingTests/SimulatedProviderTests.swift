import Foundation
import Geo
import TestSupport
import Testing

@testable import FanOut
import Participants
@testable import FanoutTesting

/// The simulated providers and the provider-record test double.
@Suite struct SimulatedProviderTests {
    static func key(_ person: Int64, _ kind: MessageKind = .alert, action: Int64 = 1) -> MessageKey {
        MessageKey(action: ActionID(rawValue: action), person: person, kind: kind)
    }

    @Test func theSameKeyGetsTheSameOutcomeAndAnotherSeedOthers() {
        let a = ProviderSimulation.realistic(seed: 1)
        let b = ProviderSimulation.realistic(seed: 1)
        let c = ProviderSimulation.realistic(seed: 2)
        var differ = 0
        for p in 1...2000 as ClosedRange<Int64> {
            #expect(a.outcome(for: Self.key(p), on: .voice) == b.outcome(for: Self.key(p), on: .voice))
            if a.outcome(for: Self.key(p), on: .voice) != c.outcome(for: Self.key(p), on: .voice) { differ += 1 }
        }
        #expect(differ > 1500)  // durations are continuous: almost every outcome differs
    }

    /// The shares converge on the profile's rates: with 200,000 calls the standard error of an 8%
    /// share is 0.06 percentage points, so ±0.4 points is over six standard errors.
    @Test func realisticRatesAndDelaysMatchTheProfile() {
        let sim = ProviderSimulation.realistic(seed: 9)
        let n = 200_000
        var results: [DeliveryResult: Int] = [:]
        var answeredMin = Double.infinity
        var answeredMax = 0.0
        var smsSum = 0.0
        var smsMin = Double.infinity
        var smsMax = 0.0
        for p in 1...Int64(n) {
            let v = sim.outcome(for: Self.key(p), on: .voice)
            results[v.result, default: 0] += 1
            if v.result == .delivered {
                answeredMin = min(answeredMin, v.duration.seconds)
                answeredMax = max(answeredMax, v.duration.seconds)
            }
            if v.result == .noAnswer { #expect(v.duration == .seconds(30)) }
            let s = sim.outcome(for: Self.key(p), on: .sms).duration.seconds
            smsSum += s
            smsMin = min(smsMin, s)
            smsMax = max(smsMax, s)
        }
        func share(_ r: DeliveryResult) -> Double { Double(results[r] ?? 0) / Double(n) }
        #expect(abs(share(.busy) - 0.08) < 0.004)
        #expect(abs(share(.noAnswer) - 0.20) < 0.006)
        #expect(abs(share(.failed) - 0.01) < 0.002)
        // Answered: 5–25 s of ringing plus 30 s of message.
        #expect(answeredMin >= 35 && answeredMin < 35.1 && answeredMax <= 55 && answeredMax > 54.9)
        // SMS: uniform 2–20 s, mean 11 s (standard error 0.012 s).
        #expect(smsMin >= 2 && smsMax <= 20 && abs(smsSum / Double(n) - 11) < 0.08)
    }

    @Test func idealProvidersDeliverEverythingAtThePlannersAssumptions() {
        let sim = ProviderSimulation.ideal()
        for p in 1...500 as ClosedRange<Int64> {
            #expect(sim.outcome(for: Self.key(p), on: .voice) == ProviderOutcome(.delivered, after: .seconds(60)))
            #expect(sim.outcome(for: Self.key(p), on: .sms) == ProviderOutcome(.delivered, after: .zero))
        }
        #expect(ProviderSimulation.named("ideal") == .ideal())
        #expect(ProviderSimulation.named("nope") == nil)
    }

    @Test func theProviderRecordHasOneLinePerHandOverAndSurvivesItsWriter() throws {
        let dir = try Fixtures.temporaryDirectory("record")
        let path = dir.appendingPathComponent("record.tsv").path
        let people = (1...1500).map { Recipient(id: Int64($0), distanceMeters: Double(1500 - $0), channels: [.sms]) }
        do {
            var noOverload = ProviderSimulation.realistic(seed: 3)
            noOverload.overloadRate = 0
            let sim = SimulatedProvider(.sms, simulation: noOverload)
            let record = try ProviderRecordProvider(path: path, answeringWith: sim)
            let d = Dispatcher(providers: [.sms: record], clock: VirtualClock())
            let request = ActionRequest(
                incidentPoint: RDPoint(x: 155_000, y: 463_000), incidentType: "t", urgency: .high, message: "m",
                channels: [.sms])
            _ = try d.start(request, recipients: people)
            while let next = d.nextEventTime { try d.advance(to: next) }
            #expect(sim.handedOver.handedOver == 1500)
            #expect(record.writeFailures == 0)
        }  // the writer is gone: the file is all there is
        let read = try ProviderRecord.read(path: path)
        #expect(!read.tornTail)
        #expect(read.entries.map(\.key.person) == people.map(\.id))  // outside-in, once each
        let sim = ProviderSimulation.realistic(seed: 3)
        #expect(
            read.entries.allSatisfy { $0.result == sim.outcome(for: $0.key, on: .sms).result && $0.channel == .sms })
        let failed = read.entries.filter { $0.result == .failed }.count
        #expect(failed > 0 && failed < 50)  // 1% of 1,500
    }

    /// Overload rejections go back to the dispatcher, which offers the message again later and
    /// slows down: everyone still gets exactly one accepted hand-over, with the outcome their key
    /// gives, and 1,000 SMS at 100/s take longer than the 10 s they take without rejections.
    @Test func overloadRejectionsAreOfferedAgainAndSlowTheDispatcherDown() throws {
        var sim = ProviderSimulation.ideal(seed: 5)
        sim.overloadRate = 0.2
        let provider = SimulatedProvider(.sms, simulation: sim)
        let d = Dispatcher(providers: [.sms: provider], clock: VirtualClock())
        let people = (1...1000).map { Recipient(id: Int64($0), distanceMeters: Double(1000 - $0), channels: [.sms]) }
        let request = ActionRequest(
            incidentPoint: RDPoint(x: 155_000, y: 463_000), incidentType: "t", urgency: .high, message: "m",
            channels: [.sms])
        let id = try d.start(request, recipients: people)
        var last = Duration.zero
        while let next = d.nextEventTime {
            try d.advance(to: next)
            last = next
        }
        let counts = provider.handedOver
        let throttled = counts.results[.throttled] ?? 0
        #expect(throttled > 0)
        #expect(counts.handedOver - throttled == 1000)  // one accepted hand-over each
        #expect(try d.status(id).alerts[.delivered] == 1000)
        #expect(last > .seconds(10))
    }

    @Test func aTornLastLineIsReportedAndABadLineNamed() throws {
        let dir = try Fixtures.temporaryDirectory("record")
        let torn = dir.appendingPathComponent("torn.tsv")
        try "1/5/alert/1\tsms\tdelivered\n1/6/al".write(to: torn, atomically: true, encoding: .utf8)
        let r = try ProviderRecord.read(path: torn.path)
        #expect(r.tornTail && r.entries.count == 1 && r.entries[0].key == Self.key(5))
        let bad = dir.appendingPathComponent("bad.tsv")
        try "1/5/alert/1\tsms\tdelivered\n1/x/alert/1\tsms\tdelivered\n".write(
            to: bad, atomically: true, encoding: .utf8)
        #expect {
            try ProviderRecord.read(path: bad.path)
        } throws: { error in
            "\(error)".contains("bad.tsv:2: expected 'action/person/kind/attempt<TAB>channel<TAB>result'")
        }
        #expect(throws: DispatchError.self) {
            try ProviderRecordProvider(
                path: dir.path + "/no/such/dir/r.tsv",
                answeringWith: SimulatedProvider(.sms, simulation: .ideal()))
        }
    }
}
