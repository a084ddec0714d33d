import FanOut
import FanoutEngine
import FanoutTesting
import Foundation
import Geo
import ProviderAdapters
import Participants

// The `--json` forms of the engine's reports (docs/schemas). Keys are snake_case and spelled out;
// times are seconds (`…_seconds`), distances metres (`…_m`); counts per channel or state list
// every case, 0 included; a value that does not apply is null.

extension ActionDesk.Plan: Encodable {
    /// The plan's counts and estimate (not the recipients themselves).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(request.incidentType, forKey: "incident_type")
        try c.encode(String(describing: request.urgency), forKey: "urgency")
        try c.encode(request.channels, forKey: "channels")
        try c.encode(recipients.count, forKey: "recipients")
        try c.encode(CaseCounts(perChannel), forKey: "per_channel")
        try c.encode(skipped, forKey: "skipped")
        try c.encode(estimate.lastRecipientAt.seconds, forKey: "last_recipient_at_seconds")
        try c.encode(estimate.exceedsLongest, forKey: "exceeds_longest_estimate")
        var last = c.nestedContainer(keyedBy: JSONKey.self, forKey: "last_per_channel_seconds")
        for (channel, t) in estimate.perChannel { try last.encode(t.seconds, forKey: JSONKey(channel.rawValue)) }
        try c.encode(threshold, forKey: "threshold")
        try c.encode(request.confirmed, forKey: "confirmed")
        try c.encode(needsConfirmation, forKey: "needs_confirmation")
    }
}

extension ActionDesk.EnlargementPlan: Encodable {
    /// The enlargement's counts, threshold and warnings (not the recipients themselves).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(action.rawValue, forKey: "action")
        try c.encode(count.incidentType, forKey: "incident_type")
        try c.encode(count.included, forKey: "included_before")
        try c.encode(count.listed, forKey: "listed")
        try c.encode(count.alreadyIncluded, forKey: "already_included")
        try c.encode(count.adding, forKey: "adding")
        try c.encode(count.total, forKey: "total")
        try c.encode(threshold, forKey: "threshold")
        try c.encode(confirmed, forKey: "confirmed")
        try c.encode(needsConfirmation, forKey: "needs_confirmation")
        try c.encode(warnings, forKey: "warnings")
    }
}

extension AreaWarning: Encodable {
    /// `{"code": "smaller", "listed": 12, "current": 40, "included": null}` or
    /// `{"code": "disjoint", "listed": null, "current": null, "included": 40}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        var listed: Int?
        var current: Int?
        var included: Int?
        switch self {
        case .smaller(let l, let cur):
            try c.encode("smaller", forKey: "code")
            (listed, current) = (l, cur)
        case .disjoint(let i):
            try c.encode("disjoint", forKey: "code")
            included = i
        }
        try c.encode(listed, forKey: "listed")
        try c.encode(current, forKey: "current")
        try c.encode(included, forKey: "included")
    }
}

extension KannelSMSProvider.Statistics: Encodable {
    /// The adapter's counts (no numbers, texts or password).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: JSONKey.self)
        try c.encode(submitted, forKey: "submitted")
        try c.encode(accepted, forKey: "accepted")
        try c.encode(delivered, forKey: "delivered")
        try c.encode(failed, forKey: "failed")
        try c.encode(timedOut, forKey: "timed_out")
        try c.encode(throttled, forKey: "throttled")
        try c.encode(reports, forKey: "reports")
    }
}
