/// Where in a mail transaction the server answered.
enum SMTPStage: String, Sendable, Hashable {
    case mail = "MAIL FROM"
    case recipient = "RCPT TO"
    case data = "DATA"
    case endOfData = "the end of data"
}

/// How one mail transaction ended.
enum SMTPTransactionResult: Sendable, Equatable {
    /// 2xx after the end of data: the relay took the mail.
    case accepted
    /// The server refused at `stage` (the connection stays usable unless the code is 421).
    case refused(SMTPReply, SMTPStage)
    /// The connection broke or went silent; `dataSent`: the end of data was written (the relay
    /// may have taken the mail).
    case lost(String, dataSent: Bool)
}

extension SMTPConnection {
    /// Sends one mail: MAIL FROM, RCPT TO and DATA (in one write when pipelining, RFC 2920),
    /// then the dot-stuffed content and the final dot. After a refusal within the transaction,
    /// RSET; a connection that does not take the RSET is closed.
    ///
    /// - Parameters:
    ///   - from: The envelope sender.
    ///   - to: The recipient, a checked `local@domain` (never logged).
    ///   - content: The mail, CRLF lines.
    func transaction(from: String, to: String, content: [UInt8]) -> SMTPTransactionResult {
        transactions += 1
        let mail = "MAIL FROM:<\(from)>\r\n"
        let rcpt = "RCPT TO:<\(to)>\r\n"
        var dataSent = false
        do throws(SMTPConnectionError) {
            if pipelining {
                send(mail + rcpt + "DATA\r\n")
                let m = try reply("MAIL FROM")
                if m.code == 421 { return .refused(m, .mail) }
                let r = try reply("RCPT TO")
                if r.code == 421 { return .refused(r, .recipient) }
                let d = try reply("DATA")
                if d.code == 421 { return .refused(d, .data) }
                guard m.isPositive, r.isPositive, d.code == 354 else {
                    if d.code == 354 {
                        // DATA accepted although MAIL or RCPT was not (RFC 2920 3.1): end it empty.
                        send(".\r\n")
                        let end = try reply("the end of an empty DATA")
                        if end.code == 421 { return .refused(end, .endOfData) }
                    }
                    let (refusal, stage) = !m.isPositive ? (m, SMTPStage.mail) : !r.isPositive ? (r, .recipient) : (d, .data)
                    try reset()
                    return .refused(refusal, stage)
                }
            } else {
                send(mail)
                let m = try reply("MAIL FROM")
                guard m.isPositive else {
                    if m.code != 421 { try reset() }
                    return .refused(m, .mail)
                }
                send(rcpt)
                let r = try reply("RCPT TO")
                guard r.isPositive else {
                    if r.code != 421 { try reset() }
                    return .refused(r, .recipient)
                }
                send("DATA\r\n")
                let d = try reply("DATA")
                guard d.code == 354 else {
                    if d.code != 421 { try reset() }
                    return .refused(d, .data)
                }
            }
            send(Self.dotStuffed(content))
            dataSent = true
            let end = try reply("the end of data")
            return end.isPositive ? .accepted : .refused(end, .endOfData)
        } catch {
            close()
            return .lost(error.description, dataSent: dataSent)
        }
    }

    /// RSET after a refused transaction; a connection that does not answer 250 is closed.
    private func reset() throws(SMTPConnectionError) {
        send("RSET\r\n")
        let answer = try reply("RSET")
        if !answer.isPositive { close() }
    }

    /// `content` with a dot doubled at the start of every line (RFC 5321 4.5.2), a CRLF at its
    /// end if it has none, and the final `.` line.
    static func dotStuffed(_ content: [UInt8]) -> [UInt8] {
        content.withUnsafeBufferPointer { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + bytes.count / 64 + 8)
            var lineStart = true
            for byte in bytes {
                if lineStart, byte == 46 { out.append(46) }  // "."
                out.append(byte)
                lineStart = byte == 10
            }
            let n = out.count
            if !(n >= 2 && out[n - 2] == 13 && out[n - 1] == 10) {
                out.append(13)
                out.append(10)
            }
            out.append(46)
            out.append(13)
            out.append(10)
            return out
        }
    }
}
