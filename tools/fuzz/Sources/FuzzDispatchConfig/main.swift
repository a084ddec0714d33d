import FanOut
import FanoutAreaTools
import FanoutEngine
import Foundation
import FuzzSupport
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

/// libFuzzer target: the dispatcher's JSON configuration (`DispatchConfig.parse`).
exit(
    Fuzz.run { data in
        do {
            let config = try DispatchConfig.parse(data, source: "fuzz-config.json")
            // Accepted means valid: every number within its range (validating again must pass).
            do { try config.validate(source: "again") } catch {
                Fuzz.require(false, "an accepted configuration fails validation: \(error)")
            }
            Fuzz.require(
                config.voice.typicalCallSeconds.isFinite, "typicalCallSeconds \(config.voice.typicalCallSeconds)")
            // Accepted means plannable: the estimate does not trap and stays within the planner's bound.
            for n in [1, 1_600_000, Int.max] {
                let estimate = Planner.estimate(
                    recipients: Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, n) }), config: config)
                Fuzz.require(
                    estimate.lastRecipientAt > .zero && estimate.lastRecipientAt <= Planner.longestEstimate,
                    "estimate for \(n) per channel: \(estimate.lastRecipientAt)")
            }
        } catch {
            Fuzz.requireOwnError(error, DispatchError.self, naming: "fuzz-config.json")
        }
    })
