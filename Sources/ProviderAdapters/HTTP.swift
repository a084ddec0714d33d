/// A minimal HTTP/1.1 over ``Socket``: one GET per connection (`Connection: close`), enough for
/// Kannel's sendsms interface and the delivery reports it calls back with.
enum HTTP {
    /// An answer: status code and body (as UTF-8, invalid bytes replaced).
    struct Response: Sendable, Equatable {
        var status: Int
        var body: String
    }

    /// Sends `GET target` to `host`:`port` and reads the answer.
    ///
    /// - Throws: ``ProviderAdapterError`` `.unreachable` when no connection was made (nothing was
    ///   sent); `.noAnswer` when the request went out but no complete answer came back in time;
    ///   `.badAnswer` when the answer is not HTTP.
    static func get(host: String, port: UInt16, target: String, timeoutMilliseconds: Int) throws -> Response {
        let socket = try Socket.connected(
            host: host, port: port, timeoutMilliseconds: Int32(clamping: timeoutMilliseconds))
        let request = "GET \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n\r\n"
        do {
            try socket.setTimeouts(milliseconds: timeoutMilliseconds)
            try socket.sendAll(Array(request.utf8))
        } catch let e as ProviderAdapterError {
            throw ProviderAdapterError(.unreachable, "sending the request failed", errno: e.errno)
        }
        var data: [UInt8] = []
        var headerEnd: Int?
        var contentLength: Int?
        var status = 0
        while true {
            if let end = headerEnd, let length = contentLength, data.count >= end + length { break }
            let chunk: [UInt8]
            do { chunk = try socket.receive() } catch let e as ProviderAdapterError {
                throw ProviderAdapterError(.noAnswer, "no complete answer", errno: e.errno)
            }
            if chunk.isEmpty { break }
            data += chunk
            if data.count > 1 << 20 { throw ProviderAdapterError(.badAnswer, "answer larger than 1 MB") }
            if headerEnd == nil, let end = headEnd(data) {
                headerEnd = end
                let head = String(decoding: data[..<end], as: UTF8.self)
                (status, contentLength) = try parseHead(head)
            }
        }
        guard let end = headerEnd else {
            throw ProviderAdapterError(data.isEmpty ? .noAnswer : .badAnswer, "the answer has no complete HTTP head")
        }
        var body = data[end...]
        if let length = contentLength {
            guard body.count >= length else { throw ProviderAdapterError(.noAnswer, "the answer's body is cut short") }
            body = body.prefix(length)
        }
        return Response(status: status, body: String(decoding: body, as: UTF8.self))
    }

    /// The index just past the blank line ending the head, if it has arrived.
    static func headEnd(_ data: [UInt8]) -> Int? {
        guard data.count >= 4 else { return nil }
        for i in 3..<data.count where data[i] == 10 && data[i - 1] == 13 && data[i - 2] == 10 && data[i - 3] == 13 {
            return i + 1
        }
        return nil
    }

    private static func parseHead(_ head: String) throws -> (status: Int, contentLength: Int?) {
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: true)
        let parts = lines.first?.split(separator: " ", maxSplits: 2) ?? []
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/"), let status = Int(parts[1]) else {
            throw ProviderAdapterError(
                .badAnswer, "not an HTTP status line: '\(PersonalData.masked(String(lines.first ?? "")))'")
        }
        var length: Int?
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1)
            if pair.count == 2, pair[0].lowercased() == "content-length" {
                length = Int(pair[1].filter { $0 != " " && $0 != "\t" })
            }
        }
        return (status, length)
    }

    // MARK: - Query strings

    /// Percent-encodes `text` for a query value: everything but `A-Z a-z 0-9 - . _ ~` as UTF-8 `%XX`.
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF".unicodeScalars)
                out += "%"
                out.unicodeScalars.append(hex[Int(byte >> 4)])
                out.unicodeScalars.append(hex[Int(byte & 15)])
            }
        }
        return out
    }

    /// Decodes a query component: `+` is a space, `%XX` a byte; `nil` for a broken escape or
    /// bytes that are not UTF-8.
    static func decode(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h < utf8.endIndex, utf8.index(after: h) < utf8.endIndex,
                    let hi = hexValue(utf8[h]), let lo = hexValue(utf8[utf8.index(after: h)])
                else { return nil }
                bytes.append(hi << 4 | lo)
                i = utf8.index(h, offsetBy: 2)
                continue
            }
            bytes.append(b == UInt8(ascii: "+") ? UInt8(ascii: " ") : b)
            i = utf8.index(after: i)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The path and decoded query parameters of a request target (`/dlr?key=1/5/alert/1&type=1`);
    /// `nil` when a component does not decode.
    static func parseTarget(_ target: Substring) -> (path: String, query: [String: String])? {
        let pieces = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if pieces.count == 2 {
            for pair in pieces[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let k = decode(kv[0]), let v = kv.count == 2 ? decode(kv[1]) : "" else { return nil }
                query[k] = v
            }
        }
        return (String(pieces[0]), query)
    }
}
