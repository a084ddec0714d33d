import FanOut
import Foundation

// MARK: - The "kannel" object of a dispatcher configuration file

extension KannelConfiguration {
    /// The environment variable that gives the sendsms password when the file has none.
    public static let passwordVariable = "FANOUT_KANNEL_PASSWORD"

    /// Reads the `"kannel"` object of a dispatcher configuration file (the JSON that
    /// `DispatchConfig.load(from:)` reads for the limits); `nil` when the file has none.
    ///
    /// ```json
    /// "kannel": {
    ///   "sendsmsURL": "http://127.0.0.1:13013/cgi-bin/sendsms", "username": "fanout", "password": "…",
    ///   "sender": "Burgernet", "workers": 16, "reportTimeoutSeconds": 600, "reportListenPort": 0
    /// }
    /// ```
    ///
    /// Required: `sendsmsURL`, `username`, `sender`, and `password` unless `password` (the
    /// environment's ``passwordVariable``) is given. Optional, with the defaults of
    /// ``init(sendsmsURL:username:password:sender:smscID:deliveredOn:reportListenHost:reportListenPort:reportURLHost:reportTimeout:requestTimeout:workers:queueCapacity:rememberedResults:keyInMetaData:)``:
    /// `smscID`, `deliveredOn` (`"handset"` or `"smsc"`), `reportListenHost`, `reportListenPort`,
    /// `reportURLHost`, `reportTimeoutSeconds`, `requestTimeoutSeconds`, `workers`, `queueCapacity`,
    /// `keyInMetaData`. Unknown keys are refused.
    ///
    /// - Parameters:
    ///   - url: The configuration file.
    ///   - password: The password to use when the file has no `password` key (from the environment).
    /// - Returns: The configuration, or `nil` without a `"kannel"` object.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming the file and the key, never
    ///   showing the password.
    public static func load(fromDispatchConfig url: URL, password: String? = nil) throws -> KannelConfiguration? {
        try parse(dispatchConfig: ProviderConfigFile.read(url), source: url.path, password: password)
    }

    /// Parses the `"kannel"` object of a dispatcher configuration (`source` names it in messages).
    ///
    /// See ``load(fromDispatchConfig:password:)``.
    /// - Throws: ``ProviderAdapterError`` `.invalidConfiguration` naming `source` and the key.
    public static func parse(dispatchConfig data: Data, source: String, password: String? = nil) throws
        -> KannelConfiguration?
    {
        func bad(_ key: String, _ problem: String) -> ProviderAdapterError {
            ProviderConfigFile.problem(source, "kannel", key, problem)
        }
        guard
            let file = try ProviderConfigFile.decode(
                FileKeys.self, from: data, name: "kannel", source: source, kinds: FileKeys.kinds,
                what: "a Kannel configuration key")
        else { return nil }
        func required(_ value: String?, _ key: String, _ what: String) throws -> String {
            guard let value else { throw bad(key, "is missing (\(what))") }
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { throw bad(key, "is empty") }
            return value
        }
        let url = try required(file.sendsmsURL, "sendsmsURL", "smsbox's http://host:port/cgi-bin/sendsms")
        let username = try required(file.username, "username", "a sendsms-user of smsbox")
        let sender = try required(file.sender, "sender", "the 'from' of every SMS")
        guard let secret = file.password ?? password else {
            throw bad("password", "is missing (or set \(passwordVariable))")
        }
        let deliveredOn: DeliveredOn
        switch file.deliveredOn ?? "handset" {
        case "handset": deliveredOn = .handset
        case "smsc": deliveredOn = .smsc
        default: throw bad("deliveredOn", "must be \(FileKeys.kinds["deliveredOn"] ?? "")")
        }
        func whole(_ value: Double?, _ key: String) throws -> Int? {
            guard let value else { return nil }
            guard value == value.rounded(), abs(value) < 1e15 else {
                throw bad(key, "must be \(FileKeys.kinds[key] ?? "a whole number"), got \(value)")
            }
            return Int(value)
        }
        let listenPort = try whole(file.reportListenPort, "reportListenPort")
        let workers = try whole(file.workers, "workers")
        let queueCapacity = try whole(file.queueCapacity, "queueCapacity")
        if let port = listenPort, !(0...65_535).contains(port) {
            throw bad("reportListenPort", "must be 0 (any free port) to 65535, got \(port)")
        }
        func seconds(_ value: Double?, _ key: String, upTo limit: Double) throws -> Duration? {
            guard let value else { return nil }
            guard value > 0, value <= limit else { throw bad(key, "must be > 0 and ≤ \(Int(limit)), got \(value)") }
            return .milliseconds(Int64((value * 1000).rounded(.up)))
        }
        let reportTimeout = try seconds(file.reportTimeoutSeconds, "reportTimeoutSeconds", upTo: 86_400)
        let requestTimeout = try seconds(file.requestTimeoutSeconds, "requestTimeoutSeconds", upTo: 3600)
        if let workers, !(1...64).contains(workers) {
            throw bad("workers", "must be 1 to 64, got \(workers)")
        }
        if let capacity = queueCapacity, capacity < 1 {
            throw bad("queueCapacity", "must be positive, got \(capacity)")
        }
        if let host = file.reportListenHost {
            let parts = host.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else {
                throw bad("reportListenHost", "must be a numeric IPv4 address, got '\(host.prefix(60))'")
            }
        }
        if let host = file.reportURLHost, host.isEmpty || host.contains(where: { "/ @?#".contains($0) }) {
            throw bad("reportURLHost", "must be a host name or address, got '\(host.prefix(60))'")
        }
        let d = try KannelConfiguration(sendsmsURL: "http://d", username: "d", password: "", sender: "d")
        do {
            return try KannelConfiguration(
                sendsmsURL: url, username: username, password: secret, sender: sender, smscID: file.smscID,
                deliveredOn: deliveredOn, reportListenHost: file.reportListenHost ?? d.reportListenHost,
                reportListenPort: listenPort.map { UInt16($0) } ?? d.reportListenPort,
                reportURLHost: file.reportURLHost, reportTimeout: reportTimeout ?? d.reportTimeout,
                requestTimeout: requestTimeout ?? d.requestTimeout, workers: workers ?? d.workers,
                queueCapacity: queueCapacity ?? d.queueCapacity,
                keyInMetaData: file.keyInMetaData ?? d.keyInMetaData)
        } catch let e as ProviderAdapterError {
            // Everything else is checked above: what is left is about the URL.
            throw bad("sendsmsURL", e.message)
        }
    }

}

/// The `"kannel"` object as written in the file: every key optional, checked afterwards.
private struct FileKeys: Decodable {
    var sendsmsURL: String?
    var username: String?
    var password: String?
    var sender: String?
    var smscID: String?
    var deliveredOn: String?
    var reportListenHost: String?
    // Whole numbers are read as Double and checked afterwards: a fraction given for an `Int`
    // fails in the decoder as "not valid JSON", without the key.
    var reportListenPort: Double?
    var reportURLHost: String?
    var reportTimeoutSeconds: Double?
    var requestTimeoutSeconds: Double?
    var workers: Double?
    var queueCapacity: Double?
    var keyInMetaData: Bool?

    /// Every key, with what its value must be (for messages).
    static let kinds: [String: String] = [
        "sendsmsURL": "a string, http://host:port/cgi-bin/sendsms", "username": "a string",
        "password": "a string", "sender": "a string", "smscID": "a string",
        "deliveredOn": "\"handset\" (DLR type 1) or \"smsc\" (type 8)", "reportListenHost": "a numeric IPv4 address",
        "reportListenPort": "a whole number 0 to 65535", "reportURLHost": "a host name or address",
        "reportTimeoutSeconds": "a number of seconds > 0", "requestTimeoutSeconds": "a number of seconds > 0",
        "workers": "a whole number 1 to 64", "queueCapacity": "a positive whole number",
        "keyInMetaData": "true or false",
    ]
}


// MARK: - Never showing the password

extension KannelConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The configuration without the password: `Kannel(http://host:13013/cgi-bin/sendsms, user fanout, …)`.
    public var description: String {
        "Kannel(http://\(host):\(port)\(path), user \(username), password hidden, from \(sender), "
            + "\(workers) workers, report timeout \(reportTimeout), reports on \(reportListenHost):\(reportListenPort))"
    }

    /// The same as ``description``.
    public var debugDescription: String { description }

    /// A mirror without the password (`dump`, the debugger).
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "host": host, "port": port, "path": path, "username": username, "password": "<hidden>",
                "sender": sender, "smscID": smscID as Any, "deliveredOn": deliveredOn,
                "reportListenHost": reportListenHost, "reportListenPort": reportListenPort,
                "reportURLHost": reportURLHost as Any, "reportTimeout": reportTimeout, "requestTimeout": requestTimeout,
                "workers": workers, "queueCapacity": queueCapacity,
            ])
    }
}
