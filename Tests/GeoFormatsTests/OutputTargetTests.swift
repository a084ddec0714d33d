import Foundation
import GeoTestSupport
import Geo
import GeoFormats
import TestSupport
import Testing

/// `OutputTarget.check` decides from what is on disk: the file type and the SQLite header bytes.
@Suite struct OutputTargetTests {
    let dir: URL
    init() throws { dir = try Fixtures.temporaryDirectory("output-target") }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// Writes a file that starts with `head`, padded with zeros to 4,096 bytes.
    func file(_ name: String, head: [UInt8]) throws -> String {
        try Data(head + [UInt8](repeating: 0, count: 4096 - head.count)).write(to: URL(fileURLWithPath: path(name)))
        return path(name)
    }

    /// An SQLite header (100 bytes) with `applicationID` at bytes 68...71, big-endian.
    func sqliteHeader(applicationID: UInt32) -> [UInt8] {
        var header = Array("SQLite format 3\0".utf8) + [UInt8](repeating: 0, count: 84)
        for i in 0..<4 { header[68 + i] = UInt8(truncatingIfNeeded: applicationID >> (24 - 8 * UInt32(i))) }
        return header
    }

    func refusal(_ path: String, kind: OutputTarget.Kind = .stream) -> String? {
        do {
            _ = try OutputTarget.check(path, kind: kind)
            return nil
        } catch let e as OutputError {
            return e.code == .refused ? e.message : "not refused: \(e.message)"
        } catch {
            return "\(error)"
        }
    }

    @Test func databasesAreRecognisedByTheirHeader() throws {
        let plain = try file("plain.db", head: sqliteHeader(applicationID: 0))
        #expect(
            refusal(plain)?.contains("is an SQLite database; fanout never writes an output over a database") == true)
        let registry = try file("reg.db", head: sqliteHeader(applicationID: 0x4641_4E4F))
        #expect(refusal(registry)?.contains("is a fanout registry (an SQLite database)") == true)
        #expect(refusal(registry, kind: .geoPackage)?.contains("is a fanout registry") == true)
        #expect(refusal(registry, kind: .append)?.contains("is a fanout registry") == true)
        let wal = try file("x-wal", head: [0x37, 0x7F, 0x06, 0x82])
        #expect(refusal(wal)?.contains("is an SQLite write-ahead log") == true)
        let journal = try file("x-journal", head: [0xD9, 0xD5, 0x05, 0xF9, 0x20, 0xA1, 0x63, 0xD7])
        #expect(refusal(journal)?.contains("is an SQLite rollback journal") == true)
        // 'SQLite format 3' without its NUL is text, not a database.
        let text = try file("notes.txt", head: Array("SQLite format 3 is nice".utf8))
        #expect(refusal(text) == nil)
    }

    @Test(arguments: [0x4750_4B47, 0x4750_3130, 0x4750_3131] as [UInt32])
    func onlyAGeoPackageOutputReplacesAGeoPackage(applicationID: UInt32) throws {
        let gpkg = try file("area.gpkg", head: sqliteHeader(applicationID: applicationID))
        #expect(refusal(gpkg)?.contains("is a GeoPackage; only a GeoPackage output may replace it") == true)
        #expect(refusal(gpkg, kind: .rendered)?.contains("is a GeoPackage") == true)
        let target = try OutputTarget.check(gpkg, kind: .geoPackage)
        #expect(target.mode == .replace(gpkg))
    }

    @Test func symbolicLinksAreFollowedToTheFileTheyNameWhichIsReplaced() throws {
        let real = path("real.csv")
        try "old\n".write(toFile: real, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: path("link.csv"), withDestinationPath: "real.csv")
        let target = try OutputTarget.check(path("link.csv"))
        #expect(target.mode == .replace(URL(fileURLWithPath: real).resolvingSymlinksInPath().path))
        let writer = try AtomicFileWriter(target: target)
        try writer.write("new\n")
        try writer.commit()
        #expect(try String(contentsOfFile: real, encoding: .utf8) == "new\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path("link.csv")) == "real.csv")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["link.csv", "real.csv"])
    }

    @Test func newNamesNeedAnExistingDirectory() throws {
        let target = try OutputTarget.check(path("new.csv"))
        #expect(target.mode == .replace(URL(fileURLWithPath: path("new.csv")).resolvingSymlinksInPath().path))
        #expect(throws: OutputError.self) { try OutputTarget.check(path("missing/new.csv")) }
        do {
            _ = try OutputTarget.check(path("missing/new.csv"))
        } catch let e as OutputError {
            #expect(e.code == .writeFailed && e.message.contains("the directory \(path("missing")) does not exist"))
        }
        #expect(refusal("") == "the path is empty")
    }

    @Test func devicesAndDescriptorsAreWrittenInPlace() throws {
        #expect(try OutputTarget.check("/dev/null").mode == .inPlace)
        #expect(try OutputTarget.check("/dev/stdout").mode == .descriptor(1))
        #expect(try OutputTarget.check("/dev/fd/2").mode == .descriptor(2))
        #expect(refusal("/dev/null", kind: .rendered)?.contains("is a character device; a PNG") == true)
        #expect(refusal("/dev/stdout", kind: .geoPackage)?.contains("is an open file descriptor") == true)
        #expect(refusal("/")?.contains("is a directory") == true)
    }
}
