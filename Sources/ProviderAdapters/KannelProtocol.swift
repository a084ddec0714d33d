import FanOut

/// Kannel's HTTP sendsms interface and its delivery reports: building requests, reading answers.
///
/// See the Kannel user's guide, "Sending SMS" (`/cgi-bin/sendsms`) and "Delivery reports"
/// (`dlr-mask`, `dlr-url` with `%d`).
enum KannelProtocol {
    /// DLR types (Kannel's `%d`), a bit each in `dlr-mask`.
    enum DLRType {
        static let deliveredToPhone = 1
        static let notDeliveredToPhone = 2
        static let queuedOnSMSC = 4
        static let deliveredToSMSC = 8
        static let notDeliveredToSMSC = 16
    }

    /// The `dlr-mask` requested: 1 | 2 | 8 | 16 (final reports and the SMSC's acknowledgement;
    /// 4, "queued on the SMSC", carries no decision).
    static let dlrMask =
        DLRType.deliveredToPhone | DLRType.notDeliveredToPhone | DLRType.deliveredToSMSC
        | DLRType.notDeliveredToSMSC

    // MARK: - Requests

    /// Kannel's `coding` for `text`: 0 (GSM 03.38 7-bit) or 2 (UCS-2).
    ///
    /// 0 when every character is in the GSM default alphabet or its extension table. The text is always sent as UTF-8 with
    /// `charset=UTF-8`; Kannel converts it.
    static func coding(for text: String) -> Int {
        MessageLimits.isGSM(text) ? 0 : 2  // the alphabet the dispatcher's SMS length check uses too
    }

    /// Whether `key` can stand in `dlr-url` as it is: Kannel replaces `%` escapes (`%d`, `%A`,
    /// `%B`...) in the URL, so a key with other characters is written in hex (`hexkey=`).
    static func isPlain(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2F
                    || b == 0x2D || b == 0x2E || b == 0x5F
            }
    }

    /// The query parameter carrying `key` in `dlr-url` (`key=1/5/alert/1`, or `hexkey=…`).
    static func keyParameter(_ key: String) -> String {
        if isPlain(key) { return "key=\(key)" }
        let hex = Array("0123456789abcdef")
        return "hexkey=" + String(key.utf8.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 15)]] })
    }

    /// The key from a delivery report's query (`key=` or `hexkey=`).
    static func key(from query: [String: String]) -> String? {
        if let key = query["key"] { return key }
        guard let hex = query["hexkey"], hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var i = hex.startIndex
        while i < hex.endIndex {
            let j = hex.index(i, offsetBy: 2)
            guard let b = UInt8(hex[i..<j], radix: 16) else { return nil }
            bytes.append(b)
            i = j
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// The `dlr-url` for `key`: the listener's `/dlr` with the key, `%d` (type) and `%A` (the
    /// SMSC's answer text).
    static func dlrURL(host: String, port: UInt16, key: String) -> String {
        "http://\(host):\(port)/dlr?\(keyParameter(key))&type=%d&answer=%A"
    }

    /// The sendsms request target (path and query) for one message.
    ///
    /// - Important: It contains the phone number: never log it.
    static func sendTarget(
        _ configuration: KannelConfiguration, message: OutboundMessage, phone: String, dlrURL: String
    ) -> String {
        let key = message.idempotencyKey
        var query: [(String, String)] = [
            ("username", configuration.username), ("password", configuration.password),
            ("from", configuration.sender), ("to", phone), ("text", message.text), ("charset", "UTF-8"),
            ("coding", String(coding(for: message.text))), ("dlr-mask", String(dlrMask)), ("dlr-url", dlrURL),
        ]
        if let smsc = configuration.smscID { query.append(("smsc", smsc)) }
        if configuration.keyInMetaData { query.append(("meta-data", "?smpp?fanout_key=\(key)")) }
        return configuration.path + "?" + query.map { "\($0.0)=\(HTTP.encode($0.1))" }.joined(separator: "&")
    }

    // MARK: - Answers

    /// What a sendsms answer means.
    enum Answer: Equatable {
        /// Taken over (`202`, "0: Accepted for delivery" or "3: Queued for later delivery"):
        /// wait for the delivery report.
        case accepted
        /// Rejected as overloaded: `503` ("Temporal failure, try again later" when bearerbox's
        /// `sms-outgoing-queue-limit` is reached; "Queue full"), `429`.
        case throttled(reason: String)
        /// Refused (wrong user, a number on a black list, bad parameters...).
        case failed(reason: String)
    }

    /// Maps an HTTP answer of smsbox.
    ///
    /// Reasons are masked (no digit runs that could be a number).
    static func answer(_ response: HTTP.Response) -> Answer {
        let body = response.body.trimmingWhitespace
        let reason = "HTTP \(response.status) '\(PersonalData.masked(body))'"
        switch response.status {
        case 200, 202:
            if body.hasPrefix("0:") || body.hasPrefix("3:") || body.contains("Accepted") || body.contains("Queued")
                || body.contains("Sent")
            {
                return .accepted
            }
            if body.contains("Queue full") { return .throttled(reason: reason) }
            return .failed(reason: reason)
        case 429, 503:
            return .throttled(reason: reason)
        default:
            return body.contains("Queue full") ? .throttled(reason: reason) : .failed(reason: reason)
        }
    }

    /// What a delivery report means for the message: a result, or `nil` for an intermediate
    /// report (queued on the SMSC; the SMSC's acknowledgement when the phone's report counts).
    static func result(ofDLRType type: Int, deliveredOn: KannelConfiguration.DeliveredOn) -> DeliveryResult? {
        if type & (DLRType.notDeliveredToPhone | DLRType.notDeliveredToSMSC) != 0 { return .failed }
        if type & DLRType.deliveredToPhone != 0 { return .delivered }
        if type & DLRType.deliveredToSMSC != 0, deliveredOn == .smsc { return .delivered }
        return nil
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
