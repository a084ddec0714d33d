import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// What a push service answered to one request (status, `Retry-After`, the start of the body).
struct WebPushAnswer: Sendable {
    var status: Int
    var retryAfter: String?
    /// The first 300 bytes of the body, for the log (masked there).
    var body: String
}

/// Collects a push service's answer and whether the request went out at all: a request never
/// sent (no connection) was not handed over and is throttled; one sent but unanswered may have been.
final class WebPushResponseDelegate: HTTPClientResponseDelegate, Sendable {
    typealias Response = WebPushAnswer

    private struct State {
        var sent = false
        var head: HTTPResponseHead?
        var body: [UInt8] = []
    }

    private let state = Mutex(State())

    /// Whether the request head was written to a connection.
    var requestSent: Bool { state.withLock { $0.sent } }

    func didSendRequestHead(task: HTTPClient.Task<WebPushAnswer>, _ head: HTTPRequestHead) {
        state.withLock { $0.sent = true }
    }

    func didReceiveHead(task: HTTPClient.Task<WebPushAnswer>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        state.withLock { $0.head = head }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<WebPushAnswer>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        state.withLock { s in
            let room = 300 - s.body.count
            if room > 0 { s.body += buffer.readableBytesView.prefix(room) }
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<WebPushAnswer>, _ error: any Error) {}

    func didFinishRequest(task: HTTPClient.Task<WebPushAnswer>) throws -> WebPushAnswer {
        try state.withLock { s in
            guard let head = s.head else { throw HTTPClientError.remoteConnectionClosed }
            return WebPushAnswer(
                status: Int(head.status.code), retryAfter: head.headers.first(name: "Retry-After"),
                body: String(decoding: s.body, as: UTF8.self))
        }
    }
}

/// How the adapter maps a push service's answer (RFC 8030 §5, §8.3).
enum WebPushOutcome: Equatable, Sendable {
    /// 201 Created (202 Accepted, any 2xx): the push service has it.
    case delivered
    /// 404 Not Found, 410 Gone: the subscription expired or was withdrawn; it is removed.
    case gone
    /// 429 Too Many Requests, 5xx: not taken; wait as long as `Retry-After` says (if it does).
    case throttled(retryAfterSeconds: Double?)
    /// 413 Payload Too Large, any other 4xx, a 1xx or 3xx: not deliverable as sent.
    case failed

    /// The outcome of an HTTP status and its `Retry-After` header at `now`.
    static func of(status: Int, retryAfter: String?, now: Date = Date()) -> WebPushOutcome {
        switch status {
        case 200..<300: .delivered
        case 404, 410: .gone
        case 429, 500..<600: .throttled(retryAfterSeconds: retryAfter.flatMap { seconds(retryAfter: $0, now: now) })
        default: .failed
        }
    }

    /// A `Retry-After` value (RFC 9110 §10.2.3: delay seconds or an HTTP date) as seconds from
    /// `now`, at least 0; `nil` when it is neither.
    static func seconds(retryAfter text: String, now: Date) -> Double? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty, trimmed.allSatisfy(\.isASCII), trimmed.allSatisfy(\.isNumber) {
            return Double(trimmed.prefix(9))
        }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
