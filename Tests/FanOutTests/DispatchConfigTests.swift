import Foundation
import Testing

@testable import FanOut
import Geo
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
@testable import FanoutTesting

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

    @Test func aPartialChannelObjectKeepsTheOtherKeysDefaults() throws {
        let c = try DispatchConfig.parse(
            Data(#"{"voice": {"lines": 50}, "sms": {"perSecond": 40}, "email": {"batchSize": 7}}"#.utf8))
        #expect(c.voice == .init(lines: 50, typicalCallSeconds: 60))
        #expect(c.sms == .init(perSecond: 40, batchSize: 10))
        #expect(c.email == .init(perSecond: 10_000, batchSize: 7))
        #expect(c.app == DispatchConfig().app)
        #expect(throws: DispatchError.self) { try DispatchConfig.parse(Data(#"{"voice": {"lines": 0}}"#.utf8)) }
    }

    @Test func theKannelObjectIsLeftToTheSMSAdapter() throws {
        // Read and checked by ProviderAdapters' KannelConfiguration; the dispatcher only allows it.
        let c = try DispatchConfig.parse(Data(#"{"sms": {"perSecond": 40}, "kannel": {"workers": "many"}}"#.utf8))
        #expect(c.sms.perSecond == 40)
        #expect(throws: DispatchError.self) { try DispatchConfig.parse(Data(#"{"kanel": {}}"#.utf8)) }
    }

    @Test func thresholdsPerIncidentTypeWithAFallback() throws {
        let c = try DispatchConfig.parse(Data(#"{"confirmationThresholds": {"burglary": 2000, "*": 9000}}"#.utf8))
        #expect(c.confirmationThreshold(for: "burglary") == 2000)
        #expect(c.confirmationThreshold(for: "missing-child") == 9000)
    }

    @Test(arguments: [
        (#"{"voice": {"lines": 0, "typicalCallSeconds": 60}}"#, "voice.lines: 0 is below the minimum 1"),
        (#"{"sms": {"perSecond": -1, "batchSize": 10}}"#, "sms.perSecond: -1 is below the minimum 0.01"),
        (#"{"email": {"perSecond": 10, "batchSize": 0}}"#, "email.batchSize: 0 is below the minimum 1"),
        (#"{"sms": 12}"#, "not a valid dispatcher configuration"),
    ])
    func badConfigurationsAreRefusedWithTheKey(json: String, expected: String) {
        #expect {
            try DispatchConfig.parse(Data(json.utf8), source: "limits.json")
        } throws: { error in
            guard let e = error as? DispatchError else { return false }
            return e.code == .invalidConfig && e.description.contains(expected) && e.description.contains("limits.json")
        }
    }
}

@Suite struct RetryConfigTests {
    @Test func retryAndBackPressureKeysAreReadWithDefaults() throws {
        let c = try DispatchConfig.parse(
            Data(#"{"retry": {"attemptsPerChannel": 3, "fallback": true}, "backPressure": {"pauseSeconds": 0.5}}"#.utf8)
        )
        #expect(c.retry == .init(attemptsPerChannel: 3, backoffSeconds: 60, backoffFactor: 2, fallback: true))
        #expect(
            c.backPressure
                == .init(decreaseFactor: 0.5, increaseFraction: 0.1, pauseSeconds: 0.5, minimumFraction: 0.01))
        // Backoff 60 s, then × 2 per further attempt.
        #expect(c.retry.backoff(after: 1) == .seconds(60) && c.retry.backoff(after: 3) == .seconds(240))
        #expect(DispatchConfig().retry.attemptsPerChannel == 1 && !DispatchConfig().retry.fallback)
    }

    @Test(arguments: [
        (#"{"retry": {"attemptsPerChannel": 0}}"#, "retry.attemptsPerChannel: 0 is below the minimum 1"),
        (#"{"retry": {"backoffSeconds": -5}}"#, "retry.backoffSeconds: -5 is below the minimum 0"),
        (#"{"retry": {"backoffFactor": 0.5}}"#, "retry.backoffFactor: 0.5 is below the minimum 1"),
        (#"{"backPressure": {"decreaseFactor": 1}}"#, "backPressure.decreaseFactor: 1 is above the maximum 0.99"),
        (#"{"backPressure": {"increaseFraction": 0}}"#, "backPressure.increaseFraction: 0 is below the minimum 0.001"),
        (#"{"backPressure": {"pauseSeconds": -1}}"#, "backPressure.pauseSeconds: -1 is below the minimum 0"),
        (#"{"retry": {"backofSeconds": 5}}"#, "'retry.backofSeconds' is not a configuration key"),
        (#"{"smss": {"perSecond": 5}}"#, "'smss' is not a configuration key"),
        (#"{"retry": {"fallback": "yes"}}"#, "not a valid dispatcher configuration"),
    ])
    func badRetryConfigurationsNameTheKey(json: String, expected: String) {
        #expect {
            try DispatchConfig.parse(Data(json.utf8), source: "limits.json")
        } throws: { error in
            (error as? DispatchError)?.code == .invalidConfig && "\(error)".contains(expected)
                && "\(error)".contains("limits.json")
        }
    }
}
