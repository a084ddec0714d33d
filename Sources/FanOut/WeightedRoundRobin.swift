import Geo
import Participants
/// Smooth weighted round robin (as in nginx): over a round of total weight W, a candidate of
/// weight w is picked exactly w times, interleaved, so every candidate progresses (no starvation)
/// and a heavier one progresses faster.
///
/// - Complexity: O(candidates) per pick.
struct WeightedRoundRobin {
    private var current: [ActionID: Int] = [:]

    /// Picks one of `candidates` (id, weight); ties go to the lower id.
    mutating func pick(_ candidates: [(id: ActionID, weight: Int)]) -> ActionID? {
        guard !candidates.isEmpty else { return nil }
        if candidates.count == 1 { return candidates[0].id }
        var total = 0
        var best: (id: ActionID, value: Int)?
        for c in candidates {
            let v = current[c.id, default: 0] + c.weight
            current[c.id] = v
            total += c.weight
            if best == nil || v > best?.value ?? 0 || (v == best?.value && c.id < best?.id ?? c.id) {
                best = (c.id, v)
            }
        }
        guard let chosen = best else { return nil }
        current[chosen.id, default: 0] -= total
        return chosen.id
    }

    /// Forgets an action that has nothing left in this channel.
    mutating func remove(_ id: ActionID) { current[id] = nil }
}
