import FanOut
import Foundation
import Logging

// MARK: - The delivery-report listener

extension KannelCore {
    /// The listener thread: accepts Kannel's report requests, and between them reports the
    /// messages whose report is overdue and those rejected because the queue was full. Returns
    /// when stopping; the thread then releases the socket and signals ``exited``.
    func listen(on socket: Socket) {
        var lastSweep = ContinuousClock.now
        while !state.withLock({ $0.stopping }) {
            do {
                if try socket.waitReadable(milliseconds: 100), let connection = try socket.accept() {
                    serve(connection)
                }
            } catch {
                badRequest("kannel: report listener failed", level: .error, ["error": "\(error)"])
                Thread.sleep(forTimeInterval: 0.1)
            }
            // At most every 50 ms: the sweep walks every awaited message.
            if ContinuousClock.now - lastSweep >= .milliseconds(50) {
                sweep()
                lastSweep = ContinuousClock.now
            }
        }
    }

    private func serve(_ connection: Socket) {
        var data: [UInt8] = []
        do {
            try connection.setTimeouts(milliseconds: 2000)
            while HTTP.headEnd(data) == nil, data.count < 8192 {
                let chunk = try connection.receive(maximum: 8192)
                if chunk.isEmpty { break }
                data += chunk
            }
        } catch {
            badRequest("kannel: reading a report request failed", ["error": "\(error)"])
            return
        }
        let line = String(decoding: data.prefix(while: { $0 != 13 && $0 != 10 }), as: UTF8.self)
        let parts = line.split(separator: " ")
        var status = "400 Bad Request"
        var report: KannelSMSProvider.DeliveryReport?
        var reply: KannelSMSProvider.Reply?
        if parts.count == 3, parts[0] == "GET", let (path, query) = HTTP.parseTarget(parts[1]) {
            if path == "/mo" {
                if let from = query["from"], !from.isEmpty, let text = query["text"], onReply != nil {
                    status = "200 OK"
                    reply = KannelSMSProvider.Reply(from: from, text: text)
                } else if onReply == nil {
                    status = "404 Not Found"
                }
            } else if path != "/dlr" {
                status = "404 Not Found"
            } else if let key = KannelProtocol.key(from: query), let type = query["type"].flatMap({ Int($0) }) {
                status = "200 OK"
                report = KannelSMSProvider.DeliveryReport(
                    key: key, type: type, answer: PersonalData.masked(query["answer"] ?? "", limit: 120))
            }
        }
        let answer = "HTTP/1.1 \(status)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        do { try connection.sendAll(Array(answer.utf8)) } catch {
            badRequest("kannel: answering a report failed", ["error": "\(error)"])
        }
        if let reply {
            state.withLock { $0.statistics.replies += 1 }
            onReply?(reply)
            return
        }
        guard let report else {
            badRequest("kannel: a request on the report listener was not a delivery report", ["status": "\(status)"])
            return
        }
        handle(report)
    }

    private func handle(_ report: KannelSMSProvider.DeliveryReport) {
        state.withLock { $0.statistics.reports += 1 }
        onReport?(report)
        guard let result = KannelProtocol.result(ofDLRType: report.type, deliveredOn: configuration.deliveredOn) else {
            return  // intermediate
        }
        guard let job = take(report.key) else {
            state.withLock { $0.statistics.unmatchedReports += 1 }
            return
        }
        finish(
            job, result, reason: result == .delivered ? nil : "delivery report type \(report.type) '\(report.answer)'")
    }

    /// Logs a failed or bad request on the report listener, counted as one repeated event (a
    /// scanner or a misconfigured peer could send thousands).
    private func badRequest(_ message: String, level: Logger.Level = .warning, _ metadata: Logger.Metadata) {
        let now = elapsed
        let line = state.withLock { $0.log.listener.occurred(at: now) }
        log(
            line, level: level, first: message, what: "bad requests on the report listener", metadata: metadata,
            debug: message, at: now)
    }

    /// Reports overdue messages as failed and queue overflows as throttled.
    private func sweep() {
        let now = ContinuousClock.now
        let (overdue, rejected, replays) = state.withLock { s -> ([Job], [Job], [(Job, DeliveryResult)]) in
            var overdue: [Job] = []
            for (key, a) in s.awaiting where a.deadline <= now {
                overdue.append(a.job)
                s.awaiting[key] = nil
            }
            s.statistics.timedOut += overdue.count
            defer {
                s.rejected.removeAll()
                s.replays.removeAll()
            }
            return (overdue, s.rejected, s.replays)
        }
        for job in rejected { finish(job, .throttled, reason: "the adapter's queue is full") }
        for (job, result) in replays { finish(job, result, replay: true) }
        let timeout = configuration.reportTimeout
        for job in overdue { finish(job, .failed, reason: "no delivery report within \(timeout)") }
    }
}
