import Foundation
import Testing

@testable import FanOut

@Suite struct DispatchConfigTests {
    @Test func defaultsAreBEAlertCapacity() {
        let c = DispatchConfig()
        #expect(c.voice.lines == 600)
        #expect(c.sms.perSecond == 100)
        #expect(c.email.perSecond == 10_000)
    }

    @Test func missingKeysTakeTheDefaults() throws {
        let c = try DispatchConfig.parse(Data(#"{"sms": {"perSecond": 50, "batchSize": 5}}"#.utf8))
        #expect(c.sms == .init(perSecond: 50, batchSize: 5))
        #expect(c.voice.lines == 600)
        #expect(c.confirmationThreshold(for: "burglary") == 10_000)
    }

    @Test func thresholdsPerIncidentTypeWithAFallback() throws {
        let c = try DispatchConfig.parse(Data(#"{"confirmationThresholds": {"burglary": 2000, "*": 9000}}"#.utf8))
        #expect(c.confirmationThreshold(for: "burglary") == 2000)
        #expect(c.confirmationThreshold(for: "missing-child") == 9000)
    }

    @Test(arguments: [
        (#"{"voice": {"lines": 0, "typicalCallSeconds": 60}}"#, "'voice.lines' must be positive, got 0"),
        (#"{"sms": {"perSecond": -1, "batchSize": 10}}"#, "'sms.perSecond' must be positive"),
        (#"{"email": {"perSecond": 10, "batchSize": 0}}"#, "'email.batchSize' must be positive"),
        (#"{"sms": 12}"#, "not a valid dispatcher configuration"),
    ])
    func badConfigurationsAreRefusedWithTheKey(json: String, expected: String) {
        #expect {
            try DispatchConfig.parse(Data(json.utf8), source: "limits.json")
        } throws: { error in
            guard let e = error as? FanOutError else { return false }
            return e.code == .invalidConfig && e.description.contains(expected) && e.description.contains("limits.json")
        }
    }
}
