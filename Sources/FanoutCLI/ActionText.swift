import FanOut
import FanoutAreaTools
import FanoutCore
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import Participants
import ProviderAdapters
import Selection
import Synthetic

/// Text for the `fanout action` commands (counts, times, the ring report, the progress bar).
enum ActionText {
    /// Dispatcher time as `42.5 s`, `12:05` or `1:02:05`.
    static func time(_ d: Duration) -> String {
        let s = d.seconds
        if s < 60 { return "\(DecimalFormat.string(s, decimals: 1)) s" }
        // Dispatcher times stay below 10⁹ s (saturated); anything larger is shown in days, not trapped on.
        guard s < 1e12 else { return "\(DecimalFormat.string(s / 86_400, decimals: 0)) days" }
        let whole = Int(s.rounded())
        let (h, m, sec) = (whole / 3600, whole / 60 % 60, whole % 60)
        let mm = h > 0 && m < 10 ? "0\(m)" : "\(m)"
        let ss = sec < 10 ? "0\(sec)" : "\(sec)"
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(mm):\(ss)"
    }

    static func counts<K: Hashable>(_ c: [K: Int], order: [K], name: (K) -> String) -> String {
        let parts = order.compactMap { k in c[k].flatMap { $0 == 0 ? nil : "\(name(k)) \(grouped($0))" } }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }

    static let states: [MessageState] = [.queued, .sent, .delivered, .failed, .cancelled]
    static let results: [DeliveryResult] = [.delivered, .busy, .noAnswer, .failed]

    /// "action 1 started: 17 participants queued" and the persons skipped, with their reasons.
    static func started(_ s: ActionStatus) -> String {
        var line = "action \(s.id) started: \(grouped(s.included)) participants queued"
        let skipped = s.skipped.values.reduce(0, +)
        if skipped > 0 {
            let reasons = s.skipped.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue) \(grouped($0.value))" }
            line += ", \(grouped(skipped)) skipped (\(reasons.joined(separator: ", ")))"
        }
        return line
    }

    static func plan(_ p: ActionDesk.Plan) -> String {
        var per = counts(p.perChannel, order: Channel.allCases, name: \.rawValue)
        if p.skipped > 0 { per += "; \(grouped(p.skipped)) to skip: opted out or no contact data" }
        var lines = [
            "plan: \(grouped(p.recipients.count)) participants (\(per)); last recipient \(planned(p.estimate.lastRecipientAt))"
        ]
        for c in Channel.allCases {
            if let t = p.estimate.perChannel[c] { lines.append("  \(c.rawValue): last \(planned(t))") }
        }
        if let t = p.threshold {
            lines.append(
                "  confirmation threshold for '\(p.request.incidentType)': \(grouped(t))\(p.request.confirmed ? " (confirmed)" : "")"
            )
        }
        return lines.joined(separator: "\n")
    }

    /// "enlargement of action 3: 1,600,000 persons in the new area, 1,599,556 not yet included; ..."
    static func enlargement(_ p: ActionDesk.EnlargementPlan) -> String {
        var line =
            "enlargement of action \(p.action): \(grouped(p.count.listed)) persons in the new area, "
            + "\(grouped(p.count.adding)) not yet included; the action would have \(grouped(p.count.total)) persons"
        if let t = p.threshold {
            line += " (confirmation threshold for '\(p.count.incidentType)': \(grouped(t))\(p.confirmed ? ", confirmed" : ""))"
        }
        return line
    }

    /// One ``AreaWarning`` for a person.
    static func warning(_ w: AreaWarning) -> String {
        switch w {
        case .smaller(let listed, let current):
            "the new area lists \(grouped(listed)) persons, fewer than the \(grouped(current)) of the current area: "
                + "is it smaller? An enlargement takes nobody out"
        case .disjoint(let included):
            "none of the \(grouped(included)) persons already included is inside the new area: is it the right area?"
        }
    }

    /// "at T+1:00", or "after more than 100 days" at the planner's bound.
    static func planned(_ t: Duration) -> String {
        t >= Planner.longestEstimate
            ? "after more than \(grouped(Int(Planner.longestEstimate.seconds / 86_400))) days (check the --config limits)"
            : "at T+\(time(t))"
    }

    static func status(_ s: ActionStatus) -> String {
        var lines = [
            "action \(s.id): \(s.state.rawValue), \(grouped(s.included)) included, \(grouped(s.reached)) reached\(s.isIdle ? ", idle" : "")"
        ]
        lines.append("  alerts: \(counts(s.alerts, order: states, name: \.rawValue))")
        if !s.outcomes.isEmpty {
            lines.append("  outcomes in this process: \(counts(s.outcomes, order: results, name: \.rawValue))")
        }
        if !s.endMessages.isEmpty {
            lines.append("  end messages: \(counts(s.endMessages, order: states, name: \.rawValue))")
        }
        if let t = s.lastAlertCompletedAt { lines.append("  last alert completed at T+\(time(t))") }
        if let t = s.lastEndCompletedAt { lines.append("  last end message completed at T+\(time(t))") }
        return lines.joined(separator: "\n")
    }

    static func summary(_ s: ActionSummary, rings: Bool) -> String {
        var lines = [
            "action \(s.id): \(s.state.rawValue), \(s.request.incidentType), urgency \(s.request.urgency), started at T+\(time(s.startedAt)); "
                + "\(grouped(s.included)) included, \(grouped(s.reached)) reached"
        ]
        lines.append(
            "  alerts: \(counts(s.alerts, order: states, name: \.rawValue)); per channel: \(counts(s.alertsByChannel, order: Channel.allCases, name: \.rawValue))"
        )
        if !s.endMessages.isEmpty {
            lines.append("  end messages: \(counts(s.endMessages, order: states, name: \.rawValue))")
        }
        if !s.answers.isEmpty {
            lines.append("  answers: \(counts(s.answers, order: AnswerKind.allCases, name: \.rawValue)) (persons)")
        }
        if let r = s.result { lines.append("  result: \(r)") }
        if let t = s.lastAlertCompletedAt {
            lines.append("  last alert completed at T+\(time(t)) (\(time(t - s.startedAt)) after the start)")
        }
        if let t = s.lastEndCompletedAt { lines.append("  last end message completed at T+\(time(t))") }
        if rings && !s.rings.isEmpty { lines.append(ringTable(s.rings, since: s.startedAt)) }
        return lines.joined(separator: "\n")
    }

    static func ringTable(_ rings: [RingReport], since start: Duration) -> String {
        var lines = [
            "  | ring (m) | completed | reached | first | last (ring reached) |",
            "  | --- | ---: | ---: | ---: | ---: |",
        ]
        for r in rings {
            lines.append(
                "  | \(Int(r.innerMeters))–\(Int(r.outerMeters)) | \(grouped(r.completed)) | \(grouped(r.reached)) | "
                    + "+\(time(r.firstCompletedAt - start)) | +\(time(r.lastCompletedAt - start)) |")
        }
        return lines.joined(separator: "\n")
    }

    static func explanation(_ e: LedgerExplanation, action: ActionID) -> String {
        let person = e.person == e.participant ? "" : " (person \(e.person))"
        guard let alert = e.alert else {
            return "participant \(e.participant)\(person) is not among the \(grouped(e.included)) persons of action "
                + "\(action): never alerted"
        }
        var lines = [
            "participant \(e.participant)\(person) in action \(action): position \(grouped(e.position ?? 0)) of "
                + "\(grouped(e.included)) outside-in, \(DecimalFormat.string(alert.distanceMeters, decimals: 1)) m from "
                + "the incident, by \(alert.channel.rawValue)"
        ]
        if let through = e.alertedThrough {
            lines.append(
                "  alerted through participant \(through), another address of the same person (a person is alerted once)")
        }
        lines.append(
            "  alert: \(alert.state.rawValue) at T+\(time(alert.updatedAt))\(alert.state == .delivered ? " (reached)" : "")"
        )
        if let end = e.end {
            lines.append("  end message: \(end.state.rawValue) at T+\(time(end.updatedAt))")
        } else {
            lines.append(
                "  end message: none\(alert.state == .delivered ? " (not ended yet)" : " (only those reached get one)")"
            )
        }
        return lines.joined(separator: "\n")
    }

    static func progressBar(_ p: ActionDesk.Progress) -> String {
        var total = 0
        var done = 0
        var reached = 0
        for a in p.actions {
            total += a.included + a.endMessages.values.reduce(0, +)
            done +=
                (a.alerts[.delivered] ?? 0) + (a.alerts[.failed] ?? 0) + (a.alerts[.cancelled] ?? 0)
                + (a.endMessages[.delivered] ?? 0) + (a.endMessages[.failed] ?? 0)
            reached += a.reached
        }
        let share = total == 0 ? 1 : Double(done) / Double(total)
        let width = 30
        let filled = min(width, Int(share * Double(width)))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + "\(Int(share * 100))% \(grouped(done))/\(grouped(total)) messages, \(grouped(reached)) reached, T+\(time(p.now))"
    }

    static func handedOverNote(_ d: ActionDesk) -> String {
        if d.usesRealProviders {
            // Held: nothing was handed over; the queues, not the event queue, tell what is left.
            let queued = d.dispatcher.actionIDs.reduce(0) { n, id in
                guard let s = try? d.dispatcher.status(id) else { return n }
                return n + s.alerts[.queued, default: 0] + s.endMessages[.queued, default: 0]
            }
            guard queued > 0 else { return "nothing queued" }
            return "\(grouped(queued)) messages queued, none handed to \(providerNames(d)) yet: send them with "
                + "'fanout action run --db \(d.ledger.path)' and the same --config"
        }
        guard d.dispatcher.nextEventTime != nil else { return "nothing queued or in flight" }
        return "messages are queued or in flight: continue with 'fanout action run --db \(d.ledger.path)' "
            + "(those handed over now are re-sent under the same key)"
    }

    /// The real providers of a desk, for messages: `Kannel`, `Kannel, SIP and SMTP`.
    static func providerNames(_ d: ActionDesk) -> String {
        let names = [d.kannel.map { _ in "Kannel" }, d.sip.map { _ in "SIP" }, d.smtp.map { _ in "SMTP" },
                     d.webpush.map { _ in "Web Push" }].compactMap { $0 }
        guard names.count > 1 else { return names.first ?? "the providers" }
        return names.dropLast().joined(separator: ", ") + " and " + names.last!
    }

    /// The Kannel adapter's counts in this process (no numbers, texts or password).
    static func kannel(_ s: KannelSMSProvider.Statistics) -> String {
        "kannel: \(grouped(s.accepted)) accepted by smsbox, \(grouped(s.delivered)) delivered, "
            + "\(grouped(s.failed)) failed (\(grouped(s.timedOut)) without a report in time), "
            + "\(grouped(s.throttled)) throttled, \(grouped(s.reports)) delivery reports"
    }
}
