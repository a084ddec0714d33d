import Foundation
import Testing

@testable import FanOut
import Participants
@testable import FanoutTesting

/// Message templates: per incident type and language, written and spoken, the number to call,
/// the photo line, and the SMS count checked against `texts.maxSMSParts`.
@Suite struct MessageTemplatesTests {
    @Test func theBuiltInDutchTemplateWithAndWithoutAPhoto() {
        let t = MessageTemplates()
        let with = t.render(
            description: "Vermist: Sanne (8), rode jas.", photoURL: "https://p.example/s.jpg", incidentType: "missing-child",
            language: "nl", channel: .sms)
        #expect(
            with
                == "Burgernet: Vermist: Sanne (8), rode jas. Heeft u iets gezien? Bel direct gratis 0800-0011.\nFoto: https://p.example/s.jpg"
        )
        let without = t.render(
            description: "Vermist: Sanne (8), rode jas.", photoURL: nil, incidentType: "missing-child", language: "nl",
            channel: .app)
        #expect(without == "Burgernet: Vermist: Sanne (8), rode jas. Heeft u iets gezien? Bel direct gratis 0800-0011.")
        // Spoken: its own text, the number digit by digit, never the photo link.
        let spoken = t.render(
            description: "Vermist: Sanne.", photoURL: "https://p.example/s.jpg", incidentType: "x", language: "nl",
            channel: .voice)
        #expect(
            spoken
                == "Dit is een bericht van Burgernet. Vermist: Sanne. Heeft u iets gezien? Bel dan gratis 0 8 0 0, 0 0 1 1.")
    }

    @Test func lookupGoesTypeThenStarThenBuiltInThenDutch() {
        let t = MessageTemplates(
            callNumber: "112",
            templates: [
                "missing-child": ["en": .init(written: "MISSING {description} {number}")],
                "*": ["en": .init(written: "ANY {description}", spoken: "SPOKEN {description} {number}")],
            ])
        #expect(t.render(description: "d", photoURL: nil, incidentType: "missing-child", language: "en", channel: .sms) == "MISSING d 112")
        #expect(t.render(description: "d", photoURL: nil, incidentType: "burglary", language: "en", channel: .sms) == "ANY d")
        #expect(t.render(description: "d", photoURL: nil, incidentType: "burglary", language: "en", channel: .voice) == "SPOKEN d 1 1 2")
        // French is not configured: the built-in French; Turkish is nowhere: Dutch.
        #expect(t.render(description: "d", photoURL: nil, incidentType: "burglary", language: "fr", channel: .sms).hasPrefix("Burgernet : d Vous"))
        #expect(t.render(description: "d", photoURL: nil, incidentType: "burglary", language: "tr", channel: .sms).hasPrefix("Burgernet: d Heeft"))
        // A description holding a placeholder is not filled in itself.
        #expect(t.render(description: "{number}", photoURL: nil, incidentType: "burglary", language: "en", channel: .sms) == "ANY {number}")
    }

    @Test func anActionWhoseRenderedTextTakesTooManySMSIsRefusedNamingTheLanguage() throws {
        // 153 × 2 = 306 septets is two SMS; the template adds "X " (2): a 305-character description
        // renders to 307 septets, three SMS: refused at maxSMSParts 2, taken at 3.
        let templates = ["*": ["nl": MessageTemplates.Template(written: "X {description}")]]
        let request = ActionRequest(
            incidentType: "burglary", urgency: .high, message: String(repeating: "a", count: 305), channels: [.sms])
        var t = MessageTemplates(maxSMSParts: 2, templates: templates)
        #expect(MessageLimits.smsLength("X " + String(repeating: "a", count: 305)).parts == 3)
        do {
            try t.check(request)
            Issue.record("a three-SMS text was taken at maxSMSParts 2")
        } catch let e as DispatchError {
            #expect(e.code == .invalidRequest)
            #expect("\(e)".contains("takes 3 SMS"))
            #expect("\(e)".contains("at most 2"))
        }
        // The built-in texts in the other languages are longer still; only nl is configured here, so
        // limit the check to a description short enough for every built-in template at 3.
        t.maxSMSParts = 3
        try t.check(ActionRequest(incidentType: "burglary", urgency: .high, message: "short", channels: [.sms]))
        // UCS-2: an emoji makes it 70/67 per SMS.
        let ucs = MessageTemplates(maxSMSParts: 1, templates: ["*": ["nl": .init(written: "{description}")]])
        #expect(throws: DispatchError.self) {
            try ucs.check(
                ActionRequest(
                    incidentType: "b", urgency: .high, message: String(repeating: "é", count: 60) + "🚨", channels: [.sms]))
        }
    }

    @Test func theConfigurationIsReadAndCheckedNamingTheKey() throws {
        let good = Data(
            """
            {"texts": {"callNumber": "0800-1234", "maxSMSParts": 2,
              "templates": {"*": {"en": {"written": "Alert: {description} Call {number}", "spoken": "Alert. {description}"}}}}}
            """.utf8)
        let config = try DispatchConfig.parse(good, source: "dispatch.json")
        #expect(config.texts?.callNumber == "0800-1234")
        #expect(config.texts?.spokenCallNumber == "0 8 0 0, 1 2 3 4")
        #expect(config.texts?.maxSMSParts == 2)
        for (json, expected) in [
            (#"{"texts": {"maxSMSParts": 9}}"#, "'texts.maxSMSParts' must be 1...6, got 9"),
            (#"{"texts": {"templates": {"*": {"en": {"written": "{description} {name}"}}}}}"#, "unknown placeholder {name}"),
            (#"{"texts": {"templates": {"*": {"en": {"written": "no description"}}}}}"#, "must contain {description}"),
            (#"{"texts": {"callnumber": "1"}}"#, "callnumber"),
        ] {
            do {
                _ = try DispatchConfig.parse(Data(json.utf8), source: "dispatch.json")
                Issue.record("taken: \(json)")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
                #expect("\(error)".contains("dispatch.json"))
            }
        }
    }

    @Test func theDispatcherSendsTheRenderedTextPerChannel() async throws {
        var config = DispatchConfig()
        config.texts = MessageTemplates(
            templates: ["*": ["nl": .init(written: "W {description} {number}", spoken: "S {description} {number}")]])
        let sms = RecordingProvider()
        let voice = RecordingProvider()
        let d = try Dispatcher(config: config, providers: [.sms: sms, .voice: voice], clock: VirtualClock())
        let recipients = [
            Recipient(id: 1, distanceMeters: 2, channels: [.sms], language: try Language(parsing: "nl")),
            Recipient(id: 2, distanceMeters: 1, channels: [.voice], language: try Language(parsing: "nl")),
        ]
        _ = try d.start(Fixture.request([.sms, .voice]), recipients: recipients)
        try await d.runUntilIdle()
        #expect(sms.records.map(\.message.text) == ["W Look out for a red van 0800-0011"])
        #expect(voice.records.map(\.message.text) == ["S Look out for a red van 0 8 0 0, 0 0 1 1"])
    }
}
