import Geo
import Participants
/// Estimates before sending, and the safety interlock.
public enum Planner {
    /// When each channel, and the whole action, will have reached its last recipient.
    public struct Estimate: Sendable, Hashable {
        /// Per channel: time until its last message is sent (voice: the last call has ended), at
        /// most ``Planner/longestEstimate``.
        public var perChannel: [Channel: Duration]
        /// The latest of ``perChannel``: "last recipient at T+…".
        public var lastRecipientAt: Duration

        /// Whether some channel would take ``Planner/longestEstimate`` or longer (its time is then
        /// given as that bound: "more than 100 days").
        public var exceedsLongest: Bool { lastRecipientAt >= Planner.longestEstimate }
    }

    /// The longest estimate given (100 days); a longer one is reported as this bound
    /// (``Estimate/exceedsLongest``).
    public static let longestEstimate: Duration = .seconds(100 * 86_400)

    /// Estimates when the last of `recipients` per channel is reached, from the configured limits,
    /// assuming this action has the channels to itself.
    ///
    /// Voice: `ceil(n / lines)` rounds of `typicalCallSeconds`. Rate channels: `n / perSecond`
    /// (batches add no delay, see ``DispatchConfig/Rate``). Delivery-report delays are not counted.
    /// Never traps: a time beyond ``longestEstimate`` (or a configuration that was not validated,
    /// with a rate of 0) is given as ``longestEstimate``.
    /// - Complexity: O(channels).
    public static func estimate(recipients: [Channel: Int], config: DispatchConfig) -> Estimate {
        var per: [Channel: Duration] = [:]
        let longest = longestEstimate.seconds
        for (channel, n) in recipients where n > 0 {
            let seconds: Double
            if let rate = config.rate(for: channel) {
                seconds = Double(n) / rate.perSecond
            } else {
                let lines = max(1, config.voice.lines)
                let rounds = n / lines + (n % lines == 0 ? 0 : 1)
                seconds = Double(rounds) * config.voice.typicalCallSeconds
            }
            // NaN (0 / 0) and negative times come only from unvalidated limits: the bound, too.
            per[channel] = seconds >= 0 && seconds < longest ? .seconds(fractional: seconds) : longestEstimate
        }
        return Estimate(perChannel: per, lastRecipientAt: per.values.max() ?? .zero)
    }

    /// Estimates for an action request: each recipient on the channel the dispatcher would use
    /// (none for those it would skip: opted out, or no channel with contact data).
    public static func estimate(_ request: ActionRequest, recipients: [Recipient], config: DispatchConfig) -> Estimate {
        estimate(recipients: channelCounts(request, recipients: recipients).perChannel, config: config)
    }

    /// The persons the dispatcher would alert on each channel (each person once, on the first
    /// channel of their plan, quiet hours aside), and how many it would skip (opted out of this
    /// incident type, or no channel with contact data).
    public static func channelCounts(_ request: ActionRequest, recipients: [Recipient]) -> (
        perChannel: [Channel: Int], skipped: Int
    ) {
        var counts: [Channel: Int] = [:]
        var skipped = 0
        var seen: Set<Int64> = []
        for r in recipients where seen.insert(r.person).inserted {
            if let c = request.channel(for: r) { counts[c, default: 0] += 1 } else { skipped += 1 }
        }
        return (counts, skipped)
    }

    /// Refuses an action larger than its incident type's threshold unless it is confirmed.
    ///
    /// - Throws: ``DispatchError`` `.confirmationRequired` with the count and the threshold.
    public static func checkInterlock(recipients: Int, incidentType: String, confirmed: Bool, config: DispatchConfig)
        throws
    {
        guard !confirmed, let limit = config.confirmationThreshold(for: incidentType), recipients > limit else {
            return
        }
        throw DispatchError(
            .confirmationRequired,
            "\(recipients) recipients is more than the \(limit) usual for a '\(incidentType)' action; "
                + "confirm explicitly to send")
    }
}
