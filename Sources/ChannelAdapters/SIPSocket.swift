import ProviderAdapters

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An IPv4 address and UDP port, as value data.
struct SIPAddress: Sendable, Hashable, CustomStringConvertible {
    /// The dotted address.
    var host: String
    /// The port.
    var port: UInt16

    /// `host:port`.
    var description: String { "\(host):\(port)" }

    /// Whether `text` is a dotted IPv4 address.
    static func isIPv4(_ text: String) -> Bool {
        var a = in_addr()
        return inet_pton(AF_INET, text, &a) == 1  // returns 1 ok, 0 not an address, -1 errno
    }

    /// The C form; `nil` when ``host`` is not a dotted IPv4 address.
    var sockaddr: sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { return nil }
        return address
    }

    /// The address of a C `sockaddr_in`.
    init(_ address: sockaddr_in) {
        var a = address.sin_addr
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        // returns the buffer, or nil (only for a too small buffer: not here)
        let ok = inet_ntop(AF_INET, &a, &text, socklen_t(INET_ADDRSTRLEN)) != nil
        host = ok ? String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "0.0.0.0"
        port = UInt16(bigEndian: address.sin_port)
    }

    /// An address from its parts.
    init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// Resolves `host` (a name or a dotted address) to its first IPv4 address.
    ///
    /// - Throws: ``ProviderAdapterError`` `.unreachable` when it does not resolve.
    static func resolve(_ host: String, port: UInt16) throws -> SIPAddress {
        if isIPv4(host) { return SIPAddress(host: host, port: port) }
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        #else
            hints.ai_socktype = SOCK_DGRAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let r = getaddrinfo(host, String(port), &hints, &list)  // returns 0, or an EAI_* code
        guard r == 0, let first = list else {
            throw ProviderAdapterError(.unreachable, "cannot resolve '\(host)': \(String(cString: gai_strerror(r)))")
        }
        defer { freeaddrinfo(first) }
        guard let raw = first.pointee.ai_addr, first.pointee.ai_addrlen >= MemoryLayout<sockaddr_in>.size else {
            throw ProviderAdapterError(.unreachable, "'\(host)' has no IPv4 address")
        }
        let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
        return SIPAddress(address)
    }
}

/// Owns one non-blocking UDP socket file descriptor and closes it exactly once, in `deinit`.
///
/// Not `Sendable`: it stays on the thread that made it (the SIP adapter's event loop).
final class UDPSocket {
    /// The file descriptor (valid until `deinit`).
    let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        // returns 0, or -1 with errno; the descriptor is released either way (Linux), so no retry.
        _ = close(fd)
    }

    private static func error(_ what: String) -> ProviderAdapterError {
        ProviderAdapterError(.socket, what, errno: errno)
    }

    /// A non-blocking UDP socket bound to `host` (dotted IPv4) and `port` (0: any free port).
    ///
    /// - Throws: ``ProviderAdapterError`` `.socket` (with `errno`, `EADDRINUSE` for a taken port).
    static func bound(host: String, port: UInt16) throws -> UDPSocket {
        guard var address = SIPAddress(host: host, port: port).sockaddr else {
            throw ProviderAdapterError(.invalidConfiguration, "'\(host)' is not a numeric IPv4 address")
        }
        #if canImport(Glibc)
            let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        #else
            let type = SOCK_DGRAM
        #endif
        let fd = socket(AF_INET, type, 0)  // returns a descriptor, or -1 with errno
        guard fd >= 0 else { throw error("socket() failed") }
        let s = UDPSocket(fd: fd)  // owned from here: closed even if the next call fails
        #if canImport(Darwin)
            let flags = fcntl(fd, F_GETFL)  // returns the flags, or -1 with errno
            guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw error("fcntl() failed") }
        #endif
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))  // returns 0, or -1 with errno
            }
        }
        guard r == 0 else { throw error("cannot bind UDP \(host):\(port)") }
        return s
    }

    /// Asks for `bytes` of receive and send buffer (the kernel caps it at `net.core.rmem_max` /
    /// `wmem_max`): a burst of responses to hundreds of INVITEs must not overflow the default 208 KiB.
    func setBufferSizes(_ bytes: Int32) throws {
        var size = bytes
        for option in [SO_RCVBUF, SO_SNDBUF] {
            // returns 0, or -1 with errno
            guard setsockopt(fd, SOL_SOCKET, option, &size, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
                throw Self.error("setsockopt(SO_RCVBUF/SO_SNDBUF) failed")
            }
        }
    }

    /// Connects the socket to `peer`: only its datagrams are received, and an ICMP "port
    /// unreachable" comes back as `ECONNREFUSED` on the next call.
    func connect(to peer: SIPAddress) throws {
        guard var address = peer.sockaddr else {
            throw ProviderAdapterError(.invalidConfiguration, "'\(peer.host)' is not a numeric IPv4 address")
        }
        let r = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                #if canImport(Glibc)
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))  // 0, or -1 with errno
                #else
                    Darwin.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                #endif
            }
        }
        guard r == 0 else { throw Self.error("cannot connect UDP to \(peer)") }
    }

    /// The local address the socket is bound to (after ``connect(to:)``: the one used towards the peer).
    func localAddress() throws -> SIPAddress {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let r = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard r == 0 else { throw Self.error("getsockname() failed") }  // returns 0, or -1 with errno
        return SIPAddress(address)
    }

    /// Sends one datagram (to the connected peer when `to` is `nil`).
    ///
    /// - Returns: `nil` when sent, else the `errno` (`ECONNREFUSED`, `ENETUNREACH`, `EAGAIN`...).
    func send(_ bytes: [UInt8], to peer: sockaddr_in? = nil) -> Int32? {
        while true {
            let n: Int
            if var target = peer {
                n = bytes.withUnsafeBytes { buffer in
                    withUnsafePointer(to: &target) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            sendto(
                                fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                        }
                    }
                }
            } else {
                n = bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, 0, nil, 0) }  // connected: no address
            }
            if n >= 0 { return nil }  // sent count, or -1 with errno
            if errno == EINTR { continue }
            return errno
        }
    }

    /// What one receive call got.
    enum Received {
        /// A datagram of `count` bytes in the buffer, from `from`.
        case datagram(count: Int, from: sockaddr_in)
        /// Nothing waiting.
        case none
        /// An error queued on the socket (an ICMP error on a connected socket: `ECONNREFUSED`...).
        case error(Int32)
    }

    /// Receives one datagram into `buffer` without blocking (a longer datagram is cut to its size).
    func receive(into buffer: inout [UInt8]) -> Received {
        var from = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        while true {
            let n = buffer.withUnsafeMutableBytes { b in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(fd, b.baseAddress, b.count, 0, $0, &length)  // count, or -1 with errno
                    }
                }
            }
            if n >= 0 { return .datagram(count: n, from: from) }
            if errno == EINTR { continue }
            if errno == EAGAIN || errno == EWOULDBLOCK { return .none }
            return .error(errno)
        }
    }
}
