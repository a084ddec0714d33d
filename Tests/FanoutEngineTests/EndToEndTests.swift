import FanoutEngine
import Foundation
import TestSupport
import Testing

@testable import FanOut
import Geo
import GeoFormats
import Participants
import Selection
import ProviderAdapters
import FanoutAreaTools
@testable import FanoutTesting
@testable import FanoutDesk
import FanoutLab
import Synthetic

/// Registry → selection → action → enlargement → end, on virtual time.
@Suite struct EndToEndTests {
    @Test func anActionRunsFromSelectionThroughEnlargementToItsEndMessage() async throws {
        let dir = try Fixtures.temporaryDirectory("fanout-e2e")
        // 40 participants on a line east of the incident, 100 m apart (about 0.00147° of longitude).
        // Each has a phone number (a person without one gets no call or text).
        var lines = ["id,lon,lat,channels,phone"]
        for i in 1...40 {
            lines.append("\(i),\(5.12 + Double(i) * 0.001467),52.09,\(i % 4 == 0 ? "voice" : "sms"),+316\(10_000_000 + i)")
        }
        let csv = dir.appendingPathComponent("p.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: csv, atomically: true, encoding: .utf8)
        let path = dir.appendingPathComponent("r.sqlite").path
        let registry = try Registry.open(at: path)
        _ = try registry.importCSV(csv, options: ImportOptions(countries: .off))
        let engine = try Engine.open(registryAt: path)
        let incident = LonLat(lon: 5.12, lat: 52.09)
        let small = try engine.select(SelectionRequest(area: .circle(center: incident, radiusMeters: 1_550)))
        let large = try engine.select(SelectionRequest(area: .circle(center: incident, radiusMeters: 3_050)))
        #expect(small.participants.count == 15)
        #expect(large.participants.count == 30)

        // Person 8 prefers voice and is busy; the text to person 5 fails.
        let voice = RecordingProvider { m in
            ProviderOutcome(m.key.person == 8 ? .busy : .delivered, after: .seconds(40))
        }
        let sms = RecordingProvider { m in ProviderOutcome(m.key.person == 5 ? .failed : .delivered) }
        let d = try Dispatcher(
            providers: [.voice: voice, .sms: sms], clock: VirtualClock(), ledger: try Ledger.open(at: path))
        let request = ActionRequest(
            incidentPoint: small.incident, incidentType: "robbery", urgency: .critical,
            message: "Look out for a man in a green jacket on a scooter", channels: [.voice, .sms])
        let id = try await d.start(request, selection: small, recipients: .registry(registry))
        try d.advance(to: .seconds(1))
        #expect(try await d.enlarge(id, selection: large, recipients: .registry(registry)) == 15)
        try await d.runUntilIdle()
        // Outside-in within each channel: the small area's farthest first, then the enlargement's.
        let smsOrder = sms.records.map(\.message.key.person)
        let firstArea: [Int64] = (1...15).reversed().filter { $0 % 4 != 0 }
        let enlargement: [Int64] = (16...30).reversed().filter { $0 % 4 != 0 }
        #expect(smsOrder == firstArea + enlargement)
        #expect(voice.records.map(\.message.key.person) == [12, 8, 4, 28, 24, 20, 16])

        try await d.end(id, result: "Suspect arrested. Thank you for looking out.")
        try await d.runUntilIdle()
        let ended = Set((voice.records + sms.records).filter { $0.message.key.kind == .end }.map(\.message.key.person))
        let expected: Set<Int64> = Set(1...30).subtracting([5, 8])
        #expect(ended == expected)
        let s = try d.status(id)
        #expect(s.included == 30 && s.reached == 28 && s.state == .ended && s.isIdle)
    }
}
