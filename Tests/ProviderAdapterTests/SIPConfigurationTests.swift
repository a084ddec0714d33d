@testable import ChannelAdapters
import FanOut
import Foundation
@testable import ProviderAdapters
import Testing

/// The `"sip"` object of the dispatcher configuration file.
@Suite struct SIPConfigurationTests {
    static func parse(_ sip: String, password: String? = nil) throws -> SIPConfiguration? {
        try SIPConfiguration.parse(
            dispatchConfig: Data("{\"voice\": {\"lines\": 4}, \"sip\": \(sip)}".utf8), source: "dispatch.json",
            password: password)
    }

    static let minimal = #"{"proxyHost": "sip.example", "username": "burgernet", "audioCacheDirectory": "/tmp/v""#

    @Test func aCompleteObjectIsRead() throws {
        let c = try #require(
            try Self.parse(
                #"{"proxyHost": "10.1.2.3", "proxyPort": 5080, "username": "burgernet", "password": "pw", "fromURI": "sip:alarm@trunk.example", "displayName": "Burgernet", "localHost": "127.0.0.1", "localPort": 5062, "rtpPortMin": 30000, "rtpPortMax": 30199, "lines": 50, "ringTimeoutSeconds": 25, "dtmfWaitSeconds": 2.5, "audioCacheDirectory": "/var/cache/fanout", "voices": {"en": "en-gb", "pl": "pl"}, "defaultLanguage": "en", "queueCapacity": 500}"#
            ))
        #expect(c.proxyHost == "10.1.2.3" && c.proxyPort == 5080 && c.username == "burgernet" && c.password == "pw")
        #expect(c.fromURI == "sip:alarm@trunk.example" && c.displayName == "Burgernet")
        #expect(c.localHost == "127.0.0.1" && c.localPort == 5062 && c.rtpPorts == 30_000...30_199)
        #expect(c.lines == 50 && c.ringTimeout == .seconds(25) && c.dtmfWait == .milliseconds(2500))
        #expect(c.audioCacheDirectory == "/var/cache/fanout" && c.defaultLanguage == "en" && c.queueCapacity == 500)
        #expect(c.voices == ["nl": "nl", "fr": "fr", "de": "de", "en": "en-gb", "pl": "pl"])
    }

    @Test func defaultsAndThePasswordFromTheEnvironment() throws {
        let c = try #require(try Self.parse(Self.minimal + "}", password: "from-env"))
        #expect(c.password == "from-env" && c.proxyPort == 5060 && c.fromURI == "sip:burgernet@sip.example")
        #expect(c.lines == 30 && c.ringTimeout == .seconds(30) && c.dtmfWait == .seconds(5))
        #expect(c.voices == SIPConfiguration.defaultVoices)
        #expect(try SIPConfiguration.parse(dispatchConfig: Data("{}".utf8), source: "d.json") == nil)
    }

    @Test(arguments: [
        (
            #"{"proxyHost": "h", "username": "u", "audioCacheDirectory": "/c", "pasword": "x"}"#,
            "'sip.pasword' is not a SIP configuration key"
        ),
        (minimal + "}", "'sip.password' is missing (or set FANOUT_SIP_PASSWORD)"),
        (#"{"username": "u", "audioCacheDirectory": "/c", "password": "p"}"#, "'sip.proxyHost' is missing"),
        (minimal + #", "password": "p", "lines": 0}"#, "'sip.lines' must be a whole number 1 to 2000"),
        (minimal + #", "password": "p", "lines": 2.5}"#, "'sip.lines' must be a whole number 1 to 2000"),
        (minimal + #", "password": "p", "lines": "many"}"#, "'sip.lines' must be a whole number 1 to 2000"),
        (minimal + #", "password": "p", "proxyPort": true}"#, "'sip.proxyPort' must be a whole number 1 to 65535"),
        (minimal + #", "password": "p", "ringTimeoutSeconds": 0}"#, "'sip.ringTimeoutSeconds' must be"),
        (minimal + #", "password": "p", "dtmfWaitSeconds": -1}"#, "'sip.dtmfWaitSeconds' must be"),
        (minimal + #", "password": "p", "rtpPortMin": 40000, "rtpPortMax": 30000}"#, "'sip.rtpPortMax' must be above"),
        (minimal + #", "password": "p", "localHost": "localhost"}"#, "'sip.localHost'"),
        (minimal + #", "password": "p", "fromURI": "mailto:x"}"#, "'sip.fromURI'"),
        (minimal + #", "password": "p", "voices": {"nl": 3}}"#, "'sip.voices' must be an object"),
        (minimal + #", "password": "p", "voices": {"Dutch": "nl"}}"#, "'sip.voices'"),
        (minimal + #", "password": "p", "defaultLanguage": "pl"}"#, "'sip.defaultLanguage'"),
        (minimal + #", "password": "p", "lines": 900, "rtpPortMin": 30000, "rtpPortMax": 30100}"#, "'sip.rtpPortMin'"),
        ("[1]", "'sip' must be an object"),
    ])
    func badObjectsAreRefusedNamingFileAndKey(sip: String, message: String) {
        do {
            _ = try Self.parse(sip)
            Issue.record("accepted: \(sip)")
        } catch {
            let text = "\(error)"
            #expect(text.contains("dispatch.json"), "\(text)")
            #expect(text.contains(message), "\(text)")
        }
    }

    @Test func thePasswordIsNeverShown() throws {
        let c = try SIPConfiguration(
            proxyHost: "h", username: "u", password: "super-secret", audioCacheDirectory: "/tmp/c")
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, c.debugDescription, "\(c)", dumped] { #expect(!text.contains("super-secret")) }
    }
}
