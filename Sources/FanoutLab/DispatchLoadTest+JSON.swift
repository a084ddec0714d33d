import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import Selection
import Synthetic

// The `--json` form of the dispatcher load test (docs/schemas/loadtest-dispatch.schema.json):
// keys snake_case and spelled out, times in seconds.

extension DispatchLoadTest.ActionFigures: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(name, forKey: "name")
        try c.encode(included, forKey: "included")
        try c.encode(reached, forKey: "reached")
        try c.encode(t50?.seconds, forKey: "reached_50_seconds")
        try c.encode(t90?.seconds, forKey: "reached_90_seconds")
        try c.encode(t100?.seconds, forKey: "reached_100_seconds")
    }
}

extension DispatchLoadTest.Report: Encodable {
    /// The scenario's figures; `per_channel` has every channel, each with its hand-overs and
    /// the count per result (0 included).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(actions, forKey: "actions")
        var channels = c.nestedContainer(keyedBy: JSONKey.self, forKey: "per_channel")
        for channel in Channel.allCases {
            var k = channels.nestedContainer(keyedBy: JSONKey.self, forKey: JSONKey(channel.rawValue))
            try k.encode(perChannel[channel]?.handedOver ?? 0, forKey: "handed_over")
            try k.encode(CaseCounts(perChannel[channel]?.results ?? [:]), forKey: "results")
        }
        try c.encode(messages, forKey: "messages")
        try c.encode(repeats, forKey: "repeats")
        try c.encode(rejected, forKey: "rejected")
        try c.encode(maxQueued, forKey: "max_queued")
        try c.encode(maxQueuedAt.seconds, forKey: "max_queued_at_seconds")
        try c.encode(dispatchCPUSeconds, forKey: "dispatch_cpu_seconds")
        try c.encode(dispatchWallSeconds, forKey: "dispatch_wall_seconds")
        try c.encode(selectionSeconds, forKey: "selection_seconds")
        try c.encode(span.seconds, forKey: "span_seconds")
        try c.encode(withLedger, forKey: "with_ledger")
    }
}
