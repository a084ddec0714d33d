import FanOut
import FanoutDesk
import FanoutTesting
import Foundation
import Participants
import TestSupport
import Testing

/// The desk of one process: it holds its ledger while it lives, so a second desk on the same
/// ledger is refused until the first closes.
@Suite struct ActionDeskTests {
    func desk(_ db: String) throws -> ActionDesk {
        try ActionDesk(
            db: db, config: DispatchConfig(), providers: DeskProviders(simulation: .ideal()), clock: .virtual)
    }

    @Test func aSecondDeskOnOneLedgerIsRefusedUntilTheFirstCloses() throws {
        let dir = try Fixtures.temporaryDirectory("desk")
        let db = dir.appendingPathComponent("r.sqlite").path
        _ = try Registry.open(at: db)
        do {
            let first = try desk(db)
            #expect(first.dispatcher.actionIDs.isEmpty)
            #expect {
                _ = try desk(db)
            } throws: { error in
                (error as? DispatchError)?.code == .ledgerBusy
            }
            _ = try first.close()
        }  // the lock goes with the desk
        let again = try desk(db)
        _ = try again.close()
    }
}
