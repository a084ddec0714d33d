import Geo
import Metrics
import Participants

/// The dispatcher's swift-metrics instruments, made once per dispatcher (one per channel each), so
/// that counting a message costs one call.
///
/// | label | kind | dimensions | what |
/// | --- | --- | --- | --- |
/// | `fanout_messages_sent_total` | counter | channel | hand-overs a provider accepted (alerts and end messages, every attempt) |
/// | `fanout_messages_delivered_total` | counter | channel | attempts delivered (answered) |
/// | `fanout_messages_failed_total` | counter | channel | attempts busy, unanswered or failed |
/// | `fanout_retries_total` | counter | channel | attempts repeated on the channel |
/// | `fanout_fallbacks_total` | counter | channel | alerts moved away from the channel |
/// | `fanout_throttled_total` | counter | channel | hand-overs rejected as overloaded |
/// | `fanout_queue_depth` | gauge | channel | messages waiting for the channel (all actions) |
/// | `fanout_provider_rate` | gauge | channel | current rate after back-pressure (messages/s; voice: lines) |
/// | `fanout_time_to_reach_seconds` | timer | channel | from an action's start to each person reached |
struct DispatchMetrics {
    let sent: [Counter]
    let delivered: [Counter]
    let failed: [Counter]
    let retries: [Counter]
    let fallbacks: [Counter]
    let throttled: [Counter]
    let queueDepth: [Gauge]
    let rate: [Gauge]
    let timeToReach: [Metrics.Timer]

    init(factory: any MetricsFactory) {
        func counters(_ label: String) -> [Counter] {
            Channel.allCases.map { Counter(label: label, dimensions: [("channel", $0.rawValue)], factory: factory) }
        }
        func gauges(_ label: String) -> [Gauge] {
            Channel.allCases.map { Gauge(label: label, dimensions: [("channel", $0.rawValue)], factory: factory) }
        }
        sent = counters("fanout_messages_sent_total")
        delivered = counters("fanout_messages_delivered_total")
        failed = counters("fanout_messages_failed_total")
        retries = counters("fanout_retries_total")
        fallbacks = counters("fanout_fallbacks_total")
        throttled = counters("fanout_throttled_total")
        queueDepth = gauges("fanout_queue_depth")
        rate = gauges("fanout_provider_rate")
        timeToReach = Channel.allCases.map {
            Metrics.Timer(
                label: "fanout_time_to_reach_seconds", dimensions: [("channel", $0.rawValue)],
                preferredDisplayUnit: .seconds, factory: factory)
        }
    }
}
