#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Owns one TCP socket file descriptor and closes it exactly once, in `deinit`.
///
/// Not `Sendable`: a socket stays on the thread that made it (the report listener's thread, or the
/// worker that sends one request).
final class Socket {
    /// The file descriptor (valid until `deinit`).
    let fd: Int32

    private init(fd: Int32) {
        self.fd = fd
    }

    deinit {
        // returns 0, or -1 with errno; the descriptor is released either way (Linux), so no retry.
        _ = close(fd)
    }

    private static func error(_ what: String, code: ProviderAdapterError.Code = .socket) -> ProviderAdapterError {
        ProviderAdapterError(code, what, errno: errno)
    }

    private static func make(family: Int32) throws -> Socket {
        #if canImport(Glibc)
            let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        #else
            let type = SOCK_STREAM
        #endif
        let fd = socket(family, type, 0)  // returns a descriptor, or -1 with errno
        guard fd >= 0 else { throw error("socket() failed") }
        return Socket(fd: fd)
    }

    // MARK: - Listening

    /// A socket listening on `host` (a numeric IPv4 address) and `port` (0: any free port).
    static func listening(host: String, port: UInt16, backlog: Int32 = 128) throws -> Socket {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {  // returns 1 ok, 0 not an address, -1 errno
            throw ProviderAdapterError(.invalidConfiguration, "'\(host)' is not a numeric IPv4 address")
        }
        let s = try make(family: AF_INET)
        var one: Int32 = 1
        guard setsockopt(s.fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) == 0 else {
            throw error("setsockopt(SO_REUSEADDR) failed")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(s.fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))  // returns 0, or -1 with errno
            }
        }
        guard bound == 0 else { throw error("cannot listen on \(host):\(port): bind() failed") }
        guard listen(s.fd, backlog) == 0 else { throw error("listen() failed") }  // returns 0, or -1 with errno
        return s
    }

    /// The local port the socket is bound to.
    func localPort() throws -> UInt16 {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let r = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard r == 0 else { throw Self.error("getsockname() failed") }  // returns 0, or -1 with errno
        return UInt16(bigEndian: address.sin_port)
    }

    /// Waits up to `milliseconds` until the socket is readable (or, listening, has a connection).
    ///
    /// - Returns: Whether it is readable; `false` on timeout or an interrupted wait.
    func waitReadable(milliseconds: Int32) throws -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, milliseconds)  // returns ready count, 0 on timeout, -1 with errno
        if r < 0 {
            if errno == EINTR { return false }
            throw Self.error("poll() failed")
        }
        return r > 0
    }

    /// Accepts one connection; `nil` when none is waiting or the peer gave up meanwhile.
    func accept() throws -> Socket? {
        #if canImport(Glibc)
            let fd = Glibc.accept(self.fd, nil, nil)  // returns a descriptor, or -1 with errno
        #else
            let fd = Darwin.accept(self.fd, nil, nil)
        #endif
        if fd < 0 {
            if [EAGAIN, EWOULDBLOCK, EINTR, ECONNABORTED].contains(errno) { return nil }
            throw Self.error("accept() failed")
        }
        let s = Socket(fd: fd)  // owned from here: closed even if the next call fails
        guard fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 else { throw Self.error("fcntl(FD_CLOEXEC) failed") }  // 0, or -1
        return s
    }

    // MARK: - Connecting

    /// A socket connected to `host`:`port` within `timeoutMilliseconds`.
    ///
    /// - Throws: ``ProviderAdapterError`` `.unreachable` when the name does not resolve or no
    ///   address answers in time (nothing was sent).
    static func connected(host: String, port: UInt16, timeoutMilliseconds: Int32) throws -> Socket {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
            hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let r = getaddrinfo(host, String(port), &hints, &list)  // returns 0, or an EAI_* code
        guard r == 0, let first = list else {
            throw ProviderAdapterError(
                .unreachable, "cannot resolve '\(host)': \(String(cString: gai_strerror(r)))")
        }
        defer { freeaddrinfo(first) }
        var lastErrno: Int32 = 0
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let s = try make(family: ai.pointee.ai_family)
            if try s.connect(to: ai.pointee.ai_addr, length: ai.pointee.ai_addrlen, timeoutMilliseconds) {
                return s
            }
            lastErrno = errno
        }
        throw ProviderAdapterError(.unreachable, "cannot connect to \(host):\(port)", errno: lastErrno)
    }

    /// Connects without blocking longer than the timeout; `false` (errno set) when refused or late.
    private func connect(to address: UnsafeMutablePointer<sockaddr>?, length: socklen_t, _ timeout: Int32) throws
        -> Bool
    {
        let flags = fcntl(fd, F_GETFL)  // returns the flags, or -1 with errno
        guard flags >= 0, fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0 else { throw Self.error("fcntl() failed") }
        #if canImport(Glibc)
            let r = Glibc.connect(fd, address, length)  // returns 0, or -1 with errno (EINPROGRESS: wait)
        #else
            let r = Darwin.connect(fd, address, length)
        #endif
        if r != 0 {
            guard errno == EINPROGRESS else { return false }
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            let ready = poll(&p, 1, timeout)  // returns ready count, 0 on timeout, -1 with errno
            guard ready > 0 else {
                if ready == 0 { errno = ETIMEDOUT }
                return false
            }
            var soError: Int32 = 0
            var size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &size) == 0 else {  // 0, or -1 with errno
                throw Self.error("getsockopt(SO_ERROR) failed")
            }
            guard soError == 0 else {
                errno = soError
                return false
            }
        }
        guard fcntl(fd, F_SETFL, flags) == 0 else { throw Self.error("fcntl() failed") }
        return true
    }

    // MARK: - Data

    /// Sets the send and receive timeouts of blocking calls.
    func setTimeouts(milliseconds: Int) throws {
        var tv = timeval(tv_sec: milliseconds / 1000, tv_usec: .init((milliseconds % 1000) * 1000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            // returns 0, or -1 with errno
            guard setsockopt(fd, SOL_SOCKET, option, &tv, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
                throw Self.error("setsockopt(timeout) failed")
            }
        }
    }

    /// Sends all of `bytes` (never raising SIGPIPE).
    func sendAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
                let flags = Int32(MSG_NOSIGNAL)
            #else
                let flags: Int32 = 0
            #endif
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, flags) }
            if n < 0 {  // sent count, or -1 with errno
                if errno == EINTR { continue }
                throw Self.error("send() failed")
            }
            offset += n
        }
    }

    /// Receives up to `maximum` bytes; an empty array at the end of the stream.
    func receive(maximum: Int = 16_384) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 {  // received count, 0 at EOF, or -1 with errno
                if errno == EINTR { continue }
                throw Self.error("recv() failed")
            }
            buffer.removeSubrange(n...)
            return buffer
        }
    }
}
