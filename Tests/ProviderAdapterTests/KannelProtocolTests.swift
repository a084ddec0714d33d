import FanOut
import Foundation
import Geo
import Participants
import TestSupport
import Testing

@testable import ProviderAdapters
import GeoFormats
import Selection
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The Kannel protocol pieces without Kannel: request encoding, answer and report mapping, the
/// report listener over a real socket, and the registry's phone lookup.
@Suite struct KannelProtocolTests {
    static let message = OutboundMessage(
        key: MessageKey(action: ActionID(rawValue: 7), person: 42, kind: .alert), channel: .sms,
        text: "Vermist: jongen (6) & hond? Bel 112", attempt: 2)

    static func configuration(_ url: String = "http://127.0.0.1:13013/cgi-bin/sendsms") throws -> KannelConfiguration {
        try KannelConfiguration(sendsmsURL: url, username: "fan out", password: "p&ss=1", sender: "Burgernet")
    }

    @Test(arguments: [
        ("Look out for a red van", 0), ("Één keer €5 [beloning] ^_^ ~ {x} | \\", 0),
        ("Straße, Ñoño, Øre, ¿Qué pasò?", 0), ("Ñandú", 2),
        ("zaginęła dziewczynka", 2), ("Çà et là: ç", 2), ("🚨 alert", 2), ("Ελλάδα", 2),
    ])
    func codingIsGSM7BitOnlyWhenEveryCharacterIsInTheGSMAlphabet(text: String, coding: Int) {
        #expect(KannelProtocol.coding(for: text) == coding)
    }

    @Test func theSendRequestCarriesEveryParameterPercentEncodedAndTheKeyInTheReportURL() throws {
        let config = try Self.configuration()
        let dlr = KannelProtocol.dlrURL(host: "127.0.0.1", port: 40_001, key: Self.message.idempotencyKey)
        #expect(dlr == "http://127.0.0.1:40001/dlr?key=7/42/alert/2&type=%d&answer=%A")
        let target = KannelProtocol.sendTarget(config, message: Self.message, phone: "+31612345678", dlrURL: dlr)
        #expect(target.hasPrefix("/cgi-bin/sendsms?"))
        // An independent decoding of the query (Foundation's URLComponents).
        let items = try #require(URLComponents(string: "http://h\(target)")?.queryItems)
        let q = Dictionary(uniqueKeysWithValues: items.map { ($0.name, $0.value ?? "") })
        #expect(q["username"] == "fan out" && q["password"] == "p&ss=1" && q["from"] == "Burgernet")
        #expect(q["to"] == "+31612345678" && q["text"] == Self.message.text)
        #expect(q["charset"] == "UTF-8" && q["coding"] == "0" && q["dlr-mask"] == "27")
        #expect(q["dlr-url"] == dlr)
        #expect(q["meta-data"] == "?smpp?fanout_key=7/42/alert/2")
        #expect(!target.contains(" ") && !target.contains("+316"))  // '+' and spaces are escaped
    }

    @Test func aKeyWithCharactersKannelWouldRewriteTravelsInHex() {
        for key in ["7/42/alert/2", "a%Ab c", "ü/€"] {
            let parameter = KannelProtocol.keyParameter(key)
            #expect(!parameter.dropFirst().contains("%"))
            let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
            #expect(KannelProtocol.key(from: [pair[0]: pair[1]]) == key)
        }
        #expect(KannelProtocol.keyParameter("a%Ab c") == "hexkey=612541622063")
    }

    @Test func smsboxAnswersMapToAcceptedThrottledOrFailed() {
        func answer(_ status: Int, _ body: String) -> KannelProtocol.Answer {
            KannelProtocol.answer(HTTP.Response(status: status, body: body))
        }
        #expect(answer(202, "0: Accepted for delivery") == .accepted)
        #expect(answer(202, "3: Queued for later delivery") == .accepted)
        #expect(answer(200, "Sent.") == .accepted)
        #expect(
            answer(503, "Temporal failure, try again later.")
                == .throttled(reason: "HTTP 503 'Temporal failure, try again later.'"))
        #expect(answer(503, "Queue full") == .throttled(reason: "HTTP 503 'Queue full'"))
        #expect(answer(429, "") == .throttled(reason: "HTTP 429 ''"))
        #expect(
            answer(403, "Authorization failed for sendsms")
                == .failed(reason: "HTTP 403 'Authorization failed for sendsms'"))
        #expect(
            answer(400, "Receiver +31612345678 not allowed")
                == .failed(reason: "HTTP 400 'Receiver +<number> not allowed'"))
        #expect(answer(500, "Sending failed.") == .failed(reason: "HTTP 500 'Sending failed.'"))
    }

    @Test func deliveryReportTypesMapToResults() {
        let phone = KannelConfiguration.DeliveredOn.handset
        let smsc = KannelConfiguration.DeliveredOn.smsc
        #expect(KannelProtocol.result(ofDLRType: 1, deliveredOn: phone) == .delivered)
        #expect(KannelProtocol.result(ofDLRType: 2, deliveredOn: phone) == .failed)
        #expect(KannelProtocol.result(ofDLRType: 16, deliveredOn: phone) == .failed)
        #expect(KannelProtocol.result(ofDLRType: 8, deliveredOn: phone) == nil)
        #expect(KannelProtocol.result(ofDLRType: 4, deliveredOn: phone) == nil)
        #expect(KannelProtocol.result(ofDLRType: 8, deliveredOn: smsc) == .delivered)
        #expect(KannelProtocol.result(ofDLRType: 16, deliveredOn: smsc) == .failed)
        #expect(KannelProtocol.result(ofDLRType: 1, deliveredOn: smsc) == .delivered)
    }

    @Test func personalDataIsMaskedInLoggedAnswers() {
        #expect(
            PersonalData.masked("to +31612345678 and 0612345678, code 112") == "to +<number> and <number>, code 112")
        #expect(PersonalData.masked(String(repeating: "x", count: 300)).count == 201)
        #expect(PersonalData.masked("a\nb") == "a b")
        #expect(PersonalData.maskedPhone("+31612345678") == "+31•••••••78")
    }

    @Test(arguments: [
        ("https://kannel:13013/cgi-bin/sendsms", "must start with http://"),
        ("http://:13013/cgi-bin/sendsms", "has no host"),
        ("http://kannel:0/cgi-bin/sendsms", "port is not a number"),
        ("http://kannel:x/cgi-bin/sendsms", "port is not a number"),
        ("http://kannel:13013/cgi-bin/sendsms?username=a", "must not carry a query"),
    ])
    func aBadSendsmsURLIsRefusedNamingTheProblem(url: String, problem: String) {
        #expect {
            _ = try Self.configuration(url)
        } throws: { e in
            (e as? ProviderAdapterError)?.code == .invalidConfiguration && "\(e)".contains(problem)
        }
    }

    @Test func theDefaultPathAndPortAreKannels() throws {
        let c = try Self.configuration("http://kannel.internal")
        #expect(c.host == "kannel.internal" && c.port == 80 && c.path == "/cgi-bin/sendsms")
    }

    @Test func theListenerAnswersReportsAndRefusesOtherRequests() async throws {
        let kannel = try KannelSMSProvider(configuration: try Self.configuration(), phoneNumber: { _ in nil })
        defer { kannel.shutdown() }
        let port = kannel.reportPort
        #expect(port > 0)
        func get(_ target: String) throws -> Int {
            try HTTP.get(host: "127.0.0.1", port: port, target: target, timeoutMilliseconds: 5000).status
        }
        #expect(try get("/dlr?key=9/9/alert/1&type=1&answer=") == 200)  // not awaited: counted, ignored
        #expect(try get("/dlr?key=9/9/alert/1&type=8") == 200)  // intermediate
        #expect(try get("/other") == 404)
        #expect(try get("/dlr?type=1") == 400)
        #expect(try get("/dlr?key=%zz&type=1") == 400)
        let s = kannel.statistics
        #expect(s.reports == 2 && s.unmatchedReports == 1)
    }

    @Test func shutdownStopsTheListenerAndClosesItsSocket() throws {
        // The listener on a port below the ephemeral range: after the shutdown no other test's
        // bind(0) or outgoing connection can be given it (a CI run lost a port from that range so).
        var configuration = try Self.configuration()
        configuration.reportListenPort = try KannelPeer.unusedPorts(1)[0]
        let kannel = try KannelSMSProvider(configuration: configuration, phoneNumber: { _ in nil })
        let port = kannel.reportPort
        #expect(port == configuration.reportListenPort)
        #expect(try HTTP.get(host: "127.0.0.1", port: port, target: "/x", timeoutMilliseconds: 5000).status == 404)
        kannel.shutdown()
        // At once nothing listens there any more: a connection is refused. (Not a second bind: a
        // Kannel that a parallel test spawns could inherit an accepted connection on the port.)
        #expect {
            try Socket.connected(host: "127.0.0.1", port: port, timeoutMilliseconds: 2000)
        } throws: { ($0 as? ProviderAdapterError)?.errno == ECONNREFUSED }
        kannel.shutdown()  // idempotent
    }

    @Test func kannelDownIsThrottlingNotAFailureAndNoPhoneMeansFailed() async throws {
        // A port nothing listens on: connections are refused, nothing is handed over. Chosen outside
        // the ephemeral range, so that no parallel test's bind(0) listener can take it meanwhile.
        let port = try KannelPeer.unusedPorts(1)[0]
        let log = CapturingLogHandler()
        let kannel = try KannelSMSProvider(
            configuration: try Self.configuration("http://127.0.0.1:\(port)/cgi-bin/sendsms"),
            phoneNumber: { person in person == 1 ? "+31612345678" : nil }, logger: log.logger())
        defer { kannel.shutdown() }
        let d = Dispatcher(
            config: DispatchConfig(backPressure: .init(pauseSeconds: 60)), providers: [:],
            deferredProviders: [.sms: kannel], clock: SystemDispatchClock())
        let driver = Task { try await d.run() }
        defer { driver.cancel() }
        let id = try d.start(
            ActionRequest(
                incidentPoint: RDPoint(x: 0, y: 0), incidentType: "burglary", urgency: .high, message: "x",
                channels: [.sms]),
            recipients: [Recipient(id: 1, distanceMeters: 2), Recipient(id: 2, distanceMeters: 1)])
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline, try d.status(id).alerts != [.queued: 1, .failed: 1] {
            try await Task.sleep(for: .milliseconds(10))
        }
        let s = try d.status(id)
        #expect(s.alerts == [.queued: 1, .failed: 1])  // 1 back in the queue (resting 60 s), 2 has no number
        #expect(s.throttled == 1)
        #expect(kannel.statistics.throttled == 1 && kannel.statistics.failed == 1)
        #expect(log.lines.contains { $0.contains("cannot connect to 127.0.0.1") })
        #expect(log.lines.contains { $0.contains("no phone number registered") })
        #expect(!log.lines.contains { $0.contains("+316") })
    }
}

@Suite struct RegistryPhoneTests {
    @Test func aPersonsPhoneComesFromTheirOwnRowOrElseTheirLowestAddress() throws {
        let dir = try Fixtures.temporaryDirectory("phones")
        defer { try? FileManager.default.removeItem(at: dir) }
        let registry = try Registry.open(at: dir.appendingPathComponent("r.sqlite").path)
        func at(_ i: Double) -> SourcePoint { SourcePoint(x: 4.9 + i * 1e-3, y: 52.37, crs: .wgs84) }
        _ = try registry.upsert([
            try ParticipantRecord(id: 1, position: at(1), phone: try PhoneNumber("+31600000001")),
            try ParticipantRecord(id: 2, position: at(2)),  // no phone
            // Person 10 at three addresses, none of them id 10; the lowest with a phone is 12.
            try ParticipantRecord(id: 11, position: at(3), person: 10),
            try ParticipantRecord(id: 13, position: at(4), phone: try PhoneNumber("+31600000013"), person: 10),
            try ParticipantRecord(id: 12, position: at(5), phone: try PhoneNumber("+31600000012"), person: 10),
            // Row 20 belongs to person 21: it is not person 20's number.
            try ParticipantRecord(id: 20, position: at(6), phone: try PhoneNumber("+31600000020"), person: 21),
        ])
        #expect(try registry.phoneNumber(person: 1) == "+31600000001")
        #expect(try registry.phoneNumber(person: 2) == nil)
        #expect(try registry.phoneNumber(person: 10) == "+31600000012")
        #expect(try registry.phoneNumber(person: 21) == "+31600000020")
        #expect(try registry.phoneNumber(person: 20) == nil)
        #expect(try registry.phoneNumber(person: 99) == nil)
    }
}
