import Foundation
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
@testable import FanoutTesting

/// Texts per channel: each limit holds exactly at its bound and refuses one unit past it, naming
/// the text, the channel and the length; the dispatcher applies them at start and end.
@Suite struct MessageLimitsTests {
    static func problem(_ text: String, _ channel: Channel) -> String? {
        do {
            try MessageLimits.check(text, named: "--message", channels: [channel])
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func smsCountsGSMSeptetsAndUCS2UnitsInConcatenatedParts() {
        // By hand: one SMS up to 160 septets, then 153 per part; UCS-2 70, then 67.
        #expect(MessageLimits.smsLength(String(repeating: "a", count: 160)) == .init(isGSM: true, units: 160, parts: 1))
        #expect(MessageLimits.smsLength(String(repeating: "a", count: 161)).parts == 2)
        #expect(MessageLimits.smsLength(String(repeating: "€", count: 80)) == .init(isGSM: true, units: 160, parts: 1))
        #expect(MessageLimits.smsLength("Jeugd ë" + String(repeating: "a", count: 63)).parts == 1)  // 70 units
        #expect(
            MessageLimits.smsLength("Jeugd ë" + String(repeating: "a", count: 64))
                == .init(isGSM: false, units: 71, parts: 2))
        #expect(MessageLimits.smsLength("🚲").units == 2)  // a surrogate pair
    }

    @Test(arguments: [
        (
            String(repeating: "a", count: 918), String(repeating: "a", count: 919), Channel.sms,
            "--message: too long for sms: 919 GSM 7-bit characters take 7 SMS; at most 6 (918 GSM 7-bit characters, or 402 in UCS-2)"
        ),
        (
            String(repeating: "€", count: 459), String(repeating: "€", count: 460), .sms,
            "--message: too long for sms: 920 GSM 7-bit characters take 7 SMS"
        ),
        (
            String(repeating: "ë", count: 402), String(repeating: "ë", count: 403), .sms,
            "--message: too long for sms: 403 UTF-16 units in UCS-2 (it has characters outside the GSM alphabet) take 7 SMS"
        ),
        (String(repeating: "🚲", count: 201), String(repeating: "🚲", count: 202), .sms, "404 UTF-16 units in UCS-2"),
        (
            String(repeating: "x", count: 1000), String(repeating: "x", count: 1001), .voice,
            "--message: too long for voice: 1001 characters; at most 1000 (about a minute of speech)"
        ),
        (
            String(repeating: "x", count: 10_000), String(repeating: "x", count: 10_001), .email,
            "--message: too long for email: 10001 characters; at most 10000"
        ),
        (
            String(repeating: "é", count: 1024), String(repeating: "é", count: 1024) + "x", .app,
            "--message: too long for app push: 2049 bytes of UTF-8; at most 2048"
        ),
    ])
    func eachChannelsLimitHoldsAtItsBound(fits: String, tooLong: String, channel: Channel, message: String) {
        #expect(Self.problem(fits, channel) == nil)
        let got = Self.problem(tooLong, channel) ?? "accepted"
        #expect(got.hasPrefix(message) || got.contains(message), "\(got)")
    }

    @Test func aTextIsCheckedOnEveryChannelOfTheAction() {
        let spoken = String(repeating: "x", count: 1001)  // fits SMS? No: 1001 > 918; fits e-mail and app.
        #expect(Self.problem(spoken, .email) == nil && Self.problem(spoken, .app) == nil)
        #expect {
            try MessageLimits.check(spoken, named: "result", channels: [.email, .voice])
        } throws: { "\($0)".hasPrefix("result: too long for voice") }
    }

    @Test(
        arguments: [
            ("https://example.org/van.jpg", nil),
            ("http://politie.nl/foto?id=12&s=2", nil),
            ("ftp://example.org/van.jpg", "is not an http or https URL"),
            ("van.jpg", "is not an http or https URL"),
            ("https:///van.jpg", "has no host"),
            ("https://example.org/a van.jpg", "has a space or a control character"),
            ("https://example.org/\u{07}", "has a space or a control character"),
            ("https://example.org/" + String(repeating: "a", count: 1005), "is 1025 bytes long; at most 1024"),
        ] as [(String, String?)])
    func photoURLsMustBeHTTPWithAHost(url: String, problem: String?) {
        let got: String?
        do {
            try MessageLimits.checkPhotoURL(url, named: "--photo-url")
            got = nil
        } catch {
            got = "\(error)"
        }
        if let problem {
            #expect(got?.hasPrefix("--photo-url: '") == true && got?.hasSuffix(problem) == true, "\(got ?? "accepted")")
        } else {
            #expect(got == nil)
        }
    }

    @Test func theDispatcherRefusesALongMessageAtStartAndALongResultAtEnd() async throws {
        let d = Dispatcher(providers: [.sms: RecordingProvider(), .email: RecordingProvider()], clock: VirtualClock())
        var request = Fixture.request([.sms, .email])
        request.message = String(repeating: "a", count: 919)
        #expect {
            try d.start(request, recipients: Fixture.recipients(3))
        } throws: { "\($0)".hasPrefix("message: too long for sms: 919 GSM 7-bit characters") }
        #expect(d.actionIDs.isEmpty)
        request.message = "Red van"
        request.texts = ["fr": String(repeating: "b", count: 10_001)]
        #expect {
            try d.start(request, recipients: Fixture.recipients(3))
        } throws: { "\($0)".hasPrefix("text for language 'fr': too long for sms") }
        request.texts = [:]
        request.photoURL = "javascript:alert(1)"
        #expect {
            try d.start(request, recipients: Fixture.recipients(3))
        } throws: { "\($0)".hasPrefix("photoURL: 'javascript:alert(1)' is not an http or https URL") }
        request.photoURL = nil
        let id = try d.start(request, recipients: Fixture.recipients(3))
        try await d.runUntilIdle()
        #expect {
            try d.end(id, result: String(repeating: "c", count: 919))
        } throws: { "\($0)".hasPrefix("result: too long for sms") }
        #expect(try d.status(id).state == .running)  // not ended: the result can be given again
        #expect(try await d.end(id, result: "Found. Thank you.") == 3)
    }
}
