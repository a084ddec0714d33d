import Foundation
import TestSupport
import Testing

@testable import FanOut
import FanoutCore
import Geo
import GeoFormats
import Participants
import Selection
import ProviderAdapters
import FanoutEngine
import FanoutAreaTools
import FanoutTesting
import FanoutDesk
import FanoutLab
import Synthetic

/// The ledger's companion files (the dispatcher lock, the hand-over record) are one file per
/// ledger, whatever spelling of the registry's path a process was given: through a symbolic link
/// a second dispatcher took a lock file of its own and ran beside the first.
@Suite struct LedgerCompanionFileTests {
    static func ledgerWithLink(_ label: String) throws -> (dir: URL, path: String, link: String) {
        let dir = try Fixtures.temporaryDirectory(label)
        let path = dir.appendingPathComponent("r.sqlite").path
        _ = try Ledger.open(at: path)
        let link = dir.appendingPathComponent("link.sqlite").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
        return (dir, path, link)
    }

    @Test func theDispatcherLockThroughASymbolicLinkIsTheSameLock() throws {
        let (dir, path, link) = try Self.ledgerWithLink("lock-spelling")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try LedgerLock.acquire(for: path, command: "fanout action run")
        #expect(first != nil)
        #expect(try LedgerLock.acquire(for: link, command: "fanout action run") == nil)
        #expect(try LedgerLock.acquire(for: dir.path + "/./r.sqlite", command: "fanout action run") == nil)
        #expect(try LedgerLock.isHeld(for: link))
        #expect(LedgerLock.holder(of: link)?.command == "fanout action run")
        withExtendedLifetime(first) {}
        // Only the real file's lock exists; the link has no companion of its own.
        #expect(!FileManager.default.fileExists(atPath: link + "-dispatcher.lock"))
    }

    @Test func theHandOverRecordThroughASymbolicLinkIsTheSameFile() throws {
        let (dir, path, link) = try Self.ledgerWithLink("handover-spelling")
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = MessageKey(action: ActionID(rawValue: 1), person: 7, kind: .alert)
        try Ledger.open(at: link).handOvers.append([key])
        #expect(try Ledger.open(at: path).handOvers.keys() == [key])
        #expect(!FileManager.default.fileExists(atPath: link + "-handovers"))
    }
}
