@testable import FanOut
@testable import FanoutServer
import Foundation
import Testing

/// The event ids of `GET /v1/actions/{id}/events` and the events derived from ledger snapshots,
/// without a service: the id is the cursor, and a client resumed from any id gets what a client
/// that never left got.
@Suite struct EventCursorTests {
    static let action = ActionID(rawValue: 7)

    /// A snapshot: `rings` as index → (open, cancelled, completed, reached).
    static func progress(
        _ state: ActionState, versions: [(recipients: Int, added: Int)], rings: [Int: (Int, Int, Int, Int)],
        endOpen: Int = 0
    ) -> ActionProgress {
        var p = ActionProgress(
            id: action, state: state,
            areas: versions.enumerated().map {
                AreaVersion(version: $0.offset + 1, recipients: $0.element.recipients, added: $0.element.added, at: .zero)
            }, ringWidthMeters: 500)
        for (index, r) in rings {
            p.rings[index] = ActionProgress.Ring(index: index, open: r.0, cancelled: r.1, completed: r.2, reached: r.3)
            p.alerts[.queued, default: 0] += r.0
            p.alerts[.cancelled, default: 0] += r.1
            p.alerts[.delivered, default: 0] += r.3
            p.alerts[.failed, default: 0] += r.2 - r.3
        }
        p.alertsByChannel[.sms] = p.included
        if endOpen > 0 { p.endMessages[.queued] = endOpen }
        return p
    }

    /// An action's course: start on rings 0–2, ring 2 done, an enlargement reopening ring 2 and
    /// adding ring 3 (which a stop cancels partly), ring 2 done again, the end, the end messages.
    static let course: [ActionProgress] = [
        progress(.running, versions: [(10, 10)], rings: [0: (4, 0, 0, 0), 1: (3, 0, 0, 0), 2: (3, 0, 0, 0)]),
        progress(.running, versions: [(10, 10)], rings: [0: (4, 0, 0, 0), 1: (3, 0, 0, 0), 2: (0, 0, 3, 2)]),
        progress(.running, versions: [(10, 10), (16, 6)], rings: [0: (4, 0, 0, 0), 1: (0, 0, 3, 3), 2: (2, 0, 3, 2), 3: (4, 0, 0, 0)]),
        progress(.stopped, versions: [(10, 10), (16, 6)], rings: [0: (1, 0, 3, 3), 1: (0, 0, 3, 3), 2: (0, 0, 5, 4), 3: (0, 2, 2, 2)]),
        progress(.ended, versions: [(10, 10), (16, 6)], rings: [0: (0, 0, 4, 4), 1: (0, 0, 3, 3), 2: (0, 0, 5, 4), 3: (0, 2, 2, 2)], endOpen: 3),
        progress(.ended, versions: [(10, 10), (16, 6)], rings: [0: (0, 0, 4, 4), 1: (0, 0, 3, 3), 2: (0, 0, 5, 4), 3: (0, 2, 2, 2)]),
    ]

    /// The durable events a client following every snapshot gets, and the cursor after each.
    static func follow(from start: EventCursor, _ snapshots: ArraySlice<ActionProgress>) -> [ServerSentEvent] {
        var cursor = start
        var events: [ServerSentEvent] = []
        for p in snapshots {
            events += cursor.durableEvents(p)
            if let f = cursor.finished(p) { events.append(f) }
        }
        return events
    }

    @Test func theEventsOfACourseAreTheLifecycleAndEachRingWhenItIsDoneAgainAfterAnEnlargement() {
        let events = Self.follow(from: EventCursor(action: Self.action), Self.course[...])
        let described = events.map { e -> String in
            switch e.name {
            case "ring": "ring \(e.data["inner_m"]?.jsonText ?? "?") \(e.data["completed"]?.jsonText ?? "?")"
            case "enlarged": "enlarged \(e.data["version"]?.jsonText ?? "?") +\(e.data["added"]?.jsonText ?? "?")"
            default: e.name
            }
        }
        // Ring 3 (1,500 m) has cancelled alerts: never done. Ring 2 (1,000 m) is done twice.
        #expect(
            described == [
                "started", "ring 1000 3", "enlarged 2 +6", "ring 500 3", "ring 1000 5", "stopped", "ring 0 4", "ended", "finished",
            ])
        #expect(events.allSatisfy { $0.data["action"] == .number(7) })
        #expect(events.last?.id == "a7.v2.s3.r2x5_1x3_0x4")
    }

    @Test func aClientResumedFromAnyEventIdGetsExactlyTheEventsAfterIt() throws {
        // Every event with the snapshot it came from.
        var cursor = EventCursor(action: Self.action)
        var events: [(event: ServerSentEvent, snapshot: Int)] = []
        for (i, p) in Self.course.enumerated() {
            events += cursor.durableEvents(p).map { ($0, i) }
            if let f = cursor.finished(p) { events.append((f, i)) }
        }
        // Resumed with an event's id — by a service that knows nothing but the id and the ledger
        // (a restarted one) — on the same snapshots: exactly the events after it, same ids.
        for (k, seen) in events.enumerated() {
            let resumed = try EventCursor(lastEventID: seen.event.id, action: Self.action)
            #expect(resumed.text == seen.event.id)
            let rest = Self.follow(from: resumed, Self.course[seen.snapshot...])
            #expect(rest == events[(k + 1)...].map(\.event), "after event \(k) (\(seen.event.name))")
        }
    }

    @Test func countsIdsAddAnOrderingTimeToTheDurableCursor() throws {
        var cursor = EventCursor(action: Self.action)
        _ = cursor.durableEvents(Self.course[1])
        let counts = cursor.counts(Self.course[1], now: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(counts.id == "a7.v1.s0.r2x3.c1800000000000")
        #expect(cursor.counts(Self.course[1], now: Date(timeIntervalSince1970: 1_700_000_000)).id == "a7.v1.s0.r2x3.c1800000000001")
        #expect(counts.data["alerts"] == .object(["queued": .number(7), "sent": .number(0), "delivered": .number(2), "failed": .number(1), "cancelled": .number(0)]))
        #expect(counts.data["included"] == .number(10))
        #expect(counts.data["reached"] == .number(2))
        let resumed = try EventCursor(lastEventID: counts.id, action: Self.action)
        #expect(resumed.text == "a7.v1.s0.r2x3")
        var again = resumed
        #expect(again.durableEvents(Self.course[1]).isEmpty)
    }

    @Test(arguments: ["", "7", "a7.v1.s0.r.c", "a7.v1.s0.r.x1", "a7.v1.s4.r.c0", "a7.v-1.s0.r.c0", "a7.v1.s0.r1x.c0", "a7.v1.s0.rx2.c0", "b7.v1.s0.r.c0"])
    func aMalformedLastEventIDIsRefusedNamingTheHeader(text: String) {
        #expect {
            try EventCursor(lastEventID: text, action: Self.action)
        } throws: { error in
            (error as? ServeError)?.field == "Last-Event-ID"
        }
    }
}
