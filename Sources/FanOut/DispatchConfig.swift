import Foundation
import Geo
import Participants

/// Provider limits and safety thresholds, read from a JSON file.
///
/// Every key is optional; a missing one takes the default, from Belgium's BE-Alert published
/// capacity where there is one (600 simultaneous calls, 100 SMS/s, 10,000 e-mails/s):
///
/// ```json
/// {
///   "voice": { "lines": 600, "typicalCallSeconds": 60 },
///   "sms":   { "perSecond": 100, "batchSize": 10 },
///   "email": { "perSecond": 10000, "batchSize": 1000 },
///   "app":   { "perSecond": 2000, "batchSize": 500 },
///   "confirmationThresholds": { "burglary": 2000, "missing-child": 50000, "*": 10000 },
///   "retry": { "attemptsPerChannel": 1, "backoffSeconds": 60, "backoffFactor": 2, "fallback": false },
///   "backPressure": { "decreaseFactor": 0.5, "increaseFraction": 0.1, "pauseSeconds": 1, "minimumFraction": 0.01,
///                     "giveUpSeconds": 300 }
/// }
/// ```
///
/// Every number has an accepted range (``ranges``: a rate of 0.01 to 1,000,000 per second, a
/// call of 1 s to an hour, ...), checked by ``validate(source:)``. Unknown keys are refused (a
/// misspelt key would otherwise be silently ignored). The top-level
/// objects `"kannel"`, `"sip"`, `"smtp"` and `"webpush"` are the channel adapters' (in
/// `ProviderAdapters`), `"texts"` the message templates: allowed here, read and checked there.
public struct DispatchConfig: Sendable, Hashable, Codable {
    /// The voice platform: simultaneous lines and the call length assumed when planning.
    public struct Voice: Sendable, Hashable, Codable {
        /// How many calls can be in progress at once.
        public var lines: Int
        /// Typical time a call occupies a line (ringing plus message), for ``Planner`` estimates.
        public var typicalCallSeconds: Double
        /// Creates voice limits.
        public init(lines: Int = 600, typicalCallSeconds: Double = 60) {
            self.lines = lines
            self.typicalCallSeconds = typicalCallSeconds
        }

        private enum CodingKeys: String, CodingKey { case lines, typicalCallSeconds }

        /// Decodes voice limits; a missing key takes its default.
        public init(from decoder: any Decoder) throws {
            let d = Voice()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            lines = try c.decodeIfPresent(Int.self, forKey: .lines) ?? d.lines
            typicalCallSeconds = try c.decodeIfPresent(Double.self, forKey: .typicalCallSeconds) ?? d.typicalCallSeconds
        }
    }

    /// A rate as written in a file: either key may be left out (it takes the channel's default).
    private struct PartialRate: Decodable {
        var perSecond: Double?
        var batchSize: Int?

        func merged(over d: Rate) -> Rate {
            Rate(perSecond: perSecond ?? d.perSecond, batchSize: batchSize ?? d.batchSize)
        }
    }

    /// A rate-limited channel: messages per second, handed over in batches.
    ///
    /// A batch of `k` messages occupies the channel for `k / perSecond` seconds; its messages count
    /// as sent at the end of that time. This is a token bucket that starts empty with capacity
    /// `batchSize`: 1,000 SMS at 100/s are all sent at t = 10 s, whatever the batch size.
    public struct Rate: Sendable, Hashable, Codable {
        /// Messages per second.
        public var perSecond: Double
        /// Messages per provider request.
        public var batchSize: Int
        /// Creates a rate.
        public init(perSecond: Double, batchSize: Int) {
            self.perSecond = perSecond
            self.batchSize = batchSize
        }
    }

    /// Retries and fallback of alerts that were not delivered (busy, no answer, failed).
    ///
    /// An alert is tried up to ``attemptsPerChannel`` times on one channel, attempt `k + 1`
    /// waiting `backoffSeconds × backoffFactor^(k − 1)` after attempt `k` failed; then, with
    /// ``fallback``, it moves to the person's next channel at once (attempts count from 1 there
    /// again). End messages are retried the same way on their channel, without fallback. The
    /// defaults (one attempt, no fallback) send every message once.
    public struct Retry: Sendable, Hashable, Codable {
        /// Attempts per channel (1 = no retry).
        public var attemptsPerChannel: Int
        /// Wait before the first retry, in seconds.
        public var backoffSeconds: Double
        /// Each further retry waits this many times longer (≥ 1).
        public var backoffFactor: Double
        /// Whether to move to the person's next channel when the attempts on one are used up.
        public var fallback: Bool

        /// Creates a retry policy.
        public init(
            attemptsPerChannel: Int = 1, backoffSeconds: Double = 60, backoffFactor: Double = 2, fallback: Bool = false
        ) {
            self.attemptsPerChannel = attemptsPerChannel
            self.backoffSeconds = backoffSeconds
            self.backoffFactor = backoffFactor
            self.fallback = fallback
        }

        private enum CodingKeys: String, CodingKey { case attemptsPerChannel, backoffSeconds, backoffFactor, fallback }

        /// Decodes a policy; missing keys take the defaults.
        public init(from decoder: any Decoder) throws {
            let d = Retry()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            attemptsPerChannel = try c.decodeIfPresent(Int.self, forKey: .attemptsPerChannel) ?? d.attemptsPerChannel
            backoffSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffSeconds) ?? d.backoffSeconds
            backoffFactor = try c.decodeIfPresent(Double.self, forKey: .backoffFactor) ?? d.backoffFactor
            fallback = try c.decodeIfPresent(Bool.self, forKey: .fallback) ?? d.fallback
        }

        /// The wait before attempt `channelAttempt + 1` on a channel.
        func backoff(after channelAttempt: Int) -> Duration {
            var seconds = backoffSeconds
            if channelAttempt > 1 { for _ in 1..<channelAttempt { seconds *= backoffFactor } }
            return .seconds(fractional: seconds)
        }
    }

    /// Back-pressure (AIMD): how the dispatcher slows down for a provider that rejects hand-overs
    /// as overloaded (``DeliveryResult/throttled``) and speeds up again.
    ///
    /// On a rejection the channel's rate (voice: its lines) is multiplied by ``decreaseFactor``
    /// (not below ``minimumFraction`` of the configured limit; voice keeps at least one line) and
    /// the channel takes nothing for ``pauseSeconds``. Every batch accepted in full adds
    /// ``increaseFraction`` of the configured limit again, up to the limit; for voice every
    /// accepted call does (a call is one hand-over request), taking effect from the next round of
    /// calls.
    ///
    /// A provider that has rejected every hand-over for ``giveUpSeconds`` (none accepted since its
    /// first rejection: overloaded for that long, or unreachable, as Kannel is when smsbox is
    /// down) is unavailable: each further rejection counts as a failed attempt, so the retry policy
    /// and fallback take the message to the person's next channel, or give it up (audit event
    /// `gave-up`). The first accepted hand-over makes the channel available again.
    public struct BackPressure: Sendable, Hashable, Codable {
        /// Factor applied to the rate on a rejection (0 < f < 1).
        public var decreaseFactor: Double
        /// Share of the configured limit added per accepted hand-over (0 < f ≤ 1).
        public var increaseFraction: Double
        /// Seconds the channel rests after a rejection (≥ 0).
        public var pauseSeconds: Double
        /// Lowest rate as a share of the configured limit (0 < f ≤ 1).
        public var minimumFraction: Double
        /// Seconds of rejections only after which a provider counts as unavailable.
        public var giveUpSeconds: Double

        /// Creates a back-pressure policy.
        public init(
            decreaseFactor: Double = 0.5, increaseFraction: Double = 0.1, pauseSeconds: Double = 1,
            minimumFraction: Double = 0.01, giveUpSeconds: Double = 300
        ) {
            self.giveUpSeconds = giveUpSeconds
            self.decreaseFactor = decreaseFactor
            self.increaseFraction = increaseFraction
            self.pauseSeconds = pauseSeconds
            self.minimumFraction = minimumFraction
        }

        private enum CodingKeys: String, CodingKey {
            case decreaseFactor, increaseFraction, pauseSeconds, minimumFraction, giveUpSeconds
        }

        /// Decodes a policy; missing keys take the defaults.
        public init(from decoder: any Decoder) throws {
            let d = BackPressure()
            let c = try decoder.container(keyedBy: CodingKeys.self)
            decreaseFactor = try c.decodeIfPresent(Double.self, forKey: .decreaseFactor) ?? d.decreaseFactor
            increaseFraction = try c.decodeIfPresent(Double.self, forKey: .increaseFraction) ?? d.increaseFraction
            pauseSeconds = try c.decodeIfPresent(Double.self, forKey: .pauseSeconds) ?? d.pauseSeconds
            minimumFraction = try c.decodeIfPresent(Double.self, forKey: .minimumFraction) ?? d.minimumFraction
            giveUpSeconds = try c.decodeIfPresent(Double.self, forKey: .giveUpSeconds) ?? d.giveUpSeconds
        }
    }

    /// Voice lines.
    public var voice: Voice
    /// SMS rate (BE-Alert: 100/s).
    public var sms: Rate
    /// E-mail rate (BE-Alert: 10,000/s).
    public var email: Rate
    /// App push rate (no published figure; 2,000/s assumed).
    public var app: Rate
    /// Recipient counts above which an action of that incident type needs an explicit
    /// confirmation; the key `"*"` applies to types not listed.
    public var confirmationThresholds: [String: Int]
    /// Retries and fallback (default: every message once).
    public var retry: Retry
    /// Back-pressure on overloaded providers.
    public var backPressure: BackPressure
    /// The message templates (`nil`: participants get the action's text as it is).
    public var texts: MessageTemplates?

    /// The defaults (BE-Alert capacity).
    public init(
        voice: Voice = Voice(), sms: Rate = Rate(perSecond: 100, batchSize: 10),
        email: Rate = Rate(perSecond: 10_000, batchSize: 1000), app: Rate = Rate(perSecond: 2000, batchSize: 500),
        confirmationThresholds: [String: Int] = ["*": 10_000], retry: Retry = Retry(),
        backPressure: BackPressure = BackPressure()
    ) {
        self.retry = retry
        self.backPressure = backPressure
        self.voice = voice
        self.sms = sms
        self.email = email
        self.app = app
        self.confirmationThresholds = confirmationThresholds
    }

    private enum CodingKeys: String, CodingKey {
        case voice, sms, email, app, confirmationThresholds, retry, backPressure, texts
    }

    /// Decodes a configuration; missing keys take the defaults.
    public init(from decoder: any Decoder) throws {
        let d = DispatchConfig()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        voice = try c.decodeIfPresent(Voice.self, forKey: .voice) ?? d.voice
        sms = try c.decodeIfPresent(PartialRate.self, forKey: .sms)?.merged(over: d.sms) ?? d.sms
        email = try c.decodeIfPresent(PartialRate.self, forKey: .email)?.merged(over: d.email) ?? d.email
        app = try c.decodeIfPresent(PartialRate.self, forKey: .app)?.merged(over: d.app) ?? d.app
        confirmationThresholds =
            try c.decodeIfPresent([String: Int].self, forKey: .confirmationThresholds) ?? d.confirmationThresholds
        retry = try c.decodeIfPresent(Retry.self, forKey: .retry) ?? d.retry
        backPressure = try c.decodeIfPresent(BackPressure.self, forKey: .backPressure) ?? d.backPressure
        texts = try c.decodeIfPresent(MessageTemplates.self, forKey: .texts)
    }

    /// The keys a configuration file may have, per object.
    private static let knownKeys: [String: Set<String>] = [
        "": ["voice", "sms", "email", "app", "confirmationThresholds", "retry", "backPressure", "kannel", "sip", "smtp",
            "webpush", "texts",
        ],
        "voice": ["lines", "typicalCallSeconds"], "sms": ["perSecond", "batchSize"],
        "email": ["perSecond", "batchSize"], "app": ["perSecond", "batchSize"],
        "texts": ["callNumber", "spokenCallNumber", "maxSMSParts", "templates"],
        "retry": ["attemptsPerChannel", "backoffSeconds", "backoffFactor", "fallback"],
        "backPressure": ["decreaseFactor", "increaseFraction", "pauseSeconds", "minimumFraction", "giveUpSeconds"],
    ]

    /// Refuses keys the configuration does not know (a misspelt key is not silently ignored).
    private static func checkKeys(_ data: Data, source: String) throws {
        if let place = JSONValue.syntaxError(in: data) {
            throw DispatchError(.invalidConfig, "\(source): not valid JSON: \(place)")
        }
        guard let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        func check(_ object: [String: Any], _ path: String) throws {
            guard let known = knownKeys[path] else { return }
            for key in object.keys.sorted() where !known.contains(key) {
                let name = path.isEmpty ? key : "\(path).\(key)"
                throw DispatchError(
                    .invalidConfig,
                    "\(source): '\(name)' is not a configuration key (known: \(known.sorted().joined(separator: ", ")))"
                )
            }
        }
        try check(top, "")
        for (key, value) in top { if let object = value as? [String: Any] { try check(object, key) } }
    }

    /// Reads and validates a JSON configuration.
    ///
    /// - Throws: ``DispatchError`` `.invalidConfig` naming the file and the bad key, or saying the file
    ///   is larger than ``maxFileBytes`` (read no further than that).
    public static func load(from url: URL) throws -> DispatchConfig {
        try parse(try readFile(url, what: "the dispatcher configuration"), source: url.path)
    }

    /// Largest configuration file accepted (1 MiB; a real one is a few hundred bytes).
    public static let maxFileBytes = 1 << 20

    /// Reads a configuration file, refusing one over ``maxFileBytes`` after reading no more than that.
    ///
    /// - Throws: ``DispatchError`` `.invalidConfig` naming the file.
    package static func readFile(_ url: URL, what: String) throws -> Data {
        do { return try BoundedFile.read(url, limit: maxFileBytes) } catch {
            switch error {
            case .tooLarge(let limit):
                throw DispatchError(
                    .invalidConfig,
                    "\(url.path): larger than \(BoundedFile.describe(limit: limit)); \(what) is a small JSON file")
            case .unreadable(let cause):
                throw DispatchError(.invalidConfig, "\(url.path): cannot read \(what)", cause: cause)
            }
        }
    }

    /// Parses and validates a JSON configuration (`source` names it in messages).
    public static func parse(_ data: Data, source: String = "configuration") throws -> DispatchConfig {
        try checkKeys(data, source: source)
        let config: DispatchConfig
        do { config = try JSONDecoder().decode(DispatchConfig.self, from: data) } catch {
            throw DispatchError(.invalidConfig, "\(source): not a valid dispatcher configuration", cause: error)
        }
        try config.validate(source: source)
        return config
    }

    /// The rate of a rate-limited channel (`nil` for voice).
    public func rate(for channel: Channel) -> Rate? {
        switch channel {
        case .voice: nil
        case .sms: sms
        case .email: email
        case .app: app
        }
    }

    /// A channel's configured limit: messages per second, or for voice the number of lines.
    public func limit(of channel: Channel) -> Double {
        rate(for: channel)?.perSecond ?? Double(voice.lines)
    }

    /// The confirmation threshold for an incident type.
    public func confirmationThreshold(for incidentType: String) -> Int? {
        confirmationThresholds[incidentType] ?? confirmationThresholds["*"]
    }
}
