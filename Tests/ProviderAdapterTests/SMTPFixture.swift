@testable import ChannelAdapters
import FanOut
import Foundation
import Geo
import Logging
import Participants
@testable import ProviderAdapters
import TestSupport

/// What the SMTP tests share: participants with e-mail addresses, an action on the email channel,
/// and a dispatcher driving the adapter.
enum SMTPFixture {
    static let from = "alert@burgernet.example"
    static let secret = Array("a test secret of thirty-two byte".utf8)
    static let base = "https://burgernet.example/r/"
    /// Dutch, with a line that starts with a dot (dot-stuffing), non-ASCII and a long line.
    static let text = """
        Burgernet: vermist meisje (8), rode jas, blond haar. Laatst gezien bij het station om 14:10.
        .Een regel die met een punt begint, en één met café, € en ü.
        Gezien? Bel 112. \(String(repeating: "Lange regel ", count: 12))einde.
        """

    static func address(_ i: Int64) -> String { "deelnemer\(i)@example.nl" }

    /// A registry with `n` participants 1...n, each with an e-mail address (none for `without`).
    static func registry(_ n: Int64, in dir: URL, without: Set<Int64> = []) throws -> Registry {
        let registry = try Registry.open(at: dir.appendingPathComponent("registry.sqlite").path)
        _ = try registry.upsert(
            try (1...n).map { i in
                try ParticipantRecord(
                    id: i, position: SourcePoint(x: 4.89 + Double(i) * 1e-5, y: 52.37, crs: .wgs84), country: .nl,
                    email: without.contains(i) ? nil : try EmailAddress(address(i)))
            })
        return registry
    }

    static func recipients(_ n: Int64) -> [Recipient] {
        (1...n).map { i in Recipient(id: i, distanceMeters: Double(n - i), channels: [.email]) }
    }

    static func request(photo: String? = "https://burgernet.example/foto/123.jpg", confirmed: Bool = false) -> ActionRequest {
        ActionRequest(
            incidentPoint: RDPoint(x: 121_000, y: 487_000), incidentType: "missing-child", urgency: .critical,
            message: text, photoURL: photo, channels: [.email],
            confirmed: confirmed)
    }

    static func configuration(
        port: UInt16, connections: Int = 4, pipelining: Bool = true, startTLS: SMTPConfiguration.StartTLSPolicy = .off,
        trustedCAFile: String? = nil, tlsServerName: String? = nil, username: String? = nil, password: String? = nil,
        commandTimeout: Duration = .seconds(20)
    ) throws -> SMTPConfiguration {
        try SMTPConfiguration(
            host: "127.0.0.1", port: port, connections: connections, pipelining: pipelining, startTLS: startTLS,
            trustedCAFile: trustedCAFile, tlsServerName: tlsServerName, username: username, password: password,
            fromAddress: from, fromName: "Burgernet Nederland", heloName: "fanout.test",
            subject: "Burgernet: vermist meisje – help zoeken", replyBaseURL: base, replySecret: secret,
            connectTimeout: .seconds(5), commandTimeout: commandTimeout)
    }

    /// A dispatcher for the email channel at `perSecond`, with its driver task.
    static func dispatcher(_ smtp: SMTPMailProvider, perSecond: Double = 10_000, batch: Int = 1000)
        -> (Dispatcher, Task<Void, any Error>)
    {
        let d = Dispatcher(
            config: DispatchConfig(email: .init(perSecond: perSecond, batchSize: batch)), providers: [:],
            deferredProviders: [.email: smtp], clock: SystemDispatchClock())
        let driver = Task { try await d.run() }
        return (d, driver)
    }
}
