import Foundation
import TestSupport
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

/// Robustness of the dispatcher's JSON configuration reader under random and mutated input
/// (`FANOUT_FUZZ_SECONDS`, default 2 s): every refusal is a `DispatchError` naming the file; every
/// accepted configuration passes validation (all limits positive and finite).
@Suite struct DispatchConfigFuzzTests {
    static func check(_ bytes: [UInt8]) throws -> Bool {
        let config: DispatchConfig
        do { config = try DispatchConfig.parse(Data(bytes), source: "limits-fuzz.json") } catch {
            try PropertyViolation.requireError(error, is: [DispatchError.self], naming: "limits-fuzz.json")
            return false
        }
        do { try config.validate() } catch {
            throw PropertyViolation("an accepted configuration fails validation: \(error)")
        }
        try PropertyViolation.require(
            config.voice.typicalCallSeconds.isFinite, "typicalCallSeconds \(config.voice.typicalCallSeconds)")
        // Accepted means plannable: the estimate for any recipient count does not trap and stays
        // within the planner's bound; so does the longest retry wait.
        for n in [1, 1_600_000, Int.max] {
            let estimate = Planner.estimate(
                recipients: Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, n) }), config: config)
            try PropertyViolation.require(
                estimate.lastRecipientAt > .zero && estimate.lastRecipientAt <= Planner.longestEstimate,
                "estimate for \(n) per channel: \(estimate.lastRecipientAt)")
        }
        let wait = config.retry.backoff(after: config.retry.attemptsPerChannel)
        try PropertyViolation.require(wait >= .zero, "backoff \(wait)")
        return true
    }

    @Test func configurationSurvivesMutatedInput() throws {
        let mutator = try InputMutator(corpus: "dispatch-config", dictionary: "json", openers: ["[", "{\"a\":"])
        let run = FuzzRun.run("dispatch-config", mutator: mutator, check: Self.check)
        #expect(run.failure == nil, "\(run)")
        #expect(run.inputs > 0 && run.accepted > 0, "\(run)")
        let prefixes = FuzzRun.prefixes("dispatch-config", mutator: mutator, check: Self.check)
        #expect(prefixes.failure == nil, "\(prefixes)")
    }
}
