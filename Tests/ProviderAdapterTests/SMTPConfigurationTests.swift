@testable import ChannelAdapters
import Foundation
@testable import ProviderAdapters
import Testing

/// The `"smtp"` object of the dispatcher configuration file.
@Suite struct SMTPConfigurationTests {
    static let minimal = """
        "host": "mail.burgernet.example", "fromAddress": "alert@burgernet.example",
        "replyBaseURL": "https://burgernet.example/r/"
        """

    static func parse(_ body: String, password: String? = nil, secret: String? = "0123456789abcdef-secret")
        throws -> SMTPConfiguration?
    {
        try SMTPConfiguration.parse(
            dispatchConfig: Data("{\"sms\": {\"perSecond\": 5}, \"smtp\": {\(body)}}".utf8), source: "dispatch.json",
            password: password, replySecret: secret)
    }

    @Test func everyKeyIsReadAndTheDefaultsAreDocumented() throws {
        let c = try #require(
            try Self.parse(
                """
                \(Self.minimal), "port": 587, "connections": 8, "pipelining": false, "startTLS": "required",
                "tlsServerName": "relay.example", "username": "fanout", "password": "file-password",
                "fromName": "Burgernet", "heloName": "fanout.example", "subject": "Burgernet-actie",
                "replySecret": "from-the-file-0123456789", "unsubscribeURL": "https://burgernet.example/afmelden",
                "connectTimeoutSeconds": 2.5, "commandTimeoutSeconds": 30, "queueCapacity": 500
                """, password: "env-password", secret: "env-secret-0123456789"))
        #expect(c.host == "mail.burgernet.example" && c.port == 587 && c.connections == 8 && !c.pipelining)
        #expect(c.startTLS == .required && c.tlsServerName == "relay.example")
        #expect(c.username == "fanout" && c.password == "file-password")
        #expect(c.replySecret == Array("from-the-file-0123456789".utf8))
        #expect(c.connectTimeout == .milliseconds(2500) && c.commandTimeout == .seconds(30) && c.queueCapacity == 500)
        let d = try #require(try Self.parse(Self.minimal))
        #expect(d.port == 25 && d.connections == 4 && d.pipelining && d.startTLS == .opportunistic)
        #expect(d.username == nil && d.replySecret == Array("0123456789abcdef-secret".utf8))
        #expect(try SMTPConfiguration.parse(dispatchConfig: Data("{}".utf8), source: "x") == nil)
    }

    @Test func thePasswordAndTheSecretComeFromTheEnvironmentAndAreNeverShown() throws {
        let c = try #require(try Self.parse("\(Self.minimal), \"username\": \"fanout\"", password: "env-pass-word"))
        #expect(c.password == "env-pass-word")
        for text in ["\(c)", String(reflecting: c), { var s = ""; dump(c, to: &s); return s }()] {
            #expect(!text.contains("env-pass-word") && !text.contains("0123456789abcdef-secret"))
        }
    }

    @Test(arguments: [
        ("\"colour\": 1", "'smtp.colour' is not an SMTP configuration key"),
        ("\"port\": 70000", "'smtp.port' must be a whole number 1 to 65535"),
        ("\"port\": \"25\"", "'smtp.port' must be a whole number"),
        ("\"connections\": 0", "'smtp.connections' must be a whole number 1 to 64"),
        ("\"startTLS\": \"always\"", "'smtp.startTLS' must be \"opportunistic\", \"required\" or \"off\""),
        ("\"username\": \"u\"", "'smtp.password' is missing for 'username' (or set FANOUT_SMTP_PASSWORD)"),
        ("\"password\": \"p\"", "'smtp.password' is given without 'username'"),
        ("\"trustedCAFile\": \"/nonexistent/ca.pem\"", "'smtp.trustedCAFile' is not a readable file"),
        ("\"commandTimeoutSeconds\": 0", "'smtp.commandTimeoutSeconds' must be > 0"),
        ("\"heloName\": \"bad name\"", "the HELO name must be a host name"),
        ("\"subject\": \"two\\nlines\"", "'smtp.subject' must be one line"),
    ])
    func badKeysAreRefusedNamingTheFileAndTheKey(extra: String, message: String) {
        #expect {
            _ = try Self.parse("\(Self.minimal), \(extra)")
        } throws: { error in
            "\(error)".hasPrefix("dispatch.json: ") && "\(error)".contains(message)
        }
    }

    @Test(arguments: [
        ("\"fromAddress\": \"alert@burgernet.example\", \"replyBaseURL\": \"https://b.example/r/\"", "'smtp.host' is missing"),
        ("\"host\": \"h\", \"replyBaseURL\": \"https://b.example/r/\"", "'smtp.fromAddress' is missing"),
        ("\"host\": \"h\", \"fromAddress\": \"a@b.example\"", "'smtp.replyBaseURL' is missing"),
        ("\"host\": \"h\", \"fromAddress\": \"a b@b.example\", \"replyBaseURL\": \"https://b.example/r/\"", "'smtp.fromAddress' must be"),
        ("\"host\": \"h\", \"fromAddress\": \"a@b.example\", \"replyBaseURL\": \"ftp://b.example/r/\"", "'smtp.replyBaseURL' must be"),
        ("\"host\": \"h\", \"fromAddress\": \"a@b.example\", \"replyBaseURL\": \"https://b.example/r\"", "'smtp.replyBaseURL' must be"),
    ])
    func missingAndMalformedRequiredKeysAreNamed(body: String, message: String) {
        #expect {
            _ = try Self.parse(body)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func aMissingOrShortReplySecretIsRefused() {
        #expect {
            _ = try Self.parse(Self.minimal, secret: nil)
        } throws: { error in
            "\(error)".contains("'smtp.replySecret' is missing (or set FANOUT_MAIL_REPLY_SECRET)")
        }
        #expect {
            _ = try Self.parse(Self.minimal, secret: "short")
        } throws: { error in
            "\(error)".contains("'smtp.replySecret' must be at least 16 bytes") && !"\(error)".contains("short")
        }
    }
}
