import FanOut
import Foundation
import Logging
import ProviderAdapters

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// MARK: - Reading SIP

extension SIPEngine {
    /// Reads every datagram waiting on the signalling socket.
    func readSignalling() {
        while true {
            switch socket.receive(into: &buffer) {
            case .none: return
            case .error(let e):
                // An ICMP error for the connected proxy: nothing placed since reached it.
                if e == ECONNREFUSED || e == EHOSTUNREACH || e == ENETUNREACH {
                    for call in Array(calls.values) where call.state == .calling {
                        endCall(call, .throttled, reason: "the SIP proxy is unreachable: \(Self.text(e))")
                    }
                }
                continue
            case .datagram(let count, _):
                guard count > 0 else { continue }  // keep-alive
                let bytes = buffer[0..<count]
                if count <= 4, bytes.allSatisfy({ $0 == 13 || $0 == 10 }) { continue }  // CRLF keep-alive
                guard let message = SIPMessage(parsing: bytes) else {
                    ignore(bytes, because: "not a SIP message")
                    continue
                }
                switch message.start {
                case .response: response(message, raw: bytes)
                case .request: request(message, raw: bytes)
                }
            }
        }
    }

    /// Counts and logs (the first 5, then every 1000th; digit runs masked) a datagram not understood.
    func ignore(_ bytes: ArraySlice<UInt8>, because reason: String) {
        malformed += 1
        core.state.withLock { $0.statistics.malformed += 1 }
        guard malformed <= 5 || malformed % 1000 == 0 else { return }
        let head = String(decoding: bytes.prefix(80), as: UTF8.self)
        core.logger.warning(
            "sip: datagram ignored",
            metadata: [
                "reason": "\(reason)", "bytes": "\(bytes.count)", "start": "\(PersonalData.masked(head, limit: 80))",
                "ignored": "\(malformed)",
            ])
    }

    // MARK: - Responses

    private func response(_ message: SIPMessage, raw: ArraySlice<UInt8>) {
        guard let status = message.status, let cseq = message.cseq, let callID = message.callID,
            message.header("From") != nil, message.header("To") != nil, message.header("Via") != nil
        else {
            ignore(raw, because: "a response without Via, From, To, Call-ID or CSeq")
            return
        }
        guard cseq.method == "INVITE" else {
            // CANCEL and BYE: a final response ends their retransmissions.
            if status >= 200, let branch = message.topBranch { transactions[branch] = nil }
            return
        }
        guard let call = calls[callID] else {
            // A retransmitted final response of a call already ended: its ACK again.
            if status >= 200, let e = ended[callID] {
                if status >= 300 {
                    _ = socket.send(nonSuccessAck(message))
                } else if let ack = e.ack {
                    _ = socket.send(ack)
                }
            } else if ended[callID] == nil {
                ignore(raw, because: "a response for no call of this adapter")
            }
            return
        }
        if status >= 300, cseq.number != call.cseq {
            _ = socket.send(nonSuccessAck(message))  // the first INVITE's challenge, retransmitted
            return
        }
        switch status {
        case 100..<200: provisional(call, status)
        case 200..<300: answered(call, message)
        default: refused(call, message, status)
        }
    }

    private func provisional(_ call: SIPCall, _ status: Int) {
        guard call.state == .calling else { return }
        call.state = .proceeding
        call.retransmitAt = nil
        // Proceeding: no Timer B any more; the ring timeout (then CANCEL) ends it.
        call.giveUpAt = call.ringDeadline + SIPTimers.b
    }

    private func refused(_ call: SIPCall, _ message: SIPMessage, _ status: Int) {
        let ack = nonSuccessAck(message)
        _ = socket.send(ack)
        guard call.state != .answered else { return }
        let reason: String
        if case .response(_, let text) = message.start { reason = "\(status) \(text)" } else { reason = "\(status)" }
        if (status == 401 || status == 407), !call.authorized, call.state != .cancelling {
            retryWithCredentials(call, message, status)
            return
        }
        let result: DeliveryResult
        if call.state == .cancelling {
            result = status == 487 ? .noAnswer : SIPOutcome.result(status: status, retryAfter: false)
        } else {
            result = SIPOutcome.result(status: status, retryAfter: message.header("Retry-After") != nil)
        }
        endCall(call, result, reason: call.state == .cancelling ? "ring timeout, then \(reason)" : reason, ack: ack)
    }

    private func retryWithCredentials(_ call: SIPCall, _ message: SIPMessage, _ status: Int) {
        core.state.withLock { $0.statistics.challenges += 1 }
        let (challengeName, answerName) =
            status == 401 ? ("WWW-Authenticate", "Authorization") : ("Proxy-Authenticate", "Proxy-Authorization")
        let challenges = message.headers.filter { $0.name == challengeName }.compactMap {
            SIPDigest(challenge: $0.value)
        }
        guard let digest = challenges.first(where: { $0.algorithm != nil }),
            let value = digest.authorization(
                method: "INVITE", uri: requestURI(call), username: configuration.username,
                password: configuration.password, cnonce: SIPRandom.token(16))
        else {
            endCall(call, .failed, reason: "\(status) with no digest challenge the adapter can answer (MD5, SHA-256)")
            return
        }
        let now = ContinuousClock.now
        call.authorized = true
        call.cseq += 1
        call.branch = SIPRandom.branch()
        call.invite = invite(call, authorization: (answerName, value))
        call.state = .calling
        call.retransmitInterval = SIPTimers.t1
        call.retransmitAt = now + SIPTimers.t1
        call.giveUpAt = now + SIPTimers.b
        if let error = socket.send(call.invite) {
            endCall(call, .failed, reason: "sending the INVITE with credentials failed: \(Self.text(error))")
        }
    }

    private func answered(_ call: SIPCall, _ message: SIPMessage) {
        if call.state == .answered {
            if let ack = call.ack { _ = socket.send(ack) }  // the 2xx retransmitted: our ACK was lost
            return
        }
        let to = message.header("To") ?? ""
        call.remoteTo = to
        call.remoteTag = SIPMessage.parameter("tag", in: to)
        call.remoteTarget = message.header("Contact").flatMap(SIPMessage.uri(in:)) ?? requestURI(call)
        call.routes = message.values("Record-Route").reversed()
        // The 2xx's ACK is a transaction of its own (new branch), along the route set.
        var headers = [("Via", via(SIPRandom.branch())), ("Max-Forwards", "70")]
        headers += call.routes.map { ("Route", $0) }
        headers += [("From", from(call)), ("To", to), ("Call-ID", call.callID), ("CSeq", "\(call.cseq) ACK")]
        let ack = SIPMessage(start: .request(method: "ACK", uri: call.remoteTarget), headers: headers).bytes
        call.ack = ack
        _ = socket.send(ack)
        call.retransmitAt = nil
        let now = ContinuousClock.now
        if call.state == .cancelling {
            call.state = .answered
            sendBye(call)
            endCall(call, .noAnswer, reason: "answered after the ring timeout's CANCEL: hung up")
            return
        }
        call.state = .answered
        guard let media = SIPSDP.answer(message.body), let address = media.address.sockaddr else {
            sendBye(call)
            endCall(call, .failed, reason: "the answer has no usable audio (PCMU or PCMA on an IPv4 address)")
            return
        }
        call.media = media
        call.mediaAddress = address
        call.mediaStart = now
        call.giveUpAt = now + .milliseconds(20 * call.packetCount) + configuration.dtmfWait + SIPTimers.b
        core.state.withLock { $0.statistics.answered += 1 }
    }

    /// The ACK of a non-2xx final response (RFC 3261 section 17.1.1.3): the INVITE's Via, From
    /// and Request-URI, the response's To.
    func nonSuccessAck(_ response: SIPMessage) -> [UInt8] {
        let callID = response.callID ?? ""
        let number = response.cseq?.number ?? 0
        let uri = calls[callID].map(requestURI) ?? (response.header("To").flatMap(SIPMessage.uri(in:)) ?? "sip:invalid")
        let headers = [
            ("Via", response.values("Via").first ?? via(SIPRandom.branch())), ("Max-Forwards", "70"),
            ("From", response.header("From") ?? ""), ("To", response.header("To") ?? ""), ("Call-ID", callID),
            ("CSeq", "\(number) ACK"),
        ]
        return SIPMessage(start: .request(method: "ACK", uri: uri), headers: headers).bytes
    }

    // MARK: - Requests from the far end

    private func request(_ message: SIPMessage, raw: ArraySlice<UInt8>) {
        guard let method = message.method, let callID = message.callID, message.cseq != nil,
            message.header("From") != nil, message.header("To") != nil, !message.values("Via").isEmpty
        else {
            ignore(raw, because: "a request without Via, From, To, Call-ID or CSeq")
            return
        }
        let call = calls[callID]
        switch method {
        case "ACK":
            return
        case "BYE":
            guard let call else {
                reply(message, ended[callID] != nil ? 200 : 481, ended[callID] != nil ? "OK" : "Call Does Not Exist")
                return
            }
            reply(message, 200, "OK")
            core.state.withLock { $0.statistics.hungUpByPeer += 1 }
            // Answered (a BYE comes only in a dialog): delivered, whatever was played.
            endCall(call, call.state == .answered ? .delivered : .failed, reason: nil)
        case "OPTIONS":
            reply(message, 200, "OK", extra: [("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")])
        case "INVITE":
            // A re-INVITE keeps the session as it is; calls to the adapter are not taken.
            if call != nil { reply(message, 488, "Not Acceptable Here") } else { reply(message, 603, "Decline") }
        default:
            if call != nil {
                reply(message, 405, "Method Not Allowed", extra: [("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS")])
            } else {
                reply(message, 481, "Call Does Not Exist")
            }
        }
    }

    /// Answers a request (RFC 3261 section 8.2.6: its Vias, From, To with a tag, Call-ID, CSeq).
    private func reply(_ request: SIPMessage, _ status: Int, _ reason: String, extra: [(String, String)] = []) {
        var headers = request.headers.filter { $0.name == "Via" }.map { ($0.name, $0.value) }
        var to = request.header("To") ?? ""
        if SIPMessage.parameter("tag", in: to) == nil { to += ";tag=\(SIPRandom.token(10))" }
        headers += [
            ("From", request.header("From") ?? ""), ("To", to), ("Call-ID", request.callID ?? ""),
            ("CSeq", request.header("CSeq") ?? ""), ("User-Agent", "fanout"),
        ]
        headers += extra
        _ = socket.send(SIPMessage(start: .response(status: status, reason: reason), headers: headers).bytes)
    }
}
