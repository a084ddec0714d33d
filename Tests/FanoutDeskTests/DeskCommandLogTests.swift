import FanOut
import Foundation
import Geo
import Participants
import TestSupport
import Testing

@testable import FanoutDesk

/// A desk records who gave its commands, also those handed over through the ledger's inbox.
@Suite struct DeskCommandLogTests {
    @Test func aCommandFromTheInboxIsRecordedWithItsSubmittersOrigin() throws {
        let dir = try Fixtures.temporaryDirectory("desk-command-log")
        let db = dir.appendingPathComponent("r.sqlite").path
        _ = try Registry.open(at: db)
        let desk = try ActionDesk(
            db: db, config: DispatchConfig(), providers: DeskProviders(simulation: .ideal()), clock: .virtual)
        defer { _ = try? desk.close() }
        let request = ActionRequest(
            incidentPoint: RDPoint(x: 136_000, y: 455_000), incidentType: "burglary", urgency: .high,
            message: "Look out", channels: [.sms])
        let recipients = (1...5).map { Recipient(id: Int64($0), distanceMeters: Double(100 * (6 - $0))) }
        let ann = CommandOrigin(operator: "ann", wallTime: Date(timeIntervalSince1970: 1_750_000_000.25))
        let id = try desk.start(ActionDesk.plan(request, recipients: recipients, config: desk.config), origin: ann)
        // Another process hands in a stop (with its origin) and an end written by an older
        // version (no origin in its payload: applied, not recorded).
        let bob = CommandOrigin(
            operator: "bob", role: "dispatcher", requestID: "req-7", wallTime: Date(timeIntervalSince1970: 1_750_000_010.5))
        let stop = try DeskCommandCoding.encode(.stop(id), origin: bob)
        _ = try desk.ledger.submit(kind: stop.0, action: stop.1, payload: stop.2)
        let end = try DeskCommandCoding.encode(.end(id, result: "Found", texts: [:]))
        _ = try desk.ledger.submit(kind: end.0, action: end.1, payload: end.2)
        let answered = try desk.applyInbox()
        #expect(answered.count == 2)
        for (_, outcome) in answered {
            guard case .applied = outcome else {
                Issue.record("not applied: \(outcome)")
                continue
            }
        }
        let records = try desk.ledger.commandLog(CommandLogQuery()).records
        #expect(records.map(\.command) == [.start, .stop])
        #expect(records.map(\.action) == [id, id])
        #expect(records.map(\.origin) == [ann, bob])  // the times to the millisecond survive the inbox
        #expect(try desk.ledger.state(of: id) == .ended)
    }
}
