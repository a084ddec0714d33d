import Foundation

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
///   "confirmationThresholds": { "burglary": 2000, "missing-child": 50000, "*": 10000 }
/// }
/// ```
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

    /// The defaults (BE-Alert capacity).
    public init(
        voice: Voice = Voice(), sms: Rate = Rate(perSecond: 100, batchSize: 10),
        email: Rate = Rate(perSecond: 10_000, batchSize: 1000), app: Rate = Rate(perSecond: 2000, batchSize: 500),
        confirmationThresholds: [String: Int] = ["*": 10_000]
    ) {
        self.voice = voice
        self.sms = sms
        self.email = email
        self.app = app
        self.confirmationThresholds = confirmationThresholds
    }

    private enum CodingKeys: String, CodingKey { case voice, sms, email, app, confirmationThresholds }

    /// Decodes a configuration; missing keys take the defaults.
    public init(from decoder: any Decoder) throws {
        let d = DispatchConfig()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        voice = try c.decodeIfPresent(Voice.self, forKey: .voice) ?? d.voice
        sms = try c.decodeIfPresent(Rate.self, forKey: .sms) ?? d.sms
        email = try c.decodeIfPresent(Rate.self, forKey: .email) ?? d.email
        app = try c.decodeIfPresent(Rate.self, forKey: .app) ?? d.app
        confirmationThresholds =
            try c.decodeIfPresent([String: Int].self, forKey: .confirmationThresholds) ?? d.confirmationThresholds
    }

    /// Reads and validates a JSON configuration.
    ///
    /// - Throws: ``FanOutError`` `.invalidConfig` naming the file and the bad key.
    public static func load(from url: URL) throws -> DispatchConfig {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw FanOutError(.invalidConfig, "\(url.path): cannot read the dispatcher configuration", cause: error)
        }
        return try parse(data, source: url.path)
    }

    /// Parses and validates a JSON configuration (`source` names it in messages).
    public static func parse(_ data: Data, source: String = "configuration") throws -> DispatchConfig {
        let config: DispatchConfig
        do { config = try JSONDecoder().decode(DispatchConfig.self, from: data) } catch {
            throw FanOutError(.invalidConfig, "\(source): not a valid dispatcher configuration", cause: error)
        }
        try config.validate(source: source)
        return config
    }

    /// Checks every limit is positive.
    ///
    /// - Throws: ``FanOutError`` `.invalidConfig`.
    public func validate(source: String = "configuration") throws {
        func bad(_ key: String, _ value: String) -> FanOutError {
            FanOutError(.invalidConfig, "\(source): '\(key)' must be positive, got \(value)")
        }
        if voice.lines < 1 { throw bad("voice.lines", "\(voice.lines)") }
        if !(voice.typicalCallSeconds > 0) { throw bad("voice.typicalCallSeconds", "\(voice.typicalCallSeconds)") }
        for (name, rate) in [("sms", sms), ("email", email), ("app", app)] {
            if !(rate.perSecond > 0 && rate.perSecond.isFinite) { throw bad("\(name).perSecond", "\(rate.perSecond)") }
            if rate.batchSize < 1 { throw bad("\(name).batchSize", "\(rate.batchSize)") }
        }
        for (type, n) in confirmationThresholds where n < 1 {
            throw bad("confirmationThresholds.\(type)", "\(n)")
        }
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

    /// The confirmation threshold for an incident type.
    public func confirmationThreshold(for incidentType: String) -> Int? {
        confirmationThresholds[incidentType] ?? confirmationThresholds["*"]
    }
}
