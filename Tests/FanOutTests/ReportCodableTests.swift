import Foundation
import Geo
import Testing

@testable import FanOut

/// The dispatcher's reports are `Codable` with stable field names: a plain `JSONEncoder` (no key
/// strategy) writes the snake_case names of docs/schemas, pinned here as literal JSON, and a plain
/// `JSONDecoder` reads them back.
@Suite struct ReportCodableTests {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(text.utf8))
    }

    static let ring = RingReport(
        innerMeters: 500, outerMeters: 1000, completed: 3, reached: 2, firstCompletedAt: .milliseconds(1500),
        lastCompletedAt: .seconds(4))
    static let ringJSON =
        #"{"completed":3,"first_completed_at_seconds":1.5,"inner_m":500,"last_completed_at_seconds":4,"outer_m":1000,"reached":2}"#

    @Test func ringReport() throws {
        #expect(try Self.json(Self.ring) == Self.ringJSON)
        #expect(try Self.decode(RingReport.self, Self.ringJSON) == Self.ring)
    }

    @Test func actionStatus() throws {
        let status = ActionStatus(
            id: ActionID(rawValue: 7), state: .running, included: 4, alerts: [.delivered: 2, .queued: 2],
            endMessages: [:], outcomes: [.delivered: 2, .noAnswer: 1], reached: 2, lastAlertCompletedAt: .seconds(12),
            lastEndCompletedAt: nil, isIdle: false, retries: 1, fallbacks: 0, throttled: 0, skipped: [.optedOut: 1],
            areaVersions: 1, providerRates: [.sms: 50])
        let expected =
            #"{"alerts":{"cancelled":0,"delivered":2,"failed":0,"queued":2,"sent":0},"area_versions":1,"#
            + #""end_messages":{"cancelled":0,"delivered":0,"failed":0,"queued":0,"sent":0},"fallbacks":0,"id":7,"#
            + #""idle":false,"included":4,"last_alert_completed_at_seconds":12,"last_end_completed_at_seconds":null,"#
            + #""outcomes":{"busy":0,"delivered":2,"failed":0,"no_answer":1,"throttled":0},"provider_rates":{"sms":50},"#
            + #""reached":2,"retries":1,"skipped":{"deduplicated":0,"no_channel":0,"opted_out":1,"quiet_hours":0},"#
            + #""state":"running","throttled":0}"#
        #expect(try Self.json(status) == expected)
        #expect(try Self.decode(ActionStatus.self, expected) == status)
    }

    static let summary = ActionSummary(
        id: ActionID(rawValue: 3),
        request: ActionRequest(
            incidentPoint: RDPoint(x: 136000, y: 455000), incidentType: "burglary", urgency: .high, message: "Look out",
            channels: [.sms, .voice], confirmed: true),
        state: .ended, result: "arrested", startedAt: .seconds(2), alerts: [.delivered: 1], endMessages: [.sent: 1],
        alertsByChannel: [.sms: 1], included: 1, reached: 1, lastAlertCompletedAt: .milliseconds(2250),
        lastEndCompletedAt: nil, rings: [ring])

    @Test func actionSummary() throws {
        let expected =
            #"{"alerts":{"cancelled":0,"delivered":1,"failed":0,"queued":0,"sent":0},"#
            + #""alerts_by_channel":{"app":0,"email":0,"sms":1,"voice":0},"#
            + #""answers":{"acknowledgement":0,"sighting":0,"stop":0},"channels":["sms","voice"],"#
            + #""end_messages":{"cancelled":0,"delivered":0,"failed":0,"queued":0,"sent":1},"id":3,"#
            + #""incident_rd":{"x":136000,"y":455000},"incident_type":"burglary","included":1,"#
            + #""last_alert_completed_at_seconds":2.25,"last_end_completed_at_seconds":null,"message":"Look out","#
            + #""reached":1,"result":"arrested","rings":["# + Self.ringJSON + #"],"started_at_seconds":2,"#
            + #""state":"ended","urgency":"high"}"#
        #expect(try Self.json(Self.summary) == expected)
        #expect(try Self.decode(ActionSummary.self, expected) == Self.summary)
    }

    @Test func theSummaryDoesNotCarryThePhotoOrTheTexts() throws {
        var withPhoto = Self.summary
        withPhoto.request.photoURL = "https://example.org/p.jpg"
        withPhoto.request.texts = ["fr": "Attention"]
        let decoded = try Self.decode(ActionSummary.self, try Self.json(withPhoto))
        #expect(decoded.request.photoURL == nil && decoded.request.texts.isEmpty)
        #expect(decoded == Self.summary)
    }

    static let entry = LedgerEntry(
        key: MessageKey(action: ActionID(rawValue: 0), person: 10, kind: .alert), seq: 4, channel: .voice,
        distanceMeters: 812.5, state: .delivered, updatedAt: .seconds(30), attempt: 2, channelAttempt: 2,
        participant: 11)
    static let entryJSON =
        #"{"attempt":2,"channel":"voice","channel_attempt":2,"distance_m":812.5,"kind":"alert","participant":11,"#
        + #""seq":4,"state":"delivered","updated_at_seconds":30}"#

    @Test func ledgerExplanation() throws {
        let explanation = LedgerExplanation(
            participant: 12, person: 10, alert: Self.entry, end: nil, position: 4, included: 9)
        let expected =
            #"{"alert":"# + Self.entryJSON + #","alerted_through":11,"end_message":null,"included":9,"#
            + #""participant":12,"person":10,"position":4}"#
        #expect(try Self.json(explanation) == expected)
        // The entry's key is not in its JSON: the person comes from the explanation, the action is 0.
        #expect(try Self.decode(LedgerExplanation.self, expected) == explanation)
        let alone = try Self.decode(LedgerEntry.self, Self.entryJSON)
        #expect(alone.key == MessageKey(action: ActionID(rawValue: 0), person: 0, kind: .alert))
    }

    @Test func actionExplanation() throws {
        let action = ActionID(rawValue: 5)
        let explanation = ActionExplanation(
            action: action, person: 11, incidentType: "burglary", state: .running,
            areas: [
                AreaVersion(
                    version: 1, geometry: "circle around POINT (5.1 52.1), radius 500.0 m", registryGeneration: 17,
                    recipients: 3, added: 3, at: .zero)
            ],
            events: [
                AuditRow(
                    action: action, person: 0, participant: 11, event: .included, areaVersion: 1,
                    distanceMeters: 812.5, channel: .voice, at: .zero),
                AuditRow(
                    action: action, person: 0, participant: 11, event: .retry, channel: .voice, attempt: 1,
                    result: .noAnswer, detail: "attempt 2 on voice after 60 s", at: .seconds(40)),
            ],
            alert: Self.entry.keyed(action: action, person: 0), endMessage: nil)
        let expected =
            #"{"action":5,"alert":"# + Self.entryJSON + #","areas":[{"added":3,"at_seconds":0,"#
            + #""geometry":"circle around POINT (5.1 52.1), radius 500.0 m","recipients":3,"registry_generation":17,"#
            + #""version":1}],"end_message":null,"events":[{"area_version":1,"at_seconds":0,"attempt":null,"#
            + #""channel":"voice","detail":null,"distance_m":812.5,"event":"included","participant":11,"reason":null,"#
            + #""result":null,"sentence":"T+0 s: included from area version 1 as participant 11 at 812.5 m, channel voice"},"#
            + #"{"area_version":null,"at_seconds":40,"attempt":1,"channel":"voice","#
            + #""detail":"attempt 2 on voice after 60 s","distance_m":null,"event":"retry","participant":11,"#
            + #""reason":null,"result":"no_answer","#
            + #""sentence":"T+40 s: attempt 1 on voice: noAnswer; retry, attempt 2 on voice after 60 s"}],"#
            + #""incident_type":"burglary","included":true,"person":11,"state":"running"}"#
        #expect(try Self.json(explanation) == expected)
        #expect(try Self.decode(ActionExplanation.self, expected) == explanation)
    }

    @Test func countsNamingNoCaseAreRefused() throws {
        let bad = #"{"cancelled":0,"delivered":1,"lost":2}"#
        #expect(throws: DecodingError.self) { try Self.decode(CaseCounts<MessageState>.self, bad) }
        let counts = try Self.decode(CaseCounts<MessageState>.self, #"{"delivered":1,"sent":0}"#)
        #expect(counts.counts == [.delivered: 1])
    }
}
