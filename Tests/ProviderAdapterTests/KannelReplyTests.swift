import FanOut
import FanoutTesting
import Foundation
import ProviderAdapters
import Participants
import TestSupport
import Testing

/// SMS replies (MO) through a real Kannel: the fake SMSC sends a participant's reply, smsbox's
/// `get-url` hands it to the adapter's listener, the desk finds the person by their number
/// (however it was registered) and stores the answer; a "STOP" is honoured at once (no end
/// message). The reply-text rules are checked on their own too.
@Suite(
    .serialized,
    .enabled(
        if: KannelPeer.shouldRun, "Kannel is not installed: apt-get install kannel kannel-extras (tools/test.sh does)"))
struct KannelReplyTests {
    @Test func repliesBecomeASightingAndAStopOfTheirSendersInTheirLatestAction() async throws {
        let port = try KannelPeer.unusedPorts(1)[0]
        let peer = try KannelPeer(replyURL: "http://127.0.0.1:\(port)/mo?from=%p&text=%a")
        defer { peer.stop() }
        try await peer.start()
        // 16 participants at 1 SMS/s: the run lasts about 16 s, time for two replies.
        let fx = try await KannelActionFixture(
            count: 16, peer: peer, label: "kannel-reply", smsPerSecond: 1, batchSize: 1, reportListenPort: port)
        defer { try? FileManager.default.removeItem(at: fx.dir) }
        let radius = Double(fx.columns) * 55 * 2  // the whole grid
        let inside = try fx.oracle(radius: radius).filter { $0 != fx.phoneless }
        let (seer, stopper) = (inside[0], inside[1])  // the two outermost: texted first
        let run = try await KannelActionCommandTests.spawn(
            fx,
            ["start"] + fx.circle(radius: radius) + [
                "--incident-type", "missing-child", "--message", "Vermist: Sanne (8).", "--channels", "sms",
                "--confirm", "--run",
            ], output: "start.out")
        let deadline = ContinuousClock.now + .seconds(60)
        while try peer.received().filter({ $0.sender == KannelActionFixture.sender }).count < 2 {
            guard ContinuousClock.now < deadline else { throw KannelPeerError("the first two SMS did not arrive") }
            try await Task.sleep(for: .milliseconds(100))
        }
        // Registered as +3162…; the SMSC gives 003162… and 062… (a national number).
        let seerPhone = KannelActionFixture.phone(seer)
        try await peer.sendReply(from: "00" + seerPhone.dropFirst(), text: "Gezien bij het station")
        try await peer.sendReply(from: "0" + KannelActionFixture.phone(stopper).dropFirst(3), text: "STOP")
        #expect(try await KannelActionCommandTests.exitStatus(of: run, seconds: 120) == 0)
        let id = ActionID(rawValue: 1)
        let ledger = try Ledger.open(at: fx.db)
        let answers = try ledger.answers(to: id).map(\.answer)
        #expect(answers.map(\.person) == [seer, stopper])
        #expect(answers.map(\.kind) == [.sighting, .stop])
        #expect(answers.allSatisfy { $0.channel == .sms && $0.text == nil })
        #expect(try ledger.summary(of: id).answers == [.sighting: 1, .stop: 1])
        // The end message goes to everyone reached but the one who said stop.
        let end = try await fx.action(["end", "1", "--result", "Sanne is gevonden.", "--run"])
        #expect(end.status == 0, "\(end.stderr)")
        let ends = try ledger.messages(of: id).filter { $0.key.kind == .end }.map(\.key.person)
        #expect(Set(ends) == Set(inside).subtracting([stopper]))
        // Nothing of the numbers or the texts in what fanout printed.
        let printed = try String(contentsOf: fx.dir.appendingPathComponent("start.out"), encoding: .utf8)
        #expect(!KannelActionFixture.leaks(printed) && !printed.contains("station"))
    }

    @Test(arguments: [
        ("1", AnswerKind.sighting, nil), ("ZIEN 12", .sighting, 12), ("gezien!", .sighting, nil),
        ("Vu", .sighting, nil), ("gesehen 3", .sighting, 3), ("2", .stop, nil), ("Stop", .stop, nil),
        ("ARRÊT 4", .stop, 4), ("nein", .stop, nil), ("ik heb niets gezien 5", .acknowledgement, nil),
        ("", .acknowledgement, nil), ("stop 0", .stop, nil), ("zien -7", .sighting, 7),
    ] as [(String, AnswerKind, Int64?)])
    func replyTexts(text: String, kind: AnswerKind, action: Int64?) {
        let r = ReplyText(text)
        #expect(r.kind == kind)
        #expect(r.action?.rawValue == action)
    }
}
