@testable import ChannelAdapters
import FanOut
import Foundation
@testable import ProviderAdapters
import Testing

/// The pure parts of the SMTP client: reply parsing, EHLO keywords, dot-stuffing, the outcome
/// table and the mail's encodings.
@Suite struct SMTPProtocolTests {
    static func feed(_ lines: [String]) -> [SMTPReplyParser.Step] {
        var parser = SMTPReplyParser()
        return lines.map { parser.feed(Array($0.utf8)) }
    }

    @Test func multiLineRepliesAreJoinedAndTheirKeywordsRead() {
        let steps = Self.feed(["250-smtp.example", "250-PIPELINING", "250-SIZE 10240000", "250-STARTTLS",
            "250-AUTH LOGIN PLAIN", "250 8BITMIME"])
        #expect(steps.dropLast().allSatisfy { $0 == .more })
        guard case .reply(let reply) = steps.last else {
            Issue.record("no reply")
            return
        }
        #expect(reply.code == 250 && reply.lines.count == 6)
        let ext = SMTPExtensions(ehlo: reply)
        #expect(ext.pipelining && ext.startTLS && ext.authPlain && ext.eightBitMIME && ext.sizeLimit == 10_240_000)
        #expect(Self.feed(["354"]) == [.reply(SMTPReply(code: 354, lines: [""]))])
    }

    @Test(arguments: [
        "", "25", "abc", "2500 ok", "250x", "199 too small", "600 too big", "25a ok", "\u{0}\u{0}\u{0}",
        "-250 dash first",
    ])
    func malformedLinesAreNamedNeverGuessed(line: String) {
        guard case .malformed = Self.feed([line]).last else {
            Issue.record("'\(line)' was taken")
            return
        }
    }

    @Test func aContinuationWithAnotherCodeOrTooManyLinesIsMalformed() {
        guard case .malformed = Self.feed(["250-a", "251 b"]).last else {
            Issue.record("mixed codes taken")
            return
        }
        guard case .malformed = Self.feed(Array(repeating: "250-x", count: 200)).last else {
            Issue.record("an endless reply taken")
            return
        }
    }

    @Test func repliesAreMaskedForLogs() {
        let reply = SMTPReply(code: 550, lines: ["5.1.1 <jan.jansen@example.nl>: user unknown, ticket 12345678"])
        #expect("\(reply)" == "550 5.1.1 <address> user unknown, ticket <number>")
    }

    @Test func dotsAtLineStartsAreDoubledAndTheDataEnds() {
        let content = Array("Subject: x\r\n\r\n.one\r\n..two\r\nmid.dle\r\n.".utf8)
        #expect(String(decoding: SMTPConnection.dotStuffed(content), as: UTF8.self)
            == "Subject: x\r\n\r\n..one\r\n...two\r\nmid.dle\r\n..\r\n.\r\n")
    }

    @Test(arguments: [
        (550, SMTPStage.recipient, DeliveryResult.failed), (554, .endOfData, .failed), (450, .recipient, .failed),
        (450, .endOfData, .failed), (452, .recipient, .throttled), (451, .endOfData, .throttled),
        (421, .recipient, .throttled), (421, .mail, .throttled), (450, .mail, .throttled), (553, .mail, .failed),
    ])
    func refusalsMapToResults(code: Int, stage: SMTPStage, expected: DeliveryResult) {
        #expect(SMTPOutcome.result(of: SMTPReply(code: code, lines: ["x"]), at: stage) == expected)
    }

    @Test func lostConnectionsAreThrottledBeforeTheEndOfDataAndFailedAfter() {
        #expect(SMTPOutcome.result(of: .lost("gone", dataSent: false)) == .throttled)
        #expect(SMTPOutcome.result(of: .lost("gone", dataSent: true)) == .failed)
        #expect(SMTPOutcome.result(of: .accepted) == .delivered)
    }

    @Test func quotedPrintableLinesStayWithin76CharactersAndEncodeWhatMust() {
        let text = String(repeating: "é café = 100% ", count: 20) + "trailing space \nnext\tline\t\n.dot"
        let encoded = String(decoding: MailComposer.quotedPrintable(text), as: UTF8.self)
        let lines = encoded.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 76 })
        #expect(lines.allSatisfy { !$0.hasSuffix(" ") && !$0.hasSuffix("\t") })
        #expect(encoded.utf8.allSatisfy { $0 < 127 })
        #expect(encoded.contains("caf=C3=A9 =3D 100%"))
        #expect(lines.last == ".dot")
    }

    @Test func headersAreEncodedWordsWhenNotPlainASCII() {
        #expect(MailComposer.encodedWord("Burgernet", start: 9) == "Burgernet")
        let encoded = MailComposer.encodedWord("Vermist – café", start: 9)
        #expect(encoded.hasPrefix("=?UTF-8?B?") && encoded.hasSuffix("?="))
        #expect(MailComposer.mailbox(name: "Burgernet", address: "a@b.example") == "\"Burgernet\" <a@b.example>")
        #expect(MailComposer.rfc5322Date(Date(timeIntervalSince1970: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
        #expect(MailComposer.rfc5322Date(Date(timeIntervalSince1970: 1_796_674_950)) == "Mon, 07 Dec 2026 20:22:30 +0000")
    }

    @Test func addressesThatCouldInjectCommandsAreRefused() {
        #expect(SMTPConfiguration.isAddress("jan@example.nl"))
        for bad in ["jan@example.nl>\r\nDATA", "jan @example.nl", "<jan@example.nl>", "jan", "jan@localhost", "a@b@c.d"] {
            #expect(!SMTPConfiguration.isAddress(bad), "\(bad)")
        }
    }
}
