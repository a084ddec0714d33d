import FanOut
import Foundation
import ProviderAdapters

// MARK: - The "sip" object of a dispatcher configuration file

extension SIPConfiguration {
    /// The environment variable that gives the SIP password when the file has none.
    public static let passwordVariable = "FANOUT_SIP_PASSWORD"

    /// Reads the `"sip"` object of a dispatcher configuration file (the JSON that
    /// `DispatchConfig.load(from:)` reads for the limits); `nil` when the file has none.
    ///
    /// ```json
    /// "sip": {
    ///   "proxyHost": "sip.trunk.example", "proxyPort": 5060, "username": "burgernet",
    ///   "fromURI": "sip:burgernet@trunk.example", "displayName": "Burgernet", "lines": 30,
    ///   "ringTimeoutSeconds": 30, "dtmfWaitSeconds": 5, "rtpPortMin": 20000, "rtpPortMax": 29999,
    ///   "audioCacheDirectory": "/var/cache/fanout/voice", "voices": {"nl": "nl", "en": "en-gb"}
    /// }
    /// ```
    ///
    /// Required: `proxyHost`, `username`, `audioCacheDirectory`, and `password` unless `password`
    /// (the environment's ``passwordVariable``) is given. Optional, with the defaults of
    /// ``init(proxyHost:proxyPort:username:password:fromURI:displayName:localHost:localPort:rtpPorts:lines:ringTimeout:dtmfWait:audioCacheDirectory:voices:defaultLanguage:queueCapacity:rememberedResults:espeakPath:soxPath:)``:
    /// `proxyPort`, `fromURI`, `displayName`, `localHost`, `localPort`, `rtpPortMin`, `rtpPortMax`,
    /// `lines`, `ringTimeoutSeconds`, `dtmfWaitSeconds`, `voices` (merged over the defaults),
    /// `defaultLanguage`, `queueCapacity`. Unknown keys are refused.
    ///
    /// - Parameters:
    ///   - url: The configuration file.
    ///   - password: The password to use when the file has no `password` key (from the environment).
    /// - Returns: The configuration, or `nil` without a `"sip"` object.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the file and the key, never
    ///   showing the password.
    public static func load(fromDispatchConfig url: URL, password: String? = nil) throws -> SIPConfiguration? {
        try parse(dispatchConfig: ProviderConfigFile.read(url), source: url.path, password: password)
    }

    /// Parses the `"sip"` object of a dispatcher configuration (`source` names it in messages).
    ///
    /// See ``load(fromDispatchConfig:password:)``.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming `source` and the key.
    public static func parse(dispatchConfig data: Data, source: String, password: String? = nil) throws
        -> SIPConfiguration?
    {
        func bad(_ key: String, _ problem: String) -> ProviderAdapterError {
            ProviderConfigFile.problem(source, "sip", key, problem)
        }
        guard
            let file = try ProviderConfigFile.decode(
                SIPFileKeys.Values.self, from: data, name: "sip", source: source, kinds: SIPFileKeys.kinds,
                what: "a SIP configuration key")
        else { return nil }
        func string(_ key: String) -> String? { file.strings[key] }
        func number(_ key: String) -> Double? { file.numbers[key] }
        func whole(_ key: String, _ range: ClosedRange<Int>) throws -> Int? {
            guard let value = number(key) else { return nil }
            guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw bad(key, "must be \(SIPFileKeys.kinds[key] ?? "a whole number"), got \(value)")
            }
            return Int(value)
        }
        func seconds(_ key: String, from low: Double, upTo limit: Double) throws -> Duration? {
            guard let value = number(key) else { return nil }
            guard value >= low, value <= limit else {
                throw bad(key, "must be \(SIPFileKeys.kinds[key] ?? "seconds"), got \(value)")
            }
            return .milliseconds(Int64((value * 1000).rounded(.up)))
        }
        func required(_ key: String, _ what: String) throws -> String {
            guard let value = string(key) else { throw bad(key, "is missing (\(what))") }
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad(key, "is empty") }
            return value
        }
        let proxyHost = try required("proxyHost", "the SIP proxy or trunk, a host name or IPv4 address")
        let username = try required("username", "the digest user name")
        let cache = try required("audioCacheDirectory", "where rendered messages are kept")
        guard let secret = string("password") ?? password else {
            throw bad("password", "is missing (or set \(passwordVariable))")
        }
        var voices = SIPConfiguration.defaultVoices
        for (language, voice) in file.voices ?? [:] { voices[language] = voice }
        let rtpMin = try whole("rtpPortMin", 1024...65_534)
        let rtpMax = try whole("rtpPortMax", 1025...65_535)
        let d = try SIPConfiguration(proxyHost: "d", username: "d", password: "", audioCacheDirectory: "d")
        let low = rtpMin.map { UInt16($0) } ?? d.rtpPorts.lowerBound
        let high = rtpMax.map { UInt16($0) } ?? d.rtpPorts.upperBound
        guard low < high else { throw bad("rtpPortMax", "must be above rtpPortMin (\(low)), got \(high)") }
        let lines = try whole("lines", 1...2000)
        let proxyPort = try whole("proxyPort", 1...65_535)
        let localPort = try whole("localPort", 0...65_535)
        let queueCapacity = try whole("queueCapacity", 1...10_000_000)
        let ring = try seconds("ringTimeoutSeconds", from: 0, upTo: 300)
        let wait = try seconds("dtmfWaitSeconds", from: 0, upTo: 120)
        if let ring, ring == .zero {
            throw bad("ringTimeoutSeconds", "must be \(SIPFileKeys.kinds["ringTimeoutSeconds"] ?? "")")
        }
        do {
            return try SIPConfiguration(
                proxyHost: proxyHost, proxyPort: proxyPort.map { UInt16($0) } ?? d.proxyPort, username: username,
                password: secret, fromURI: string("fromURI"), displayName: string("displayName"),
                localHost: string("localHost") ?? d.localHost, localPort: localPort.map { UInt16($0) } ?? 0,
                rtpPorts: low...high, lines: lines ?? d.lines, ringTimeout: ring ?? d.ringTimeout,
                dtmfWait: wait ?? d.dtmfWait, audioCacheDirectory: cache, voices: voices,
                defaultLanguage: string("defaultLanguage") ?? d.defaultLanguage,
                queueCapacity: queueCapacity ?? d.queueCapacity)
        } catch let e as ProviderAdapterError {
            // The remaining checks are the initializer's: name the key its message is about.
            let key = SIPFileKeys.key(forMessage: e.message)
            throw bad(key, e.message)
        }
    }
}

/// The keys of the `"sip"` object, with what each value must be (for messages).
enum SIPFileKeys {
    static let kinds: [String: String] = [
        "proxyHost": "a host name or numeric IPv4 address", "proxyPort": "a whole number 1 to 65535",
        "username": "a string", "password": "a string", "fromURI": "a string, sip:user@domain",
        "displayName": "a string", "localHost": "a numeric IPv4 address", "localPort": "a whole number 0 to 65535",
        "rtpPortMin": "a whole number 1024 to 65534", "rtpPortMax": "a whole number 1025 to 65535",
        "lines": "a whole number 1 to 2000", "ringTimeoutSeconds": "a number of seconds > 0 and ≤ 300",
        "dtmfWaitSeconds": "a number of seconds 0 to 120", "audioCacheDirectory": "a directory path",
        "voices": "an object of language code to espeak-ng voice, e.g. {\"nl\": \"nl\"}",
        "defaultLanguage": "a language code with a voice", "queueCapacity": "a positive whole number",
    ]

    /// The `"sip"` object as written in the file, every key optional, checked afterwards.
    struct Values: Decodable {
        var strings: [String: String] = [:]
        // Whole numbers are read as Double and checked afterwards: a fraction given for an `Int`
        // fails in the decoder as "not valid JSON", without the key.
        var numbers: [String: Double] = [:]
        var voices: [String: String]?

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        static let stringKeys: Set<String> = [
            "proxyHost", "username", "password", "fromURI", "displayName", "localHost", "audioCacheDirectory",
            "defaultLanguage",
        ]

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: Key.self)
            for key in c.allKeys {
                if key.stringValue == "voices" {
                    voices = try c.decode([String: String].self, forKey: key)
                } else if Self.stringKeys.contains(key.stringValue) {
                    strings[key.stringValue] = try c.decode(String.self, forKey: key)
                } else if kinds[key.stringValue] != nil {
                    numbers[key.stringValue] = try c.decode(Double.self, forKey: key)
                }
            }
        }
    }



    /// The file key an initializer message is about (its first words name the setting).
    static func key(forMessage message: String) -> String {
        let table: [(String, String)] = [
            ("the SIP proxy host", "proxyHost"), ("the SIP username", "username"), ("the From URI", "fromURI"),
            ("the display name", "displayName"), ("the local host", "localHost"), ("the RTP port", "rtpPortMin"),
            ("lines", "lines"), ("voices", "voices"), ("the default language", "defaultLanguage"),
        ]
        return table.first { message.hasPrefix($0.0) }?.1 ?? ""
    }
}
