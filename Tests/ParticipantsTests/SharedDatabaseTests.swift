import Foundation
import Geo
import Participants
import TestSupport
import Testing

/// One connection pool per database file per process (GRDB's first rule), whatever the spelling
/// of the path; the operating system's list of open descriptors is the oracle (SQLite opens the
/// file once per connection).
@Suite(.enabled(if: OpenFiles.available, "needs /proc/self/fd")) struct SharedDatabaseTests {
    /// A new registry file `r.sqlite` with one participant, closed again; and a directory `sub`
    /// and a symbolic link `link.sqlite` to the file beside it.
    static func registryFile(_ label: String) throws -> (dir: URL, path: String) {
        let dir = try Fixtures.temporaryDirectory(label)
        let path = dir.appendingPathComponent("r.sqlite").path
        _ = try Registry.open(at: path).upsert([participant(1)])
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("link.sqlite").path, withDestinationPath: path)
        return (dir, path)
    }

    static func participant(_ id: Int64) throws -> ParticipantRecord {
        try ParticipantRecord(
            id: id, position: SourcePoint(x: 121_000 + Double(id), y: 487_000, crs: .rdNew), country: .nl)
    }

    /// Four spellings of one file: plain, `./`, `sub/..` and through a symbolic link.
    static func spellings(_ dir: URL) -> [String] {
        [
            dir.appendingPathComponent("r.sqlite").path, dir.path + "/./r.sqlite", dir.path + "/sub/../r.sqlite",
            dir.appendingPathComponent("link.sqlite").path,
        ]
    }

    @Test func everySpellingOfOneFileSharesOnePool() throws {
        let (dir, path) = try Self.registryFile("shared-spellings")
        defer { try? FileManager.default.removeItem(at: dir) }
        let atStart = try OpenFiles.descriptors(on: path)
        #expect(atStart == 0)
        let first = try Registry.open(at: path)
        #expect(try first.count() == 1)
        let onePool = try OpenFiles.descriptors(on: path)
        #expect(onePool == 2)  // the writer connection and one reader
        var more: [Registry] = []
        for spelling in Self.spellings(dir) {
            for readOnly in [false, true] {
                let r = try Registry.open(at: spelling, readOnly: readOnly)
                #expect(try r.count() == 1)
                more.append(r)
            }
        }
        let shared = try OpenFiles.descriptors(on: path)
        #expect(shared == onePool)  // 18 before: a pool per open
        withExtendedLifetime((first, more)) {}
    }

    @Test func releasingTheLastUserClosesTheFile() throws {
        let (dir, path) = try Self.registryFile("shared-release")
        defer { try? FileManager.default.removeItem(at: dir) }
        var writer: Registry? = try Registry.open(at: path)
        var reader: Registry? = try Registry.open(at: dir.path + "/link.sqlite", readOnly: true)
        #expect(try writer?.count() == 1 && reader?.count() == 1)
        let onePool = try OpenFiles.descriptors(on: path)
        writer = nil
        #expect(try reader?.count() == 1)
        let withReader = try OpenFiles.descriptors(on: path)
        #expect(withReader == onePool)  // the reader keeps the pool
        reader = nil
        let afterLast = try OpenFiles.descriptors(on: path)
        #expect(afterLast == 0)
        // Opened again, the file gets a pool of its own again.
        let again = try Registry.open(at: path, readOnly: true)
        #expect(try again.count() == 1)
        let reopened = try OpenFiles.descriptors(on: path)
        #expect(reopened == onePool)
    }

    @Test func aReadOnlyPoolIsReopenedWritableForTheFirstWriter() throws {
        let (dir, path) = try Self.registryFile("shared-upgrade")
        defer { try? FileManager.default.removeItem(at: dir) }
        var reader: Registry? = try Registry.open(at: path, readOnly: true)
        #expect(try reader?.count() == 1)
        var writer: Registry? = try Registry.open(at: Self.spellings(dir)[3])
        _ = try writer?.upsert([Self.participant(2)])
        #expect(try reader?.count() == 2)  // the reader reads through the writable pool now
        #expect(try writer?.count() == 2)
        // The new pool's writer and reader, and the descriptor of the read-only pool's closed
        // connection, which SQLite keeps open while this process holds locks on the file (so as
        // not to drop them: `unixClose`); a second pool would show 4.
        let afterUpgrade = try OpenFiles.descriptors(on: path)
        #expect(afterUpgrade == 3)
        writer = nil
        reader = nil
        let afterLast = try OpenFiles.descriptors(on: path)
        #expect(afterLast == 0)
    }

    @Test func aReaderSharingAWritersPoolWritesNothing() throws {
        let (dir, path) = try Self.registryFile("shared-reader")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try Registry.open(at: path)
        let reader = try Registry.open(at: Self.spellings(dir)[1], readOnly: true)
        let refused = #expect(throws: RegistryError.self) { try reader.upsert([Self.participant(2)]) }
        #expect(refused?.sqliteCode == 8)  // SQLITE_READONLY, as on a read-only connection
        #expect(try writer.count() == 1)
    }

    @Test func aReaderOpensAndReadsWhileAnotherProcessHoldsTheWriteLock() async throws {
        let (dir, path) = try Self.registryFile("shared-locked")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try Registry.open(at: path)
        #expect(try writer.count() == 1)
        let holder = try await SQLiteWriteLockHolder(path: path)
        defer { holder.release() }
        let started = ContinuousClock.now
        let reader = try Registry.open(at: Self.spellings(dir)[3], readOnly: true)
        #expect(try reader.count() == 1)
        #expect(try writer.count() == 1)
        #expect(ContinuousClock.now - started < .seconds(4))  // no wait for the lock
    }

    @Test func aMissingFileIsRefusedForReadingAndCreatedForWriting() throws {
        let dir = try Fixtures.temporaryDirectory("shared-missing")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("new.sqlite").path
        #expect(throws: RegistryError.self) { try Registry.open(at: path, readOnly: true) }
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(try Registry.open(at: path).count() == 0)
        let inMissingDirectory = dir.appendingPathComponent("no/such/dir/r.sqlite").path
        let error = #expect(throws: RegistryError.self) { try Registry.open(at: inMissingDirectory) }
        #expect(error?.code == .database)
        #expect(error?.message.contains(inMissingDirectory) == true, "\(String(describing: error))")
    }
}
