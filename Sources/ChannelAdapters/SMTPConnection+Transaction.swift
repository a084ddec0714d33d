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

// MARK: - Pipelining across mails

extension SMTPConnection {
    /// What the previous mail of ``transactions(from:mails:)`` still awaits after the write that
    /// carries the next mail's commands.
    private enum Awaiting {
        /// The reply to its end of data.
        case endOfData(Int)
        /// The reply to an empty DATA's end, then to RSET.
        case emptyEndAndReset
        /// The reply to RSET.
        case reset
    }

    /// Sends `mails` one after the other on a pipelining connection, each mail's MAIL FROM, RCPT
    /// TO and DATA written together with the previous mail's content and final dot (or its RSET):
    /// RFC 2920 3.1 lets the content be the first "command" of a group. One write and one wait per
    /// mail instead of two.
    ///
    /// - Returns: One result per mail, in order; after a broken connection, the mails not
    ///   answered are `.lost` (`dataSent` for one whose end of data was written).
    func transactions(from: String, mails: [(to: String, content: [UInt8])]) -> [SMTPTransactionResult] {
        guard pipelining, mails.count > 1 else {
            return mails.map { transaction(from: from, to: $0.to, content: $0.content) }
        }
        transactions += mails.count
        var results: [SMTPTransactionResult?] = Array(repeating: nil, count: mails.count)
        func commands(_ i: Int) -> [UInt8] { Array("MAIL FROM:<\(from)>\r\nRCPT TO:<\(mails[i].to)>\r\nDATA\r\n".utf8) }
        var write = commands(0)
        var awaiting: Awaiting?
        var dataSent: Int?
        var i = 0
        do throws(SMTPConnectionError) {
            while true {
                send(write)
                write = []
                switch awaiting {
                case .endOfData(let j)?:
                    let end = try reply("the end of data")
                    results[j] = end.isPositive ? .accepted : .refused(end, .endOfData)
                    dataSent = nil
                    if end.code == 421 { throw SMTPConnectionError(transient: true, description: "\(end)") }
                case .emptyEndAndReset?:
                    let end = try reply("the end of an empty DATA")
                    let rset = try reply("RSET")
                    if end.code == 421 || !rset.isPositive { throw SMTPConnectionError(transient: true, description: "\(rset)") }
                case .reset?:
                    let rset = try reply("RSET")
                    if !rset.isPositive { throw SMTPConnectionError(transient: true, description: "RSET refused: \(rset)") }
                case nil: break
                }
                awaiting = nil
                guard i < mails.count else { break }
                let m = try reply("MAIL FROM")
                let r = m.code == 421 ? m : try reply("RCPT TO")
                let d = r.code == 421 ? r : try reply("DATA")
                if d.code == 421 {
                    results[i] = .refused(d, m.code == 421 ? .mail : r.code == 421 ? .recipient : .data)
                    throw SMTPConnectionError(transient: true, description: "\(d)")
                }
                let next = i + 1 < mails.count ? commands(i + 1) : []
                if m.isPositive, r.isPositive, d.code == 354 {
                    write = Self.dotStuffed(mails[i].content) + next
                    awaiting = .endOfData(i)
                    dataSent = i
                } else {
                    results[i] = !m.isPositive ? .refused(m, .mail) : !r.isPositive ? .refused(r, .recipient) : .refused(d, .data)
                    // DATA accepted although MAIL or RCPT was not: end it empty, then RSET.
                    write = Array((d.code == 354 ? ".\r\nRSET\r\n" : "RSET\r\n").utf8) + next
                    awaiting = d.code == 354 ? .emptyEndAndReset : .reset
                }
                i += 1
            }
        } catch {
            close()
            for j in results.indices where results[j] == nil {
                results[j] = .lost(error.description, dataSent: j == dataSent)
            }
        }
        return results.map { $0 ?? .lost("no reply", dataSent: false) }
    }
}
