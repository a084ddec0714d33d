import Foundation
import Testing

@testable import ProviderAdapters
import Geo
import GeoFormats
import Participants
import Selection
import FanOut
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The `"kannel"` object of a dispatcher configuration file, without Kannel: every key read, every
/// bad value refused naming the file and the key, and the password shown nowhere.
@Suite struct KannelConfigurationTests {
    static let secret = "s3cret-pass"

    static func parse(_ kannel: String, password: String? = nil) throws -> KannelConfiguration? {
        try KannelConfiguration.parse(
            dispatchConfig: Data(#"{"sms": {"perSecond": 40}, "kannel": \#(kannel)}"#.utf8), source: "dispatch.json",
            password: password)
    }

    static let minimal =
        #""sendsmsURL": "http://10.0.0.5:13013/cgi-bin/sendsms", "username": "fanout", "sender": "Burgernet""#

    @Test func everyKeyIsReadAndTheRestTakeTheAdaptersDefaults() throws {
        let full = try #require(
            try Self.parse(
                #"""
                {"sendsmsURL": "http://kannel.internal:14013/send", "username": "fanout", "password": "\#(Self.secret)",
                 "sender": "Burgernet", "smscID": "kpn", "deliveredOn": "smsc", "reportListenHost": "0.0.0.0",
                 "reportListenPort": 14100, "reportURLHost": "fanout.internal", "reportTimeoutSeconds": 90.5,
                 "requestTimeoutSeconds": 3, "workers": 8, "queueCapacity": 500, "keyInMetaData": false}
                """#))
        #expect(full.host == "kannel.internal" && full.port == 14013 && full.path == "/send")
        #expect(full.username == "fanout" && full.password == Self.secret && full.sender == "Burgernet")
        #expect(full.smscID == "kpn" && full.deliveredOn == .smsc)
        #expect(full.reportListenHost == "0.0.0.0" && full.reportListenPort == 14100)
        #expect(full.reportURLHost == "fanout.internal")
        #expect(full.reportTimeout == .milliseconds(90_500) && full.requestTimeout == .seconds(3))
        #expect(full.workers == 8 && full.queueCapacity == 500 && !full.keyInMetaData)

        let minimal = try #require(try Self.parse("{\(Self.minimal), \"password\": \"x\"}"))
        let defaults = try KannelConfiguration(
            sendsmsURL: "http://10.0.0.5:13013/cgi-bin/sendsms", username: "fanout", password: "x", sender: "Burgernet")
        #expect(minimal.workers == defaults.workers && minimal.reportTimeout == defaults.reportTimeout)
        #expect(minimal.deliveredOn == .handset && minimal.reportListenPort == 0 && minimal.keyInMetaData)
        #expect(minimal.requestTimeout == defaults.requestTimeout && minimal.queueCapacity == defaults.queueCapacity)
    }

    @Test func aFileWithoutAKannelObjectHasNone() throws {
        #expect(try KannelConfiguration.parse(dispatchConfig: Data(#"{"sms": {}}"#.utf8), source: "d.json") == nil)
    }

    @Test func thePasswordComesFromTheFileElseFromTheEnvironmentsValue() throws {
        #expect(try Self.parse("{\(Self.minimal)}", password: "from-env")?.password == "from-env")
        #expect(
            try Self.parse("{\(Self.minimal), \"password\": \"in-file\"}", password: "from-env")?.password == "in-file")
        #expect {
            try Self.parse("{\(Self.minimal)}")
        } throws: { "\($0)".contains("'kannel.password' is missing (or set FANOUT_KANNEL_PASSWORD)") }
    }

    @Test(arguments: [
        (#""workers": 0"#, "'kannel.workers' must be 1 to 64, got 0"),
        (#""workers": 2.5"#, "'kannel.workers' must be a whole number 1 to 64"),
        (#""workers": "many""#, "'kannel.workers' must be a whole number 1 to 64"),
        (#""reportTimeoutSeconds": 0"#, "'kannel.reportTimeoutSeconds' must be > 0 and ≤ 86400, got 0.0"),
        (#""requestTimeoutSeconds": -1"#, "'kannel.requestTimeoutSeconds' must be > 0"),
        (#""reportListenPort": 70000"#, "'kannel.reportListenPort' must be 0 (any free port) to 65535, got 70000"),
        (#""reportListenHost": "localhost""#, "'kannel.reportListenHost' must be a numeric IPv4 address"),
        (#""reportURLHost": "a/b""#, "'kannel.reportURLHost' must be a host name or address"),
        (#""queueCapacity": 0"#, "'kannel.queueCapacity' must be positive, got 0"),
        (#""deliveredOn": "phone""#, "'kannel.deliveredOn' must be \"handset\" (DLR type 1) or \"smsc\""),
        (#""keyInMetaData": "yes""#, "'kannel.keyInMetaData' must be true or false"),
        (
            #""sendsmsURL": "https://k:13013/cgi-bin/sendsms""#,
            "'kannel.sendsmsURL' the sendsms URL must start with http://"
        ),
        (#""sendsmsURL": "http://k:0/x""#, "'kannel.sendsmsURL' the sendsms URL's port is not a number"),
        (#""sendsmsURL": 13013"#, "'kannel.sendsmsURL' must be a string, http://host:port/cgi-bin/sendsms"),
        (#""username": """#, "'kannel.username' is empty"),
        (#""sender": " ""#, "'kannel.sender' is empty"),
        (#""usename": "fanout""#, "'kannel.usename' is not a Kannel configuration key (known: deliveredOn,"),
    ])
    func aBadValueIsRefusedNamingTheFileAndTheKey(entry: String, expected: String) {
        // The entry replaces the valid file's key of the same name.
        var keys: [(String, String)] = [
            ("sendsmsURL", #""http://10.0.0.5:13013/cgi-bin/sendsms""#), ("username", #""fanout""#),
            ("sender", #""Burgernet""#), ("password", "\"\(Self.secret)\""),
        ]
        let name = String(entry.split(separator: ":")[0].dropFirst().dropLast())
        keys.removeAll { $0.0 == name }
        let json = "{" + (keys.map { "\"\($0.0)\": \($0.1)" } + [entry]).joined(separator: ", ") + "}"
        #expect {
            try Self.parse(json)
        } throws: { e in
            (e as? ProviderAdapterError)?.code == .invalidConfiguration && "\(e)".hasPrefix("dispatch.json: ")
                && "\(e)".contains(expected) && !"\(e)".contains(Self.secret)
        }
    }

    @Test func missingRequiredKeysAreNamed() {
        for (json, key) in [
            (#"{"username": "u", "sender": "s", "password": "p"}"#, "sendsmsURL"),
            (#"{"sendsmsURL": "http://k/x", "sender": "s", "password": "p"}"#, "username"),
            (#"{"sendsmsURL": "http://k/x", "username": "u", "password": "p"}"#, "sender"),
        ] {
            #expect {
                try Self.parse(json)
            } throws: { "\($0)".contains("dispatch.json: 'kannel.\(key)' is missing") }
        }
        #expect { try Self.parse("[1]") } throws: { "\($0)".contains("dispatch.json: 'kannel' must be an object") }
    }

    @Test func aURLWithCredentialsIsRefusedWithoutShowingThem() {
        #expect {
            try Self.parse(
                #"{"sendsmsURL": "http://fanout:\#(Self.secret)@k:13013/x", "username": "u", "sender": "s", "password": "p"}"#
            )
        } throws: { e in
            "\(e)".contains("must not carry a user or password") && !"\(e)".contains(Self.secret)
        }
    }

    @Test func thePasswordIsInNoDescriptionDumpOrInterpolation() throws {
        let c = try #require(try Self.parse("{\(Self.minimal), \"password\": \"\(Self.secret)\"}"))
        var dumped = ""
        dump(c, to: &dumped)
        for text in [c.description, c.debugDescription, "\(c)", String(reflecting: c), dumped] {
            #expect(!text.contains(Self.secret), "\(text)")
            #expect(text.contains("fanout"), "\(text)")  // the user is shown
        }
        #expect(c.description.contains("password hidden"))
    }
}
