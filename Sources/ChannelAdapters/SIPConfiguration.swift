import ProviderAdapters

/// How ``SIPVoiceProvider`` reaches the SIP trunk, how many calls it places at once and how it
/// renders the spoken message.
public struct SIPConfiguration: Sendable {
    /// The SIP proxy or trunk every request goes to (a host name or a numeric IPv4 address).
    public var proxyHost: String
    /// Its UDP port (default 5060).
    public var proxyPort: UInt16
    /// The user name for digest authentication (and the user part of the default ``fromURI``).
    public var username: String
    /// Its password (never printed: see ``description``).
    public var password: String
    /// The `From` URI, `sip:user@domain` (default `sip:<username>@<proxyHost>`).
    public var fromURI: String
    /// The display name in `From`, such as "Burgernet"; `nil` for none.
    public var displayName: String?
    /// The numeric IPv4 address the signalling and RTP sockets bind to (default `0.0.0.0`).
    public var localHost: String
    /// The signalling socket's local port (0: any free port).
    public var localPort: UInt16
    /// The RTP ports (even ones are used; the odd one above each is left for RTCP).
    public var rtpPorts: ClosedRange<UInt16>
    /// Calls placed at once; further messages wait in the adapter's queue.
    public var lines: Int
    /// How long a call may ring before it is cancelled (``DeliveryResult/noAnswer``).
    public var ringTimeout: Duration
    /// How long the call stays up after the message has played, for a key press.
    public var dtmfWait: Duration
    /// Where rendered messages are kept (`<action>-<language>-<hash>.ulaw` / `.alaw`).
    public var audioCacheDirectory: String
    /// The espeak-ng voice per language (`nl`, `fr`, `de`, `en`; more may be added).
    public var voices: [String: String]
    /// The language of a message without one.
    public var defaultLanguage: String
    /// Messages the adapter holds before it reports new ones throttled.
    public var queueCapacity: Int
    /// How many completed idempotency keys the adapter remembers, to answer a repeat without calling.
    public var rememberedResults: Int
    /// The espeak-ng executable.
    public var espeakPath: String
    /// The sox executable.
    public var soxPath: String

    /// The default voices: espeak-ng's own for Dutch, French, German and English.
    public static let defaultVoices = ["nl": "nl", "fr": "fr", "de": "de", "en": "en"]

    /// Creates a configuration.
    ///
    /// - Parameters:
    ///   - proxyHost: The SIP proxy or trunk (host name or IPv4 address).
    ///   - proxyPort: Its UDP port.
    ///   - username: The digest user.
    ///   - password: Its password.
    ///   - audioCacheDirectory: Where rendered messages are cached (created when missing).
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the setting that is wrong.
    public init(
        proxyHost: String, proxyPort: UInt16 = 5060, username: String, password: String, fromURI: String? = nil,
        displayName: String? = nil, localHost: String = "0.0.0.0", localPort: UInt16 = 0,
        rtpPorts: ClosedRange<UInt16> = 20_000...29_999, lines: Int = 30, ringTimeout: Duration = .seconds(30),
        dtmfWait: Duration = .seconds(5), audioCacheDirectory: String, voices: [String: String] = defaultVoices,
        defaultLanguage: String = "nl", queueCapacity: Int = 10_000, rememberedResults: Int = 100_000,
        espeakPath: String = "/usr/bin/espeak-ng", soxPath: String = "/usr/bin/sox"
    ) throws {
        func bad(_ what: String) -> ProviderAdapterError { ProviderAdapterError(.invalidConfiguration, what) }
        guard !proxyHost.isEmpty, !proxyHost.contains(where: { " /@:;<>\"".contains($0) }) else {
            throw bad("the SIP proxy host must be a host name or an IPv4 address, got '\(proxyHost.prefix(60))'")
        }
        guard proxyPort > 0 else { throw bad("the SIP proxy port must be 1...65535") }
        guard !username.isEmpty, !username.contains(where: { " \"@:<>\r\n".contains($0) }) else {
            throw bad("the SIP username must be non-empty, without spaces, quotes, '@', ':' or '<>'")
        }
        let from = fromURI ?? "sip:\(username)@\(proxyHost)"
        guard from.hasPrefix("sip:"), from.contains("@"), !from.contains(where: { " <>\"\r\n".contains($0) }) else {
            throw bad("the From URI must be sip:user@domain, got '\(from.prefix(60))'")
        }
        if let name = displayName, name.contains(where: { "\"\\\r\n".contains($0) }) || name.count > 64 {
            throw bad("the display name must be at most 64 characters without quotes, backslashes or line breaks")
        }
        guard SIPAddress.isIPv4(localHost) else {
            throw bad("the local host must be a numeric IPv4 address, got '\(localHost.prefix(60))'")
        }
        guard rtpPorts.lowerBound >= 1024, rtpPorts.count >= 2 else {
            throw bad("the RTP ports must be a range of at least 2 ports from 1024 up, got \(rtpPorts)")
        }
        guard (1...2000).contains(lines) else { throw bad("lines must be 1 to 2000, got \(lines)") }
        guard rtpPorts.count / 2 >= lines else {
            throw bad(
                "the RTP port range \(rtpPorts) has room for \(rtpPorts.count / 2) calls, fewer than \(lines) lines")
        }
        guard ringTimeout > .zero, ringTimeout <= .seconds(300) else {
            throw bad("the ring timeout must be > 0 and ≤ 300 s")
        }
        guard dtmfWait >= .zero, dtmfWait <= .seconds(120) else {
            throw bad("the DTMF wait must be 0 to 120 s")
        }
        guard !audioCacheDirectory.isEmpty else { throw bad("the audio cache directory is empty") }
        for (language, voice) in voices {
            guard SIPAudio.isLanguageCode(language) else {
                throw bad("voices: '\(language.prefix(20))' is not a language code (two or three lower-case letters)")
            }
            guard !voice.isEmpty, voice.count <= 64,
                voice.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_+/".contains($0)) })
            else {
                throw bad(
                    "voices: the voice for '\(language)' must be an espeak-ng voice name, got '\(voice.prefix(40))'")
            }
        }
        guard voices[defaultLanguage] != nil else {
            throw bad("the default language '\(defaultLanguage.prefix(20))' has no voice")
        }
        guard queueCapacity > 0 else { throw bad("the queue capacity must be positive, got \(queueCapacity)") }
        self.proxyHost = proxyHost
        self.proxyPort = proxyPort
        self.username = username
        self.password = password
        self.fromURI = from
        self.displayName = displayName
        self.localHost = localHost
        self.localPort = localPort
        self.rtpPorts = rtpPorts
        self.lines = lines
        self.ringTimeout = ringTimeout
        self.dtmfWait = dtmfWait
        self.audioCacheDirectory = audioCacheDirectory
        self.voices = voices
        self.defaultLanguage = defaultLanguage
        self.queueCapacity = queueCapacity
        self.rememberedResults = max(0, rememberedResults)
        self.espeakPath = espeakPath
        self.soxPath = soxPath
    }
}

// MARK: - Never showing the password

extension SIPConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration without the password: `SIP(sip:fanout@127.0.0.1, proxy 127.0.0.1:5060, …)`.
    public var description: String {
        "SIP(\(fromURI), proxy \(proxyHost):\(proxyPort), user \(username), password hidden, \(lines) lines, "
            + "ring timeout \(ringTimeout), DTMF wait \(dtmfWait), RTP \(rtpPorts), cache \(audioCacheDirectory))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the password (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "proxyHost": proxyHost, "proxyPort": proxyPort, "username": username, "password": "<hidden>",
                "fromURI": fromURI, "displayName": displayName as Any, "localHost": localHost, "localPort": localPort,
                "rtpPorts": rtpPorts, "lines": lines, "ringTimeout": ringTimeout, "dtmfWait": dtmfWait,
                "audioCacheDirectory": audioCacheDirectory, "voices": voices, "defaultLanguage": defaultLanguage,
                "queueCapacity": queueCapacity,
            ])
    }
}
