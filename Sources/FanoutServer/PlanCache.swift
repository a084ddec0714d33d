import FanOut
import FanoutEngine
import Foundation
import Logging
import Prometheus
import Participants
import Selection
import Synchronization

/// What planning a selection needs of each participant, kept in memory: its channel preference,
/// opt-out, the channels it has no contact data for, and its person. A selection's plan is then
/// counted without reading the registry (about 6 µs a participant: 100 ms for a 3 km circle in
/// Amsterdam); the registry stays the truth for starting an action.
///
/// The facts are of one registry generation. A plan is made from them only while the registry is
/// still at that generation (one small read per selection); after any change (this service's own
/// registrations, or another process's import) plans read the registry again until a rebuild on a
/// thread of its own has caught up.
final class PlanCache: Sendable {
    /// One distinct combination of facts (most participants share a few).
    private struct Kind: Hashable {
        var channels: [Channel]
        var optOut: OptOut?
        var noContact: [Channel]
    }

    /// The facts of one generation, never changed once made.
    private final class Snapshot: Sendable {
        let generation: Int64
        let kinds: [Kind]
        /// Participant id → (index into `kinds`, person).
        let facts: [Int64: (kind: UInt32, person: Int64)]

        init(generation: Int64, kinds: [Kind], facts: [Int64: (kind: UInt32, person: Int64)]) {
            self.generation = generation
            self.kinds = kinds
            self.facts = facts
        }
    }

    private let current = Mutex<Snapshot?>(nil)
    /// Plans made from memory, and plans that read the registry (`fanout_selection_plans_total`
    /// with `source` `memory` or `registry` in `/metrics`).
    private let hits: Prometheus.Counter
    private let misses: Prometheus.Counter
    private let rebuilding = Atomic<Bool>(false)
    private let logger: Logger

    init(logger: Logger, metrics: ServeMetrics) {
        self.logger = logger
        let descriptor = MetricNameDescriptor(
            metricName: "fanout_selection_plans", unitName: "total",
            helpText: "Selection plans made from the planning facts in memory, or by reading the registry")
        hits = metrics.registry.makeCounter(descriptor: descriptor, labels: [("source", "memory")])
        misses = metrics.registry.makeCounter(descriptor: descriptor, labels: [("source", "registry")])
    }

    /// The participants' recipients for planning, from memory, or `nil` when the facts are not of
    /// `generation`, the registry generation the selection was made at (a rebuild is started when
    /// they are older).
    func recipients(for participants: [SelectedParticipant], generation: Int64, registry: Registry) -> [Recipient]? {
        let snapshot = current.withLock { $0 }
        guard let snapshot, snapshot.generation == generation else {
            if (snapshot?.generation ?? -1) < generation { rebuild(registry) }
            misses.increment()
            return nil
        }
        var out: [Recipient] = []
        out.reserveCapacity(participants.count)
        for p in participants {
            guard let f = snapshot.facts[p.id] else {  // not in the registry: read it
                misses.increment()
                return nil
            }
            let kind = snapshot.kinds[Int(f.kind)]
            out.append(
                Recipient(
                    id: p.id, distanceMeters: p.distanceMeters, channels: kind.channels, person: f.person,
                    optOut: kind.optOut, noContact: kind.noContact))
        }
        hits.increment()
        return out
    }

    /// Reads every participant's facts on a thread of its own, unless a rebuild runs already.
    func rebuild(_ registry: Registry) {
        guard rebuilding.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        let thread = Thread { [self] in
            defer { rebuilding.store(false, ordering: .releasing) }
            let clock = ContinuousClock()
            let t0 = clock.now
            var kinds: [Kind] = []
            var index: [Kind: UInt32] = [:]
            var facts: [Int64: (kind: UInt32, person: Int64)] = [:]
            do {
                let generation = try registry.allContactPreferences { p in
                    var noContact: [Channel] = []
                    if !p.hasPhone { noContact += [.voice, .sms] }
                    if !p.hasEmail { noContact.append(.email) }
                    let kind = Kind(channels: p.record.channels?.channels ?? [], optOut: p.record.optOut, noContact: noContact)
                    let k: UInt32
                    if let found = index[kind] {
                        k = found
                    } else {
                        k = UInt32(kinds.count)
                        kinds.append(kind)
                        index[kind] = k
                    }
                    facts[p.record.id] = (k, p.person)
                }
                let snapshot = Snapshot(generation: generation, kinds: kinds, facts: facts)
                current.withLock { $0 = snapshot }
                logger.info(
                    "plan facts loaded",
                    metadata: [
                        "participants": "\(facts.count)", "kinds": "\(kinds.count)", "generation": "\(generation)",
                        "seconds": "\(String(format: "%.2f", (clock.now - t0).seconds))",
                    ])
            } catch {
                logger.warning("plan facts not loaded; selections read the registry", metadata: ["error": "\(error)"])
            }
        }
        thread.name = "fanout.serve.plan-facts"
        thread.start()
    }
}
