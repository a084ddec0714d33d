import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `fanout serve` as a process: the README's two lines (`--demo`, then the `curl` that starts an
/// action) work as written, a second process on the same registry is refused before it binds,
/// and SIGTERM stops it cleanly with the ledger written.
@Suite struct ServeCommandTests {
    /// The JSON body of the README's `curl` (between `-d '` and `'`, over its line break).
    static func readmeBody() throws -> String {
        let readme = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let curl = readme.range(of: "curl -s localhost:8080/v1/actions"),
            let start = readme.range(of: "-d '", range: curl.upperBound..<readme.endIndex),
            let end = readme.range(of: "'", range: start.upperBound..<readme.endIndex)
        else { throw CocoaError(.fileReadCorruptFile) }
        return String(readme[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "\n", with: " ")
    }

    static func freePort() -> Int {
        // The kernel hands out a free port for port 0; close it and use it at once.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func request(_ url: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws
        -> (status: Int, body: String)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { request.httpBody = Data(body.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    @Test func theReadmeLinesStartAnActionAndSIGTERMStopsCleanly() async throws {
        let dir = try Fixtures.temporaryDirectory("serve-demo")
        let port = Self.freePort()
        let process = Process()
        process.executableURL = try CommandRunner.executable()
        process.arguments = ["serve", "--demo", "--count", "3000", "--dir", dir.path, "--listen", "127.0.0.1:\(port)"]
        let log = dir.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.interrupt() } }
        var tokens: [String: String] = [:]
        let deadline = ContinuousClock.now + .seconds(300)  // a loaded CI machine is slow to build the demo
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("token ") {
                let words = line.split(separator: " ")
                if words.count == 3 { tokens[String(words[1])] = String(words[2]) }
            }
            if tokens.count == 4, (try? await Self.request("http://127.0.0.1:\(port)/readyz").status) == 200 { break }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let startLog = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(process.isRunning, "fanout serve --demo exited (\(process.terminationStatus)):\n\(startLog.suffix(2_000))")
        #expect(Set(tokens.keys) == ["dispatcher", "gis", "auditor", "registrar"], "\(startLog.suffix(2_000))")
        let started = try await Self.request(
            "http://127.0.0.1:\(port)/v1/actions", method: "POST", token: tokens["dispatcher"], body: try Self.readmeBody())
        #expect(started.status == 201, "\(started.body)")
        #expect(started.body.hasPrefix(#"{"id":1,"#))

        // A second service on the same registry is refused, naming the one that runs it.
        let copy = dir.appendingPathComponent("serve-demo-3000.sqlite").path
        let config = try Fixtures.write(#"{"tokens": []}"#, named: "serve.json", in: dir)
        let second = try await CommandRunner.run(["serve", "--db", copy, "--config", config, "--listen", "127.0.0.1:\(Self.freePort())"])
        #expect(second.status == 2)
        #expect(second.stderr.contains("the dispatcher of this ledger runs in process \(process.processIdentifier)"))

        process.terminate()  // SIGTERM
        let stopped = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < stopped { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!process.isRunning)
        #expect(process.terminationStatus == 0)
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(text.contains("dispatcher stopped; ledger written"))
        #expect(!text.contains("+31"))  // no phone number in the service's log
    }
}
