import Geo
import Logging
import Participants

/// Back-pressure: slowing down on a provider's rejections, speeding up on acceptances, giving
/// up on a provider that rejects everything, and the log lines about it.
extension DispatchCore {
    /// A provider rejected a hand-over on `channel` as overloaded: slow down and pause.
    mutating func throttle(_ channel: Channel, at now: Duration) {
        let i = channel.index
        let bp = config.backPressure
        let limit = config.limit(of: channel)
        let floor = channel == .voice ? max(1, (limit * bp.minimumFraction).rounded(.down)) : limit * bp.minimumFraction
        let before = rates[i]
        rates[i] = max(floor, before * bp.decreaseFactor)
        if channel == .voice { rates[i] = rates[i].rounded(.down) }
        metrics.throttled[i].increment()
        metrics.rate[i].record(rates[i])
        let resume = now + .seconds(fractional: bp.pauseSeconds)
        freeAt[channel] = max(freeAt[channel] ?? resume, resume)
        if readyScheduled.insert(channel).inserted {
            events.push(.channelReady(channel), at: freeAt[channel] ?? resume)
        }
        // Not a line per rejection (a provider down for minutes would write one a second), nor
        // one per episode of rejections (a provider that flaps for a month would write thousands):
        // the first episode is a warning, later ones are counted into summaries.
        if rejectingSince[channel] != nil {
            throttleLog[channel, default: RepeatedEvent()].add(weight: 1, at: now)
            logger.trace(
                "provider still rejecting", metadata: ["channel": "\(channel.rawValue)", "rate": "\(rates[i])"])
            return
        }
        rejectingSince[channel] = now
        let metadata: Logger.Metadata = [
            "channel": "\(channel.rawValue)", "rate_before": "\(before)", "rate": "\(rates[i])",
            "pause_s": "\(bp.pauseSeconds)",
        ]
        guard let line = throttleLog[channel, default: RepeatedEvent()].occurred(at: now) else {
            logger.debug("provider throttled: slowing down", metadata: metadata)
            return
        }
        if line.isFirst {
            logger.warning("provider throttled: slowing down", metadata: metadata)
        } else {
            logThrottleSummary(channel, line)
        }
    }

    /// Writes a summary of `channel`'s episodes of rejections since the last line about them.
    func logThrottleSummary(_ channel: Channel, _ line: RepeatedEvent.Line) {
        let i = channel.index
        let message =
            "\(channel.rawValue) provider throttled again (\(line.count) time\(line.count == 1 ? "" : "s") since "
            + "\(line.since.dispatchTimeText), \(line.weight) hand-over\(line.weight == 1 ? "" : "s") rejected)"
        logger.warning(
            "\(message)",
            metadata: [
                "channel": "\(channel.rawValue)", "times": "\(line.count)", "since": "\(line.since.dispatchTimeText)",
                "rejected": "\(line.weight)", "rate": "\(rates[i])", "limit": "\(config.limit(of: channel))",
            ])
    }

    /// Writes what the throttling summaries counted but did not write yet (at the end of a run).
    mutating func logThrottleRemainders() {
        for channel in Channel.allCases {
            if let line = throttleLog[channel]?.remainder() { logThrottleSummary(channel, line) }
        }
    }

    /// Whether `channel`'s provider has rejected every hand-over for ``DispatchConfig/BackPressure/giveUpSeconds``
    /// at `now`: then a rejection counts as a failed attempt. Logged once per episode.
    mutating func unavailable(_ channel: Channel, at now: Duration) -> Bool {
        guard let since = rejectingSince[channel],
            now - since >= .seconds(fractional: config.backPressure.giveUpSeconds)
        else { return false }
        if unavailableLogged.insert(channel).inserted {
            // Failing its messages needs no slowing down: back to the configured rate, so that a
            // backlog fails over at once rather than at the throttled rate.
            rates[channel.index] = config.limit(of: channel)
            freeAt[channel] = min(freeAt[channel] ?? now, now)
            readyScheduled.insert(channel)
            events.push(.channelReady(channel), at: now)  // the pending one may be far off
            logger.error(
                "provider unavailable: its messages fail over to the next channel or are given up",
                metadata: ["channel": "\(channel.rawValue)", "rejecting_s": "\((now - since).seconds)"])
        }
        return true
    }

    /// A hand-over of `share` of a full batch was accepted on `channel`: speed up towards the limit.
    mutating func accepted(_ channel: Channel, share: Double) {
        rejectingSince[channel] = nil
        if unavailableLogged.remove(channel) != nil {
            logger.notice("provider available again", metadata: ["channel": "\(channel.rawValue)"])
        }
        let i = channel.index
        let limit = config.limit(of: channel)
        guard rates[i] < limit else { return }
        rates[i] = min(limit, rates[i] + limit * config.backPressure.increaseFraction * share)
        metrics.rate[i].record(rates[i])
        if rates[i] == limit {
            logger.debug("provider rate recovered", metadata: ["channel": "\(channel.rawValue)", "rate": "\(limit)"])
        }
    }
}
