import FanOut
import FanoutServer
import FanoutTesting
import Foundation
import TestSupport
import Testing

/// Issue part 6, "survives", against the real binary: `fanout serve` SIGKILLed in the middle of
/// an action and restarted on the same registry resumes the action from the ledger, and an
/// event-stream client that reconnects with `Last-Event-ID` gets the remaining durable events,
/// none twice and none missing.
@Suite struct ServeKillTests {
    static let dispatcherToken = "kill-dispatcher-0123456789"
    static let auditorToken = "kill-auditor-0123456789"
    /// The dispatcher's ledger batch (``DispatchOptions``' default): hand-overs after the last
    /// write of the ledger are sent again too.
    static let ledgerBatch = 256

    @Test func killedDuringAnActionTheServiceResumesItAndTheEventStreamResumesWithoutRepeatsOrGaps() async throws {
        let fx = try ActionFixture(count: 3_000, label: "serve-kill")
        let record = fx.dir.appendingPathComponent("provider-record.tsv").path
        _ = try fx.write(
            "dispatch.json", #"{"voice": {"lines": 400, "typicalCallSeconds": 40}, "sms": {"perSecond": 60, "batchSize": 10}}"#)
        let config = try fx.write(
            "serve.json",
            """
            {"tokens": [
              {"subject": "kill-dispatcher", "role": "dispatcher", "sha256": "\(ServeConfiguration.hash(token: Self.dispatcherToken))"},
              {"subject": "kill-auditor", "role": "auditor", "sha256": "\(ServeConfiguration.hash(token: Self.auditorToken))"}
            ], "dispatch": "dispatch.json"}
            """)
        let port = try LoopbackHTTP.freePort()
        let dispatcher = ["Authorization": "Bearer \(Self.dispatcherToken)"]
        let auditor = ["Authorization": "Bearer \(Self.auditorToken)"]
        let first = try ServeProcess(fx, port: port, config: config, record: record, log: "serve-1.log")
        try await first.waitReady()
        let body = """
            {"circle": {"lon": \(fx.centre.lon), "lat": \(fx.centre.lat), "radius_m": 30000}, "incident_type": "missing-child",
             "texts": {"nl": "Meisje (6), gele regenjas"}, "channels": ["sms", "voice"], "confirm": true}
            """
        let start = try await onOwnThread {
            try LoopbackHTTP.request("POST", port: port, path: "/v1/actions", headers: dispatcher, body: body)
        }
        #expect(start.status == 201, "\(String(decoding: start.body, as: UTF8.self))")
        let id = try #require(start.json["id"] as? Int)
        let path = "/v1/actions/\(id)/events"

        // Follow the stream until a ring is complete and a quarter of the alerts (at least) too, then
        // SIGKILL the service with alerts still to go.
        let before = try await onOwnThread {
            let stream = try LoopbackHTTP("GET", port: port, path: path, headers: auditor, timeout: 120)
            var events: [SSEEvent] = []
            while let e = try stream.nextEvent() {
                events.append(e)
                guard e.name == "counts", let c = Counts(e), c.included > 0 else { continue }
                if c.open == 0 || (c.open * 4 <= c.included * 3 && events.contains { $0.name == "ring" }) { break }
            }
            first.kill()
            // What was on the wire before the kill still counts as seen; a torn event does not.
            while let e = try? stream.nextEvent() { events.append(e) }
            return events
        }
        #expect(before.first?.name == "started")
        #expect(before.contains { $0.name == "ring" })
        let lastSeen = try #require(before.last?.id)
        let summary = try Ledger.open(at: fx.db, readOnly: true).summary(of: ActionID(rawValue: Int64(id)))
        let inFlight = (summary.alerts[.sent] ?? 0) + (summary.endMessages[.sent] ?? 0)
        #expect(inFlight + (summary.alerts[.queued] ?? 0) > 0, "the alerts were all done before the kill")
        #expect(summary.included == fx.count)

        // Restart on the same registry; the stream resumes from the last id it saw.
        let second = try ServeProcess(fx, port: port, config: config, record: record, log: "serve-2.log")
        try await second.waitReady()
        let after = try await onOwnThread {
            let stream = try LoopbackHTTP(
                "GET", port: port, path: path, headers: auditor.merging(["Last-Event-ID": lastSeen]) { a, _ in a },
                timeout: 300)
            var events: [SSEEvent] = []
            var ended = false
            while let e = try stream.nextEvent() {
                events.append(e)
                if !ended, e.name == "counts", let c = Counts(e), c.open == 0 {
                    ended = true
                    let end = try LoopbackHTTP.request(
                        "POST", port: port, path: "\(path.dropLast("/events".count))/end", headers: dispatcher,
                        body: #"{"result": "Gevonden, dank u wel"}"#)
                    #expect(end.status == 200)
                }
            }
            return events
        }
        #expect(after.last?.name == "finished")
        #expect(after.first?.name != "started")
        let whole = try await onOwnThread {
            let stream = try LoopbackHTTP("GET", port: port, path: path, headers: auditor, timeout: 60)
            var events: [SSEEvent] = []
            while let e = try stream.nextEvent() { events.append(e) }
            return events
        }

        // The durable events seen before and after the kill are those of a fresh stream, once each.
        let durable: Set<String> = ["started", "enlarged", "ring", "stopped", "ended", "finished"]
        func keys(_ events: [SSEEvent]) -> [String] {
            events.filter { durable.contains($0.name ?? "") }.map { "\($0.name ?? "") \($0.data)" }
        }
        let seen = keys(before) + keys(after)
        #expect(Set(seen).count == seen.count, "repeated: \(seen)")
        #expect(seen.sorted() == keys(whole).sorted())
        #expect(keys(whole).filter { $0.hasPrefix("ring ") }.count >= 2)

        // A stream open on another action does not hold up a graceful shutdown (SIGTERM).
        let other = try await onOwnThread {
            try LoopbackHTTP.request(
                "POST", port: port, path: "/v1/actions", headers: dispatcher,
                body: body.replacingOccurrences(of: "\"radius_m\": 30000", with: "\"radius_m\": 200"))
        }
        let otherID = try #require(other.json["id"] as? Int)
        let open = try LoopbackHTTP("GET", port: port, path: "/v1/actions/\(otherID)/events", headers: auditor, timeout: 120)
        let started = try await onOwnThread { try open.nextEvent() }
        #expect(started?.name == "started")
        let status = try await onOwnThread { second.terminate() }
        #expect(status == 0, "\(second.log)")
        let leftover = try await onOwnThread { () -> Int in
            var n = 0
            while (try? open.nextEvent()) != nil { n += 1 }
            return n
        }
        _ = leftover

        // The provider record: every included person's alert handed over, repeats only in the
        // window of the kill; the end message to exactly those reached; the ledger has nothing open.
        let provider = try ProviderRecord.read(path: record)
        var alertResult: [Int64: DeliveryResult] = [:]
        var ends = Set<Int64>()
        var times: [String: Int] = [:]
        for e in provider.entries where e.result != .throttled && e.key.action == ActionID(rawValue: Int64(id)) {
            times["\(e.key)/\(e.attempt)", default: 0] += 1
            switch e.key.kind {
            case .alert: alertResult[e.key.person] = e.result
            case .end: ends.insert(e.key.person)
            }
        }
        let missing = (1...Int64(fx.count)).filter { alertResult[$0] == nil }
        #expect(missing.isEmpty, "no alert handed over to \(missing.prefix(10))")
        let reached = Set(alertResult.filter { $0.value == .delivered }.keys)
        #expect(ends == reached)
        let repeats = times.values.reduce(0) { $0 + $1 - 1 }
        #expect(times.values.allSatisfy { $0 <= 2 })
        #expect(repeats <= inFlight + Self.ledgerBatch, "\(repeats) repeats; \(inFlight) in flight at the kill")
        let final = try Ledger.open(at: fx.db, readOnly: true).summary(of: ActionID(rawValue: Int64(id)))
        #expect(final.state == .ended)
        #expect(final.included == fx.count)
        let openAlerts = (final.alerts[.queued] ?? 0) + (final.alerts[.sent] ?? 0)
        let openEnds = (final.endMessages[.queued] ?? 0) + (final.endMessages[.sent] ?? 0)
        #expect(openAlerts + openEnds == 0)
        #expect((final.alerts[.delivered] ?? 0) == reached.count)
        print(
            "serve kill test: \(fx.count) included, killed with \(inFlight) in flight, \(repeats) repeated hand-overs, "
                + "\(keys(before).count) durable events before the kill and \(keys(after).count) after")
    }
}

/// The numbers of a `counts` event.
struct Counts {
    var included: Int
    var completed: Int
    var open: Int

    init?(_ event: SSEEvent) {
        let json = event.json
        guard let alerts = json["alerts"] as? [String: Int], let included = json["included"] as? Int else { return nil }
        self.included = included
        completed = (alerts["delivered"] ?? 0) + (alerts["failed"] ?? 0)
        open = (alerts["queued"] ?? 0) + (alerts["sent"] ?? 0)
    }
}

/// `fanout serve` as a child process, its standard error in a log file.
final class ServeProcess: Sendable {
    private let process: Process
    let port: Int
    let logPath: String

    init(_ fx: ActionFixture, port: Int, config: String, record: String, log: String) throws {
        self.port = port
        logPath = fx.dir.appendingPathComponent(log).path
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let p = Process()
        p.executableURL = try CommandRunner.executable()
        p.arguments = [
            "serve", "--db", fx.db, "--config", config, "--listen", "127.0.0.1:\(port)", "--provider-record", record,
            "--speed", "5", "--engines", "1",
        ]
        p.currentDirectoryURL = fx.dir
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle(forWritingAtPath: logPath)
        try p.run()
        process = p
    }

    /// What it logged.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits until `/readyz` answers 200.
    func waitReady() async throws {
        let port = port
        let ready = try await onOwnThread {
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                if (try? LoopbackHTTP.request("GET", port: port, path: "/readyz", timeout: 5).status) == 200 { return true }
                Thread.sleep(forTimeInterval: 0.1)
            }
            return false
        }
        if !ready { throw KillTestError("fanout serve did not become ready: \(log)") }
    }

    /// SIGKILLs it and waits until it is gone.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// SIGTERMs it and waits until it exits; its exit status, or -1 when it had not exited after
    /// a minute (it is SIGKILLed then: a graceful shutdown that hangs).
    func terminate() -> Int32 {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGTERM) }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            kill()
            return -1
        }
        return process.terminationStatus
    }
}
