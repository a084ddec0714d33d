import FanoutEngine
import Foundation
import FuzzSupport

/// libFuzzer target: the dispatcher's JSON configuration (`DispatchConfig.parse`).
exit(
    Fuzz.run { data in
        do {
            let config = try DispatchConfig.parse(data, source: "fuzz-config.json")
            // Accepted means valid: every limit positive (validating again must pass).
            do { try config.validate(source: "again") } catch {
                Fuzz.require(false, "an accepted configuration fails validation: \(error)")
            }
            Fuzz.require(
                config.voice.typicalCallSeconds.isFinite, "typicalCallSeconds \(config.voice.typicalCallSeconds)")
        } catch {
            Fuzz.requireOwnError(error, FanOutError.self, naming: "fuzz-config.json")
        }
    })
