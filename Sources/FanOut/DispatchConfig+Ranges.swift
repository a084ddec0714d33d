import Geo
import Participants
/// The accepted range of every number in a ``DispatchConfig``, checked in one place.
extension DispatchConfig {
    /// Every number's accepted range, by key path (`*` stands for each rate channel or incident type).
    ///
    /// The bounds are what makes sense for a real provider: a rate of 0.01 to 1,000,000 messages
    /// per second, batches and voice lines of 1 to 100,000, a call of 1 s to an hour, a retry wait
    /// of at most a day. Outside them an estimate or a wait stops meaning anything (a rate of
    /// 1e-9/s puts the last recipient 30 years away).
    ///
    /// | key | minimum | maximum |
    /// | --- | ---: | ---: |
    /// | `voice.lines` | 1 | 100,000 |
    /// | `voice.typicalCallSeconds` | 1 | 3,600 |
    /// | `sms`/`email`/`app` `.perSecond` | 0.01 | 1,000,000 |
    /// | `sms`/`email`/`app` `.batchSize` | 1 | 100,000 |
    /// | `confirmationThresholds.*` | 1 | 100,000,000 |
    /// | `retry.attemptsPerChannel` | 1 | 10 |
    /// | `retry.backoffSeconds` | 0 | 86,400 |
    /// | `retry.backoffFactor` | 1 | 10 |
    /// | `backPressure.decreaseFactor` | 0.01 | 0.99 |
    /// | `backPressure.increaseFraction` | 0.001 | 1 |
    /// | `backPressure.pauseSeconds` | 0 | 3,600 |
    /// | `backPressure.minimumFraction` | 0.001 | 1 |
    /// | `backPressure.giveUpSeconds` | 1 | 86,400 |
    ///
    /// Besides, the longest retry wait (`backoffSeconds × backoffFactor^(attemptsPerChannel − 2)`)
    /// may be at most ``longestBackoffSeconds``.
    public static let ranges: [(key: String, range: ClosedRange<Double>)] = [
        ("voice.lines", 1...100_000),
        ("voice.typicalCallSeconds", 1...3600),
        ("*.perSecond", 0.01...1_000_000),
        ("*.batchSize", 1...100_000),
        ("confirmationThresholds.*", 1...100_000_000),
        ("retry.attemptsPerChannel", 1...10),
        ("retry.backoffSeconds", 0...86_400),
        ("retry.backoffFactor", 1...10),
        ("backPressure.decreaseFactor", 0.01...0.99),
        ("backPressure.increaseFraction", 0.001...1),
        ("backPressure.pauseSeconds", 0...3600),
        ("backPressure.minimumFraction", 0.001...1),
        ("backPressure.giveUpSeconds", 1...86_400),
    ]

    /// The longest wait before a retry, in seconds (a day).
    public static let longestBackoffSeconds = 86_400.0

    /// The range of a key (`sms.perSecond` looks up `*.perSecond`).
    static func range(of key: String) -> ClosedRange<Double> {
        let (head, tail) = (key.prefix { $0 != "." }, key.drop { $0 != "." })
        let generic = head == "confirmationThresholds" ? "confirmationThresholds.*" : "*" + tail
        for (k, r) in ranges where k == key || k == generic { return r }
        return -Double.infinity...Double.infinity
    }

    /// A number of the configuration: its key path, its value, and how it was written (an integer
    /// key keeps all its digits in messages).
    struct Number {
        var key: String
        var value: Double
        var text: String

        init(_ key: String, _ value: Double) { (self.key, self.value, text) = (key, value, DispatchConfig.show(value)) }
        init(_ key: String, _ value: Int) { (self.key, self.value, text) = (key, Double(value), String(value)) }
    }

    /// Every number of the configuration with its key path, in the file's order.
    var numbers: [Number] {
        var out = [Number("voice.lines", voice.lines), Number("voice.typicalCallSeconds", voice.typicalCallSeconds)]
        for (name, rate) in [("sms", sms), ("email", email), ("app", app)] {
            out += [Number("\(name).perSecond", rate.perSecond), Number("\(name).batchSize", rate.batchSize)]
        }
        for (type, n) in confirmationThresholds.sorted(by: { $0.key < $1.key }) {
            out.append(Number("confirmationThresholds.\(type.prefix(40))", n))
        }
        out += [
            Number("retry.attemptsPerChannel", retry.attemptsPerChannel),
            Number("retry.backoffSeconds", retry.backoffSeconds), Number("retry.backoffFactor", retry.backoffFactor),
            Number("backPressure.decreaseFactor", backPressure.decreaseFactor),
            Number("backPressure.increaseFraction", backPressure.increaseFraction),
            Number("backPressure.pauseSeconds", backPressure.pauseSeconds),
            Number("backPressure.minimumFraction", backPressure.minimumFraction),
            Number("backPressure.giveUpSeconds", backPressure.giveUpSeconds),
        ]
        return out
    }

    /// Checks every number is within its range (``ranges``) and the longest retry wait is at most
    /// a day.
    ///
    /// - Parameter source: Names the configuration in the message (the file's path).
    /// - Throws: ``DispatchError`` `.invalidConfig`, such as
    ///   `dispatch.json: sms.perSecond: 1e-09 is below the minimum 0.01`.
    public func validate(source: String = "configuration") throws {
        try texts?.validate(source: source)
        for n in numbers {
            let range = Self.range(of: n.key)
            if n.value.isNaN || n.value < range.lowerBound {
                throw DispatchError(
                    .invalidConfig, "\(source): \(n.key): \(n.text) is below the minimum \(Self.show(range.lowerBound))"
                )
            }
            if n.value > range.upperBound {
                throw DispatchError(
                    .invalidConfig, "\(source): \(n.key): \(n.text) is above the maximum \(Self.show(range.upperBound))"
                )
            }
        }
        let longest = retry.longestBackoffSeconds
        if longest > Self.longestBackoffSeconds {
            throw DispatchError(
                .invalidConfig,
                "\(source): retry: the last retry would wait \(Self.show(longest)) s (backoffSeconds × "
                    + "backoffFactor^(attemptsPerChannel − 2)), more than a day (\(Self.show(Self.longestBackoffSeconds)) s)"
            )
        }
    }

    /// A number as written in a file: whole numbers without a fraction, others as Swift prints them.
    static func show(_ d: Double) -> String {
        if d.isFinite && d.rounded() == d && abs(d) < 1e15 { return String(Int64(d)) }
        return "\(d)"
    }
}

extension DispatchConfig.Retry {
    /// The wait before the last retry on a channel, in seconds (0 without retries).
    var longestBackoffSeconds: Double {
        guard attemptsPerChannel > 1 else { return 0 }
        var seconds = backoffSeconds
        for _ in 0..<min(attemptsPerChannel - 2, 64) { seconds *= backoffFactor }
        return seconds
    }
}
