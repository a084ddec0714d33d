import FanOut
import Foundation
import Geo
import Hummingbird
import Prometheus
import ServiceLifecycle

// MARK: - GET /v1/actions/{id}/events: the action's progress as server-sent events

extension Routes {
    /// Registers `GET /v1/actions/{id}/events`.
    func addEventRoutes(to v1: RouterGroup<ServeContext>) {
        v1.get("/actions/:id/events") { request, context in try events(request, context) }
    }

    /// An action's events as `text/event-stream` (see ``EventCursor`` for the events and their
    /// ids): the durable events the client has not seen, then every ~second what changed, until
    /// the action is finished, the client goes away or the service shuts down.
    ///
    /// The token, the action and `Last-Event-ID` are checked before the stream starts: their
    /// problems are ordinary problem answers (401/403/404/422/503).
    func events(_ request: Request, _ context: ServeContext) throws -> Response {
        _ = try authorize(request, .readActions)
        let id = try actionID(context)
        let cursor =
            try request.headers.first(where: { $0.name.canonicalName == "last-event-id" }).map(\.value).map { try EventCursor(lastEventID: $0, action: id) }
            ?? EventCursor(action: id)
        let first = try room.room().ledger.progress(of: id)
        let stream = ActionEventStream(
            room: room, cursor: cursor,
            open: metrics.registry.makeGauge(
                name: "fanout_event_streams", help: "Event streams (GET /v1/actions/{id}/events) open now"))
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                stream.open.increment()
                defer { stream.open.decrement() }
                // A failed write is a client that went away; a failed ledger read ends the stream
                // too (the client reconnects with Last-Event-ID). Either way the response ends here.
                do { try await stream.run(first: first, writer: &writer) } catch {}
                try? await writer.finish(nil)
            })
    }
}

/// One client's stream of one action's events.
///
/// It reads the action's progress from the ledger (``Ledger/progress(of:ringWidthMeters:)``)
/// every ``pollInterval`` and sends what the client has not seen: durable events as they
/// happen, `counts` when the counts changed or every ``heartbeat`` (which also notices a client
/// that went away: its write fails). It ends after `finished`, when a write fails, and promptly
/// (within ``slice``) on graceful shutdown or when the room stops: the server's graceful
/// shutdown waits for open responses, so a stream that went on would hold it up.
struct ActionEventStream: Sendable {
    let room: ControlRoom
    let cursor: EventCursor
    /// The gauge of open streams.
    let open: Gauge

    /// How often the ledger is read.
    static let pollInterval = Duration.seconds(1)
    /// The longest time without a `counts` event.
    static let heartbeat = Duration.seconds(5)
    /// How often a wait looks for a shutdown.
    static let slice = Duration.milliseconds(100)

    /// Streams until finished, the client goes, or the service stops.
    func run(first: ActionProgress, writer: inout any ResponseBodyWriter) async throws {
        var cursor = self.cursor
        var progress = first
        var lastCounts: [String: JSONValue]?
        var lastCountsAt = ContinuousClock.now
        while !cursor.isFinished {
            var events = cursor.durableEvents(progress)
            if progress.lastAnswerID > cursor.answers, let loaded = try? room.room() {
                events += cursor.answerEvents(
                    try loaded.ledger.answers(to: cursor.action, after: cursor.answers),
                    ringWidthMeters: progress.ringWidthMeters)
            }
            let counts = EventCursor.countsData(progress)
            let now = ContinuousClock.now
            if counts != lastCounts || now - lastCountsAt >= Self.heartbeat || progress.isFinished {
                events.append(cursor.counts(progress))
                lastCounts = counts
                lastCountsAt = now
            }
            if let finished = cursor.finished(progress) { events.append(finished) }
            if !events.isEmpty {
                try await writer.write(ByteBuffer(string: events.map(\.text).joined()))
            }
            if progress.isFinished { return }
            guard await wait(), let loaded = try? room.room() else { return }
            progress = try loaded.ledger.progress(of: cursor.action)
        }
    }

    /// Waits ``pollInterval``; false when the service is shutting down meanwhile.
    private func wait() async -> Bool {
        let until = ContinuousClock.now + Self.pollInterval
        while ContinuousClock.now < until {
            if stopping { return false }
            do { try await Task.sleep(for: Self.slice) } catch { return false }
        }
        return !stopping
    }

    /// Whether the server or the room is shutting down.
    private var stopping: Bool {
        Task.isShuttingDownGracefully || Task.isCancelled || room.isStopping
    }
}
