import FanOut
import Geo
import Participants
import Synchronization

/// How simulated providers behave: call durations, busy/no-answer/failure rates and delivery
/// delays per channel, for load tests and the demo on virtual time.
///
/// Every outcome is a pure function of the seed and the message's idempotency key, so a run is
/// deterministic on virtual time, and a message sent again under the same key (after a restart)
/// gets the same outcome, as from a provider that honours keys.
///
/// The named profiles:
/// - `realistic`: voice rings 5–25 s and the recorded message plays 30 s when answered; 8% busy
///   (line held 4 s), 20% no answer (ring timeout 30 s), 1% failed (2 s); SMS delivered after
///   2–20 s, 1% failed; e-mail after 1–60 s, 0.5% failed; app push after 0.5–3 s, 2% failed
///   (assumed figures for a Dutch mix of landlines and mobiles; not measured).
///   One hand-over in 2,000 is rejected as overloaded (``DeliveryResult/throttled``), decided
///   per key, attempt and moment, so the same message is accepted when offered again later.
/// - `ideal`: everything delivered; a call holds its line 60 s, other channels report at once
///   (the planner's assumptions, so its estimate is the finish time).
public struct ProviderSimulation: Sendable, Hashable {
    /// A delay drawn uniformly between two bounds, in seconds.
    public struct Delay: Sendable, Hashable {
        /// Shortest delay in seconds.
        public var minSeconds: Double
        /// Longest delay in seconds.
        public var maxSeconds: Double
        /// Creates a delay range (`min ≤ max`).
        public init(_ minSeconds: Double, _ maxSeconds: Double) {
            self.minSeconds = minSeconds
            self.maxSeconds = max(minSeconds, maxSeconds)
        }
        func at(_ u: Double) -> Duration { .seconds(fractional: minSeconds + u * (maxSeconds - minSeconds)) }
    }

    /// Voice: ringing before an answer, how long the recorded message plays.
    public var ring: Delay
    /// Voice: seconds the message plays once answered.
    public var messageSeconds: Double
    /// Voice: ring timeout for an unanswered call, in seconds.
    public var ringTimeoutSeconds: Double
    /// Voice: share of calls that find the line busy, that ring out unanswered, that fail.
    public var busyRate, noAnswerRate, voiceFailureRate: Double
    /// Delivery delay per non-voice channel.
    public var smsDelay, emailDelay, appDelay: Delay
    /// Share of non-voice messages that fail.
    public var smsFailureRate, emailFailureRate, appFailureRate: Double
    /// Share of hand-overs the provider rejects as overloaded (``DeliveryResult/throttled``).
    public var overloadRate: Double = 0
    /// The seed: a different seed gives different (but again deterministic) outcomes.
    public var seed: UInt64

    /// The realistic mix (see the type's description).
    public static func realistic(seed: UInt64 = 1) -> ProviderSimulation {
        ProviderSimulation(
            ring: Delay(5, 25), messageSeconds: 30, ringTimeoutSeconds: 30, busyRate: 0.08, noAnswerRate: 0.20,
            voiceFailureRate: 0.01, smsDelay: Delay(2, 20), emailDelay: Delay(1, 60), appDelay: Delay(0.5, 3),
            smsFailureRate: 0.01, emailFailureRate: 0.005, appFailureRate: 0.02, overloadRate: 0.0005, seed: seed)
    }

    /// Everything delivered at the planner's assumptions (see the type's description).
    public static func ideal(seed: UInt64 = 1) -> ProviderSimulation {
        ProviderSimulation(
            ring: Delay(0, 0), messageSeconds: 60, ringTimeoutSeconds: 30, busyRate: 0, noAnswerRate: 0,
            voiceFailureRate: 0, smsDelay: Delay(0, 0), emailDelay: Delay(0, 0), appDelay: Delay(0, 0),
            smsFailureRate: 0, emailFailureRate: 0, appFailureRate: 0, seed: seed)
    }

    /// The names ``named(_:seed:)`` accepts.
    public static let names = ["realistic", "ideal"]

    /// A named profile, or `nil` for an unknown name.
    public static func named(_ name: String, seed: UInt64 = 1) -> ProviderSimulation? {
        switch name {
        case "realistic": realistic(seed: seed)
        case "ideal": ideal(seed: seed)
        default: nil
        }
    }

    /// The outcome of a hand-over: a pure function of the seed, the message and the moment.
    ///
    /// An overload rejection depends on the key, the attempt and `time`; everything else on the
    /// seed and the key alone (a repeat after a restart gets the same outcome).
    public func outcome(of message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        if overloadRate > 0 {
            var h = SplitMix(seed ^ 0x5DEE_CE66_D1CE_4E5B)
            h.mix(UInt64(bitPattern: message.key.action.rawValue))
            h.mix(UInt64(bitPattern: message.key.person))
            h.mix(UInt64(message.attempt))
            h.mix(UInt64(bitPattern: Int64(time.components.seconds)) ^ UInt64(time.components.attoseconds))
            if h.unit() < overloadRate { return ProviderOutcome(.throttled) }
        }
        return outcome(for: message.key, on: message.channel)
    }

    /// The outcome of `key` on `channel` when it is accepted: a pure function of the seed and
    /// the key.
    public func outcome(for key: MessageKey, on channel: Channel) -> ProviderOutcome {
        var h = SplitMix(seed ^ UInt64(bitPattern: key.action.rawValue) &* 0x9E37_79B9_7F4A_7C15)
        h.mix(UInt64(bitPattern: key.person))
        h.mix(key.kind == .alert ? 1 : 2)
        h.mix(UInt64(Channel.allCases.firstIndex(of: channel) ?? 0))
        let u = h.unit()
        let v = h.unit()
        switch channel {
        case .voice:
            if u < busyRate { return ProviderOutcome(.busy, after: .seconds(4)) }
            if u < busyRate + noAnswerRate {
                return ProviderOutcome(.noAnswer, after: .seconds(fractional: ringTimeoutSeconds))
            }
            if u < busyRate + noAnswerRate + voiceFailureRate { return ProviderOutcome(.failed, after: .seconds(2)) }
            return ProviderOutcome(.delivered, after: ring.at(v) + .seconds(fractional: messageSeconds))
        case .sms: return Self.rated(u, v, failure: smsFailureRate, delay: smsDelay)
        case .email: return Self.rated(u, v, failure: emailFailureRate, delay: emailDelay)
        case .app: return Self.rated(u, v, failure: appFailureRate, delay: appDelay)
        }
    }

    private static func rated(_ u: Double, _ v: Double, failure: Double, delay: Delay) -> ProviderOutcome {
        ProviderOutcome(u < failure ? .failed : .delivered, after: delay.at(v))
    }
}

/// SplitMix64: the simulation's per-key hash, and the load test's seeded generator.
package struct SplitMix {
    package var state: UInt64
    package init(_ seed: UInt64) { state = seed }
    package mutating func mix(_ value: UInt64) { state = next() ^ value }
    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// A uniform value in [0, 1).
    package mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }
}

/// A **simulated provider** for one channel, answering from a ``ProviderSimulation``.
///
/// It counts what it was handed and sends nothing anywhere. For load tests and the demo on virtual time. It keeps no per-key state (memory stays flat
/// for millions of messages); a message sent again under the same key gets the same outcome.
public final class SimulatedProvider: MessageProvider {
    /// The channel it stands in for.
    public let channel: Channel
    /// The behaviour.
    public let simulation: ProviderSimulation
    private let counts = Mutex(Counts())

    /// What a simulated provider was handed, by result.
    public struct Counts: Sendable, Hashable {
        /// Messages handed over (repeats under the same key included).
        public var handedOver = 0
        /// Handed-over messages per result.
        public var results: [DeliveryResult: Int] = [:]
    }

    /// Creates a simulated provider for `channel`.
    public init(_ channel: Channel, simulation: ProviderSimulation) {
        self.channel = channel
        self.simulation = simulation
    }

    /// One simulated provider per channel.
    public static func all(_ simulation: ProviderSimulation) -> [Channel: SimulatedProvider] {
        Dictionary(uniqueKeysWithValues: Channel.allCases.map { ($0, SimulatedProvider($0, simulation: simulation)) })
    }

    /// Answers from the simulation.
    public func send(_ message: OutboundMessage, at time: Duration) -> ProviderOutcome {
        let outcome = simulation.outcome(of: message, at: time)
        counts.withLock {
            $0.handedOver += 1
            $0.results[outcome.result, default: 0] += 1
        }
        return outcome
    }

    /// What it was handed so far.
    public var handedOver: Counts { counts.withLock { $0 } }
}
