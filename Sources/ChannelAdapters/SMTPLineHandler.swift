import Dispatch
import NIOCore
import ProviderAdapters
import Synchronization

/// What a connection's event loop hands to the worker thread that owns the connection: replies,
/// then at most one closing event.
final class SMTPInbox: Sendable {
    /// One event of the connection.
    enum Event: Sendable, Equatable {
        /// A complete reply.
        case reply(SMTPReply)
        /// The connection is gone (closed by the server, an error, a malformed reply): why.
        case closed(String)
    }

    private struct State: Sendable {
        var events: [Event] = []
        var head = 0
        var closedPushed = false
        var closedTaken: String?
    }

    private let state = Mutex(State())
    private let ready = DispatchSemaphore(value: 0)

    /// Adds an event (ignored after the closing event).
    func push(_ event: Event) {
        let added = state.withLock { s -> Bool in
            if s.closedPushed { return false }
            if case .closed = event { s.closedPushed = true }
            s.events.append(event)
            return true
        }
        if added { ready.signal() }
    }

    /// The next event, waiting up to `timeout`; `nil` when none came in time. After the closing
    /// event has been taken, it is returned again at once.
    func next(timeout: Duration) -> Event? {
        if let reason = state.withLock({ $0.closedTaken }) { return .closed(reason) }
        guard ready.wait(timeout: .now() + .milliseconds(timeout.wholeMilliseconds)) == .success else { return nil }
        return state.withLock { s -> Event? in
            guard s.head < s.events.count else { return nil }
            let event = s.events[s.head]
            s.head += 1
            if s.head == s.events.count {
                s.events.removeAll(keepingCapacity: true)
                s.head = 0
            }
            if case .closed(let reason) = event { s.closedTaken = reason }
            return event
        }
    }

    /// Whether an event is waiting (a reply nobody asked for, or the closing event).
    var hasEvents: Bool { state.withLock { $0.head < $0.events.count || $0.closedTaken != nil } }
}

/// Splits the server's bytes into lines and lines into ``SMTPReply``s for the connection's
/// ``SMTPInbox``; closes the connection on a malformed or overlong line.
///
/// Lives on the connection's event loop only.
final class SMTPLineHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// The longest reply line accepted (RFC 5321 4.5.3.1.5 allows 512 octets).
    static let maxLineBytes = 4096

    private let inbox: SMTPInbox
    private var partial: [UInt8] = []
    private var parser = SMTPReplyParser()

    init(inbox: SMTPInbox) { self.inbox = inbox }

    /// Whether bytes of an unfinished line or reply are held (checked before STARTTLS: anything
    /// sent before the TLS handshake must not be read as if it came through TLS).
    var holdsBytes: Bool { !partial.isEmpty || parser.isInside }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        guard let bytes = buffer.readBytes(length: buffer.readableBytes) else { return }
        var start = 0
        for (i, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            partial += bytes[start..<i]
            start = i + 1
            if partial.last == UInt8(ascii: "\r") { partial.removeLast() }
            let line = partial
            partial.removeAll(keepingCapacity: true)
            guard line.count <= Self.maxLineBytes else { return malformed(context, "a reply line over 4096 bytes") }
            switch parser.feed(line) {
            case .more: continue
            case .reply(let reply): inbox.push(.reply(reply))
            case .malformed(let reason): return malformed(context, reason)
            }
        }
        partial += bytes[start...]
        if partial.count > Self.maxLineBytes { malformed(context, "a reply line over 4096 bytes") }
    }

    private func malformed(_ context: ChannelHandlerContext, _ reason: String) {
        partial.removeAll()
        inbox.push(.closed("malformed reply from the server: \(reason)"))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inbox.push(.closed("the server closed the connection"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        inbox.push(.closed(PersonalData.masked("\(error)", limit: 300)))
        context.close(promise: nil)
    }
}
