import FanOut
import Foundation
import Geo

/// One server-sent event of an action's stream.
struct ServerSentEvent: Sendable, Equatable {
    /// The event id: the stream's cursor after this event (see ``EventCursor``).
    var id: String
    /// `started`, `enlarged`, `ring`, `answer`, `counts`, `stopped`, `ended` or `finished`.
    var name: String
    /// The data: a JSON object, always with `"action"`.
    var data: [String: JSONValue]

    /// The event as it goes on the wire: `id:`, `event:`, one `data:` line of JSON, a blank line.
    var text: String { "id: \(id)\nevent: \(name)\ndata: \(JSONValue.object(data).jsonText)\n\n" }
}

/// What a client of an action's event stream has seen, as the id of the last event it got:
/// `a<action>.v<versions>.s<stage>.r<rings>` for a durable event, for example `a7.v2.s1.r4x12_3x30`,
/// and the same with `.c<n>` for a `counts` event.
///
/// Every event's id is the cursor after it, so a client that reconnects with `Last-Event-ID`
/// gets exactly the durable events it has not seen, however long it was away and whether or not
/// the service was restarted meanwhile: the durable events are derived from the ledger's state
/// (``ActionProgress``), which the cursor summarises, not from anything the service remembers.
///
/// - `v`: area versions announced (1 once `started` was sent; each `enlarged` adds one).
/// - `s`: 0 running, 1 `stopped` sent, 2 `ended` sent, 3 `finished` sent.
/// - `r`: per ring announced by a `ring` event, `<index>x<completed>`: its index and how many of
///   its alerts had completed then, `_`-separated (empty when none).
/// - `n` (only once an answer was sent): the ledger row of the last `answer` event sent.
/// - `c` (counts events only): the wall-clock time of the event in Unix milliseconds, one more
///   than the stream's previous counts event at least; it only orders counts events: a resumed
///   client may miss counts, never a durable event.
struct EventCursor: Sendable, Hashable {
    /// The action the stream is about.
    var action: ActionID
    /// Area versions announced: 0 before `started`.
    var versions = 0
    /// 0 running, 1 stopped, 2 ended, 3 finished (announced).
    var stage = 0
    /// Ring index → alerts completed in it when its last `ring` event went out.
    var rings: [Int: Int] = [:]
    /// The `c` of the last `counts` event (0: none).
    var counts: Int64 = 0
    /// The ledger row of the last answer announced (0: none).
    var answers: Int64 = 0

    /// The cursor of a new stream: nothing seen.
    init(action: ActionID) { self.action = action }

    /// The cursor in a `Last-Event-ID` header, which must be one of `action`'s event ids.
    ///
    /// - Throws: ``ServeError`` `.badRequest` naming `Last-Event-ID`.
    init(lastEventID text: String, action: ActionID) throws {
        self.action = action
        func bad(_ why: String) -> ServeError {
            ServeError(
                .badRequest, "Last-Event-ID: \(why); send the id of the last event this stream sent, or no header",
                field: "Last-Event-ID")
        }
        guard text.utf8.count <= 8192 else { throw bad("longer than any event id") }
        var parts = text.split(separator: ".", omittingEmptySubsequences: false)
        var n: Int64? = 0
        if parts.count >= 5, parts[4].first == "n" {
            n = Int64(parts[4].dropFirst())
            parts.remove(at: 4)
        }
        let c = parts.count == 5 && parts[4].first == "c" ? Int64(parts[4].dropFirst()) : parts.count == 4 ? 0 : nil
        guard let c, c >= 0, let n, n >= 0, parts[0].first == "a", parts[1].first == "v", parts[2].first == "s", parts[3].first == "r",
            let a = Int64(parts[0].dropFirst()), let v = Int(parts[1].dropFirst()), let s = Int(parts[2].dropFirst()),
            v >= 0, (0...3).contains(s)
        else {
            throw bad(
                "not an event id of this service (a<action>.v<n>.s<n>.r<rings>, then .n<answer> once answers came, "
                    + "and .c<n> for counts)")
        }
        guard a == action.rawValue else { throw bad("an event id of action \(a), not of action \(action)") }
        for entry in parts[3].dropFirst().split(separator: "_") {
            let pair = entry.split(separator: "x", omittingEmptySubsequences: false)
            guard pair.count == 2, let index = Int(pair[0]), let completed = Int(pair[1]), index >= 0, completed >= 0 else {
                throw bad("ring entry '\(entry.prefix(20))' is not <index>x<completed>")
            }
            rings[index] = completed
        }
        versions = v
        stage = s
        counts = c
        answers = n
    }

    /// The cursor as the id of a durable event (without the counts part).
    var text: String {
        let r = rings.keys.sorted(by: >).map { "\($0)x\(rings[$0] ?? 0)" }.joined(separator: "_")
        return "a\(action.rawValue).v\(versions).s\(stage).r\(r)" + (answers > 0 ? ".n\(answers)" : "")
    }
}

extension EventCursor {
    /// The durable events `progress` shows that this cursor has not seen, in the order
    /// started, enlarged (by version), ring (outermost first), stopped, ended; the cursor moves
    /// past each. `finished` is not among them: it goes last, after the final counts
    /// (see ``finished(_:)``).
    ///
    /// A ring is announced when it is complete: it holds at least one completed alert (delivered
    /// or failed) and none queued, with a provider or cancelled. An enlargement that adds persons
    /// to an announced ring opens it again; it is announced again when those completed too.
    mutating func durableEvents(_ progress: ActionProgress) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        let action = JSONValue.number(Double(progress.id.rawValue))
        if versions == 0 {
            versions = 1
            let first = progress.areas.first
            events.append(
                event(
                    "started",
                    ["action": action, "recipients": .number(Double(first?.recipients ?? progress.included))]))
        }
        for area in progress.areas where area.version > versions {
            versions = area.version
            events.append(
                event(
                    "enlarged",
                    [
                        "action": action, "version": .number(Double(area.version)),
                        "recipients": .number(Double(area.recipients)), "added": .number(Double(area.added)),
                    ]))
        }
        for ring in progress.rings.values.sorted(by: { $0.index > $1.index })
        where ring.open == 0 && ring.cancelled == 0 && ring.completed > (rings[ring.index] ?? 0) {
            rings[ring.index] = ring.completed
            let width = progress.ringWidthMeters
            events.append(
                event(
                    "ring",
                    [
                        "action": action, "inner_m": .number(Double(ring.index) * width),
                        "outer_m": .number(Double(ring.index + 1) * width), "reached": .number(Double(ring.reached)),
                        "completed": .number(Double(ring.completed)),
                    ]))
        }
        if stage < 1, progress.state != .running {
            stage = 1
            events.append(event("stopped", ["action": action]))
        }
        if stage < 2, progress.state == .ended {
            stage = 2
            events.append(event("ended", ["action": action]))
        }
        return events
    }

    /// One `answer` event per answer in `stored` after the last announced, oldest first: the
    /// kind, the channel, when, and the distance ring the person was alerted in (never who, never
    /// where: the ring is as far as a map shows it).
    mutating func answerEvents(_ stored: [StoredAnswer], ringWidthMeters width: Double) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for s in stored where s.id > answers {
            answers = s.id
            var data: [String: JSONValue] = [
                "action": .number(Double(action.rawValue)), "kind": .string(s.answer.kind.rawValue),
                "channel": .string(s.answer.channel.rawValue),
                "received_at": .string(Self.utc(s.answer.receivedAt)),
            ]
            if let d = s.distanceMeters {
                let index = (max(d, 0) / width).rounded(.down)
                data["inner_m"] = .number(index * width)
                data["outer_m"] = .number((index + 1) * width)
            }
            events.append(event("answer", data))
        }
        return events
    }

    /// `2026-12-07T20:15:03.120Z`.
    static func utc(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date)
    }

    /// The `finished` event once `progress` is finished and this cursor has not seen it.
    mutating func finished(_ progress: ActionProgress) -> ServerSentEvent? {
        guard stage < 3, progress.isFinished else { return nil }
        stage = 3
        return event("finished", ["action": .number(Double(progress.id.rawValue))])
    }

    /// Whether the client has seen `finished`: the stream has nothing more to send.
    var isFinished: Bool { stage == 3 }

    /// A `counts` event of `progress`, its `c` the wall-clock milliseconds `now` (one more than
    /// the last counts event's at least).
    mutating func counts(_ progress: ActionProgress, now: Date = Date()) -> ServerSentEvent {
        counts = max(counts + 1, Int64(now.timeIntervalSince1970 * 1000))
        return ServerSentEvent(id: "\(text).c\(counts)", name: "counts", data: Self.countsData(progress))
    }

    /// The data of a `counts` event: state, included, reached, alerts per state (every state,
    /// 0 included) and per channel.
    static func countsData(_ progress: ActionProgress) -> [String: JSONValue] {
        var alerts: [String: JSONValue] = [:]
        for state in MessageState.allCases { alerts[state.rawValue] = .number(Double(progress.alerts[state] ?? 0)) }
        var channels: [String: JSONValue] = [:]
        for (channel, n) in progress.alertsByChannel { channels[channel.rawValue] = .number(Double(n)) }
        var answers: [String: JSONValue] = [:]
        for kind in AnswerKind.allCases { answers[kind.rawValue] = .number(Double(progress.answers[kind] ?? 0)) }
        return [
            "action": .number(Double(progress.id.rawValue)), "state": .string(progress.state.rawValue),
            "included": .number(Double(progress.included)), "reached": .number(Double(progress.reached)),
            "alerts": .object(alerts), "alerts_by_channel": .object(channels), "answers": .object(answers),
        ]
    }

    private func event(_ name: String, _ data: [String: JSONValue]) -> ServerSentEvent {
        ServerSentEvent(id: text, name: name, data: data)
    }
}
