/// Estimates before sending, and the safety interlock.
public enum Planner {
    /// When each channel, and the whole action, will have reached its last recipient.
    public struct Estimate: Sendable, Hashable {
        /// Per channel: time until its last message is sent (voice: the last call has ended).
        public var perChannel: [Channel: Duration]
        /// The latest of ``perChannel``: "last recipient at T+…".
        public var lastRecipientAt: Duration
    }

    /// Estimates when the last of `recipients` per channel is reached, from the configured limits,
    /// assuming this action has the channels to itself.
    ///
    /// Voice: `ceil(n / lines)` rounds of `typicalCallSeconds`. Rate channels: `n / perSecond`
    /// (batches add no delay, see ``DispatchConfig/Rate``). Delivery-report delays are not counted.
    /// - Complexity: O(channels).
    public static func estimate(recipients: [Channel: Int], config: DispatchConfig) -> Estimate {
        var per: [Channel: Duration] = [:]
        for (channel, n) in recipients where n > 0 {
            if let rate = config.rate(for: channel) {
                per[channel] = .seconds(fractional: Double(n) / rate.perSecond)
            } else {
                let rounds = (n + config.voice.lines - 1) / config.voice.lines
                per[channel] = .seconds(fractional: Double(rounds) * config.voice.typicalCallSeconds)
            }
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
    /// - Throws: ``FanOutError`` `.confirmationRequired` with the count and the threshold.
    public static func checkInterlock(recipients: Int, incidentType: String, confirmed: Bool, config: DispatchConfig)
        throws
    {
        guard !confirmed, let limit = config.confirmationThreshold(for: incidentType), recipients > limit else {
            return
        }
        throw FanOutError(
            .confirmationRequired,
            "\(recipients) recipients is more than the \(limit) usual for a '\(incidentType)' action; "
                + "confirm explicitly to send")
    }
}
