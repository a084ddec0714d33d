import Crypto
import Foundation
import Participants
import Synchronization
import TestSupport

@testable import ProviderAdapters

/// A Web Push service on loopback for the tests: `tools/push_service.py`, which checks each push
/// with implementations independent of fanout's (py_vapid verifies the VAPID JWT, http_ece
/// decrypts the body with the subscriber's private key) and writes what it received to a file.
///
/// The test plays the browser: ``subscribe(token:)`` makes the subscriber's key pair and auth
/// secret, gives the private half to the service (its keys file) and returns the public half as
/// the browser's `PushSubscription` would.
///
/// `@unchecked Sendable`: one test owns it; its mutable state is the keys, under a lock.
final class WebPushPeer: @unchecked Sendable {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../tools/push_service.py").standardized.path

    /// Whether python3 has http_ece, py_vapid and cryptography.
    static let installed: Bool = {
        guard let python = ExternalTool.find("python3") else { return false }
        let check = Process()
        check.executableURL = python
        check.arguments = ["-c", "import http_ece, py_vapid, cryptography"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        do {
            try check.run()
            check.waitUntilExit()
            return check.terminationStatus == 0
        } catch {
            return false
        }
    }()

    /// Whether the tests must run even without the peer (and then fail): `FANOUT_REQUIRE_PEERS=1`
    /// (tools/test.sh, CI).
    static var required: Bool {
        let env = ProcessInfo.processInfo.environment
        return env["FANOUT_REQUIRE_PEERS"] == "1" || env["CI"] != nil
    }

    /// Run when installed, or when required (then a missing module fails the test, naming it).
    static var shouldRun: Bool { installed || required }

    let directory: URL
    let tls: Bool
    private var process: ChildProcess?
    private(set) var port: UInt16 = 0
    private let keys = Mutex<[String: [String: String]]>([:])

    /// The CA file to trust (HTTPS only).
    var caFile: String { directory.appendingPathComponent("certs/ca.pem").path }
    /// The file the service writes what it received to.
    var outFile: URL { directory.appendingPathComponent("received.jsonl") }
    private var keysFile: URL { directory.appendingPathComponent("keys.json") }

    /// Starts the service (HTTPS with its own CA, or plain HTTP) and waits until it listens.
    init(tls: Bool = true) async throws {
        guard Self.installed else {
            throw KannelPeerError(
                "python3 with http_ece, py_vapid and cryptography is needed: pip install http_ece py_vapid "
                    + "cryptography (tools/test.sh does)")
        }
        self.tls = tls
        directory = try Fixtures.temporaryDirectory("webpush")
        try Data("{}".utf8).write(to: keysFile)
        let log = directory.appendingPathComponent("service.out")
        var arguments = [Self.script, "--keys", keysFile.path, "--out", outFile.path]
        arguments += tls ? ["--cert-dir", directory.appendingPathComponent("certs").path] : ["--http"]
        guard let python = ExternalTool.find("python3") else { throw KannelPeerError("python3 is not on PATH") }
        process = try ChildProcess(python.path, ["-u"] + arguments, output: log)
        let started = try await eventually(seconds: 30) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.contains("READY ")
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard started, let line = text.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }),
            let p = UInt16(line.dropFirst(6))
        else { throw KannelPeerError("push_service.py did not start: \(text.suffix(2000))") }
        port = p
    }

    deinit { stop() }

    /// Stops the service and removes its directory unless `keep`.
    func stop(keep: Bool = false) {
        process?.stop()
        process = nil
        if !keep { try? FileManager.default.removeItem(at: directory) }
    }

    /// The endpoint of `token`.
    func endpoint(_ token: String) -> String {
        "\(tls ? "https" : "http")://127.0.0.1:\(port)/push/\(token)"
    }

    /// Makes a subscriber (key pair, auth secret) for `token`, as a browser does, and tells the
    /// service its private key; returns the subscription the browser would hand out.
    func subscribe(token: String) throws -> PushSubscription {
        try subscribe(tokens: [token])[0]
    }

    /// ``subscribe(token:)`` for many tokens, the keys file written once.
    func subscribe(tokens: [String]) throws -> [PushSubscription] {
        var made: [PushSubscription] = []
        var entries: [String: [String: String]] = [:]
        for token in tokens {
            let key = P256.KeyAgreement.PrivateKey()
            let auth = (0..<16).map { _ in UInt8.random(in: 0...255) }
            entries[token] = ["private": Base64URL.encode(Array(key.rawRepresentation)), "auth": Base64URL.encode(auth)]
            made.append(
                try PushSubscription(
                    endpoint: endpoint(token), p256dh: Base64URL.encode(Array(key.publicKey.x963Representation)),
                    auth: Base64URL.encode(auth)))
        }
        let all = keys.withLock { k -> [String: [String: String]] in
            k.merge(entries) { _, new in new }
            return k
        }
        try JSONSerialization.data(withJSONObject: all).write(to: keysFile, options: .atomic)
        return made
    }

    /// One push as the service received and checked it.
    struct Received {
        var token: String
        var status: Int
        var error: String?
        var ttl: String?
        var urgency: String?
        var topic: String?
        var encoding: String?
        var claims: [String: Any]
        var k: String?
        var bytes: Int
        var payload: [String: Any]
    }

    /// Everything received so far, in order.
    func received() throws -> [Received] {
        guard let data = FileManager.default.contents(atPath: outFile.path) else { return [] }
        return try String(decoding: data, as: UTF8.self).split(separator: "\n").map { line in
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw KannelPeerError("push_service.py wrote a line that is not an object: \(line.prefix(200))")
            }
            return Received(
                token: o["token"] as? String ?? "", status: o["status"] as? Int ?? 0, error: o["error"] as? String,
                ttl: o["ttl"] as? String, urgency: o["urgency"] as? String, topic: o["topic"] as? String,
                encoding: o["encoding"] as? String, claims: o["claims"] as? [String: Any] ?? [:], k: o["k"] as? String,
                bytes: o["bytes"] as? Int ?? 0, payload: o["payload"] as? [String: Any] ?? [:])
        }
    }
}
