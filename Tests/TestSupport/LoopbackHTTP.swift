import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A whole HTTP/1.1 answer.
public struct HTTPAnswer: Sendable {
    /// The status code.
    public var status: Int
    /// Header fields, names lower-cased.
    public var headers: [String: String]
    /// The body (chunked transfer coding removed).
    public var body: Data

    /// The body as a JSON object (empty when it is not one).
    public var json: [String: any Sendable] {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: any Sendable]) ?? [:]
    }
}

/// One server-sent event as a client parses it.
public struct SSEEvent: Sendable, Hashable {
    /// The `id:` field.
    public var id: String?
    /// The `event:` field.
    public var name: String?
    /// The `data:` lines joined by newlines.
    public var data: String

    /// Creates an event.
    public init(id: String?, name: String?, data: String) {
        self.id = id
        self.name = name
        self.data = data
    }

    /// The data as a JSON object (empty when it is not one).
    public var json: [String: any Sendable] {
        ((try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: any Sendable]) ?? [:]
    }
}

/// A failure of ``LoopbackHTTP``.
public struct LoopbackHTTPError: Error, CustomStringConvertible {
    public var description: String
    init(_ d: String) { description = d }
}

/// A minimal blocking HTTP/1.1 client for loopback (tests of the real `fanout serve` binary and of
/// streaming answers the in-process test client cannot read while they last).
///
/// One request per connection (`Connection: close`). Blocking: call it off the cooperative pool
/// (``onOwnThread(_:)``).
/// `@unchecked Sendable`: a test hands it from one thread to the next, never uses it on two at once.
public final class LoopbackHTTP: @unchecked Sendable {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunked = false
    private var chunkLeft = 0
    private var bodyDone = false
    /// The answer's status code.
    public private(set) var status = 0
    /// The answer's header fields, names lower-cased.
    public private(set) var headers: [String: String] = [:]

    /// Connects to 127.0.0.1:`port`, sends the request and reads the answer's head.
    ///
    /// - Parameter timeout: Seconds any one read or write may block.
    public init(
        _ method: String, port: Int, path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Double = 30
    ) throws {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw LoopbackHTTPError("socket: errno \(errno)") }
        fd = s
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let e = errno
            Glibc.close(fd)
            throw LoopbackHTTPError("connect to 127.0.0.1:\(port): errno \(e)")
        }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let bodyBytes = Array((body ?? "").utf8)
        if body != nil { head += "Content-Type: application/json\r\nContent-Length: \(bodyBytes.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + bodyBytes)
        try readHead()
    }

    deinit { Glibc.close(fd) }

    /// Closes the connection (the server sees the client go).
    public func close() { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Sends a request and reads the whole answer.
    public static func request(
        _ method: String, port: Int, path: String, headers: [String: String] = [:], body: String? = nil,
        timeout: Double = 30
    ) throws -> HTTPAnswer {
        let c = try LoopbackHTTP(method, port: port, path: path, headers: headers, body: body, timeout: timeout)
        var data = Data()
        while let chunk = try c.readBody() { data.append(contentsOf: chunk) }
        return HTTPAnswer(status: c.status, headers: c.headers, body: data)
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and let go).
    public static func freePort() throws -> Int {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard s >= 0 else { throw LoopbackHTTPError("socket: errno \(errno)") }
        defer { Glibc.close(s) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p in
                bind(s, p, length) == 0 && getsockname(s, p, &length) == 0
            }
        }
        guard bound else { throw LoopbackHTTPError("bind to a free port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The next server-sent event, or `nil` when the stream ended.
    public func nextEvent() throws -> SSEEvent? {
        var event = SSEEvent(id: nil, name: nil, data: "")
        var hasData = false
        while let line = try readLine() {
            if line.isEmpty {
                if hasData || event.name != nil { return event }
                continue
            }
            if line.hasPrefix(":") { continue }
            let (field, value) =
                line.firstIndex(of: ":").map { i in
                    (String(line[..<i]), String(line[line.index(after: i)...]).drop { $0 == " " }.description)
                } ?? (line, "")
            switch field {
            case "id": event.id = value
            case "event": event.name = value
            case "data":
                event.data += (hasData ? "\n" : "") + value
                hasData = true
            default: break
            }
        }
        return nil
    }

    // MARK: - Reading

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LoopbackHTTPError("send: errno \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes from the socket; false at the end of the stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw LoopbackHTTPError("recv: errno \(errno) (timed out?)") }
        if n == 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// A raw line (CRLF removed) of the connection, or `nil` at its end.
    private func rawLine() throws -> String? {
        while true {
            if let i = buffer.firstIndex(of: 10) {
                var line = Array(buffer[..<i])
                buffer.removeFirst(i + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard try fill() else { return nil }
        }
    }

    private func readHead() throws {
        guard let statusLine = try rawLine(), statusLine.hasPrefix("HTTP/1.1 "),
            let code = Int(statusLine.dropFirst(9).prefix(3))
        else { throw LoopbackHTTPError("no HTTP status line") }
        status = code
        while let line = try rawLine(), !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        chunked = headers["transfer-encoding"]?.lowercased() == "chunked"
        if let length = headers["content-length"].flatMap(Int.init) { chunkLeft = length; bodyDone = length == 0 }
    }

    /// The next piece of the body, or `nil` at its end.
    private func readBody() throws -> [UInt8]? {
        if bodyDone { return nil }
        if chunked {
            if chunkLeft == 0 {
                guard let sizeLine = try rawLine(), let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else {
                    bodyDone = true
                    return nil
                }
                if size == 0 {
                    bodyDone = true
                    return nil
                }
                chunkLeft = size
            }
        } else if headers["content-length"] == nil {
            if buffer.isEmpty, !(try fill()) { bodyDone = true; return nil }
            defer { buffer.removeAll() }
            return buffer
        }
        while buffer.isEmpty { guard try fill() else { bodyDone = true; return nil } }
        let n = min(chunkLeft, buffer.count)
        let piece = Array(buffer[..<n])
        buffer.removeFirst(n)
        chunkLeft -= n
        if chunked, chunkLeft == 0 { _ = try rawLine() }  // the CRLF after the chunk
        if !chunked, chunkLeft == 0 { bodyDone = true }
        return piece
    }

    private var bodyText: [UInt8] = []

    /// A line of the body (LF or CRLF removed), or `nil` at its end.
    private func readLine() throws -> String? {
        while true {
            if let i = bodyText.firstIndex(of: 10) {
                var line = Array(bodyText[..<i])
                bodyText.removeFirst(i + 1)
                if line.last == 13 { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            guard let piece = try readBody() else { return nil }
            bodyText += piece
        }
    }
}
