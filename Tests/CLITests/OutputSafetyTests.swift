import FanOut
import FanoutAreaTools
import FanoutDesk
import FanoutEngine
import FanoutLab
import FanoutTesting
import Foundation
import Geo
import GeoFormats
import ProviderAdapters
import Participants
import Selection
import Synthetic
import TestSupport
import Testing

/// Every writer of the real binary refuses to replace the registry, an input, a directory or a
/// device, and a failed write (also of standard output) is a clear error with a non-zero exit.
///
/// These tests run as root on CI: a writer that renamed a file over `/dev/full` would replace the
/// device node, so each device test checks that it is still a character device afterwards.
@Suite(.serialized) struct OutputSafetyTests {
    let fx: CLIFixture
    let dir: URL
    /// A private copy of the fixture's registry, so that a writer that wrongly replaced it cannot
    /// break the other suites.
    let db: String
    let polygon: String
    let circle = ["--circle", "5.1214,52.0908,3000"]

    init() throws {
        fx = try CLIFixture.shared.get()
        dir = try Fixtures.temporaryDirectory("output-safety")
        db = dir.appendingPathComponent("registry.sqlite").path
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: fx.db + suffix) {
            try FileManager.default.copyItem(atPath: fx.db + suffix, toPath: db + suffix)
        }
        polygon = dir.appendingPathComponent("area.geojson").path
        try #"{"type":"Polygon","coordinates":[[[5.10,52.08],[5.14,52.08],[5.14,52.10],[5.10,52.10],[5.10,52.08]]]}"#
            .write(toFile: polygon, atomically: true, encoding: .utf8)
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A file's bytes.
    func digest(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    func type(_ path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    /// A refused run: status 2 (a given path refused, not a usage error: no usage text), the path
    /// and the reason on stderr, no crash.
    func expectRefused(_ r: CommandResult, _ fragments: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 2, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("Usage:"), "\(r.stderr)", sourceLocation: sourceLocation)
        for f in fragments { #expect(r.stderr.contains(f), "\(r.stderr)", sourceLocation: sourceLocation) }
        #expect(!r.stderr.contains("Fatal error"), sourceLocation: sourceLocation)
    }

    /// The registry has its bytes and still opens with all its participants.
    func expectRegistryIntact(_ before: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try digest(db) == before, sourceLocation: sourceLocation)
        #expect(try Engine.open(registryAt: db).columns.count == 20_000, sourceLocation: sourceLocation)
    }

    // MARK: - The registry and the inputs

    @Test func selectNeverWritesOverTheRegistryThroughAnyName() async throws {
        let before = try digest(db)
        try FileManager.default.createSymbolicLink(atPath: path("link.sqlite"), withDestinationPath: db)
        try FileManager.default.linkItem(atPath: db, toPath: path("hard.sqlite"))
        try FileManager.default.createDirectory(atPath: path("sub"), withIntermediateDirectories: true)
        for (option, out) in [
            ("--out", db), ("--out", path("link.sqlite")), ("--out", path("hard.sqlite")),
            ("--out", path("sub/../registry.sqlite")), ("--gpkg", db), ("--gpkg", path("hard.sqlite")),
        ] {
            let r = try await CommandRunner.run(["select", "--db", db] + circle + [option, out])
            expectRefused(r, "\(option) \(out): is the --db registry \(db)")
            #expect(r.stdout.isEmpty)
        }
        try expectRegistryIntact(before)
        #expect(try type(path("link.sqlite")) == .typeSymbolicLink)
    }

    @Test func theSideFilesOfTheRegistryAreRefusedToo() async throws {
        let wal = try? digest(db + "-wal")
        let r = try await CommandRunner.run(["select", "--db", db] + circle + ["--out", db + "-wal"])
        expectRefused(r, "--out \(db)-wal: is the -wal file of the --db registry \(db)")
        #expect((try? digest(db + "-wal")) == wal)
        let journal = try await CommandRunner.run(["generate", "--count", "5", "--out", db + "-journal"])
        #expect(journal.status == 0, "no registry input here: \(journal.stderr)")
        let refused = try await CommandRunner.run(["select", "--db", db] + circle + ["--out", db + "-journal"])
        expectRefused(refused, "is the -journal file of the --db registry \(db)")
    }

    @Test func selectNeverWritesOverItsPolygonOrItsOtherOutput() async throws {
        let area = try digest(polygon)
        let onPolygon = try await CommandRunner.run(["select", "--db", db, "--polygon", polygon, "--out", polygon])
        expectRefused(onPolygon, "--out \(polygon): is the --polygon file \(polygon)")
        #expect(try digest(polygon) == area)
        let same = try await CommandRunner.run(
            ["select", "--db", db] + circle + ["--out", path("both"), "--gpkg", path("both")])
        expectRefused(same, "--gpkg \(path("both")): is the --out file")
        #expect(!FileManager.default.fileExists(atPath: path("both")))
    }

    @Test func otherWritersRefuseAnyRegistry() async throws {
        // Not the command's input here: any SQLite database is refused by content (application_id 'FANO').
        let before = try digest(db)
        let generate = try await CommandRunner.run(["generate", "--count", "10", "--out", db])
        expectRefused(generate, "--out \(db): is a fanout registry")
        let convert = try await CommandRunner.run(["area", "convert", polygon, "--out", db, "--to", "wkt"])
        expectRefused(convert, "--out \(db): is a fanout registry")
        let convertGPKG = try await CommandRunner.run(["area", "convert", polygon, "--out", db, "--to", "gpkg"])
        expectRefused(convertGPKG, "--out \(db): is a fanout registry")
        let fix = try await CommandRunner.run(["area", "fix", polygon, "--out", db])
        expectRefused(fix, "--out \(db): is a fanout registry")
        let record = try await CommandRunner.run([
            "action", "start", "--db", db, "--incident-type", "missing-child", "--message", "test", "--lon", "5.1214",
            "--lat", "52.0908", "--radius", "500", "--provider-record", db,
        ])
        expectRefused(record, "--provider-record \(db): is the --db registry")
        let area = try digest(polygon)
        let onPolygon = try await CommandRunner.run([
            "action", "start", "--db", db, "--incident-type", "missing-child", "--message", "test", "--polygon",
            polygon,
            "--provider-record", polygon,
        ])
        expectRefused(onPolygon, "--provider-record \(polygon): is the --polygon file")
        #expect(try digest(polygon) == area)
        try expectRegistryIntact(before)
    }

    @Test func aGeoPackageOutputReplacesAGeoPackageButNothingElseDoes() async throws {
        let gpkg = path("sel.gpkg")
        let first = try await CommandRunner.run(["select", "--db", db] + circle + ["--gpkg", gpkg])
        #expect(first.status == 0, "\(first.stderr)")
        let again = try await CommandRunner.run(["select", "--db", db] + circle + ["--gpkg", gpkg])
        #expect(again.status == 0, "\(again.stderr)")
        let before = try digest(gpkg)
        let csv = try await CommandRunner.run(["select", "--db", db] + circle + ["--out", gpkg])
        expectRefused(csv, "--out \(gpkg): is a GeoPackage; only a GeoPackage output may replace it")
        #expect(try digest(gpkg) == before)
    }

    @Test func aDirectoryIsRefused() async throws {
        try FileManager.default.createDirectory(atPath: path("out.csv"), withIntermediateDirectories: true)
        let r = try await CommandRunner.run(["select", "--db", db] + circle + ["--out", path("out.csv")])
        expectRefused(r, "--out \(path("out.csv")): is a directory")
        #expect(try type(path("out.csv")) == .typeDirectory)
        let gen = try await CommandRunner.run(["generate", "--count", "5", "--out", dir.path])
        expectRefused(gen, "is a directory")
    }

    // MARK: - Devices and FIFOs

    @Test func aFullDeviceIsAWriteErrorAndStaysADevice() async throws {
        for arguments in [
            ["select", "--db", db] + circle + ["--out", "/dev/full"],
            ["select", "--db", db] + circle + ["--format", "geojson", "--out", "/dev/full"],
            ["generate", "--count", "1000", "--out", "/dev/full"],
            ["area", "convert", polygon, "--out", "/dev/full", "--to", "cap"],
        ] {
            let r = try await CommandRunner.run(arguments)
            #expect(r.status == 70, "\(arguments): \(r.stderr)")  // a failed write
            #expect(r.stderr.contains("cannot write /dev/full: No space left on device"), "\(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"))
            #expect(try type("/dev/full") == .typeCharacterSpecial)
        }
        let gpkg = try await CommandRunner.run(["select", "--db", db] + circle + ["--gpkg", "/dev/null"])
        expectRefused(gpkg, "--gpkg /dev/null: is a character device; a GeoPackage is built by SQLite")
        #expect(try type("/dev/null") == .typeCharacterSpecial)
    }

    @Test func aFIFOIsWrittenInPlace() async throws {
        let fifo = path("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        let expected = try await CommandRunner.run(["select", "--db", db] + circle)
        #expect(expected.status == 0 && expected.stdout.count > 1000)
        let reader = Task { try await onOwnThread { FileHandle(forReadingAtPath: fifo)?.readDataToEndOfFile() } }
        let r = try await CommandRunner.run(["select", "--db", db] + circle + ["--out", fifo])
        // Unblock a reader still waiting for a writer (when the command never opened the FIFO).
        let unblock = open(fifo, O_WRONLY | O_NONBLOCK)
        if unblock >= 0 { close(unblock) }
        let received = try await reader.value
        #expect(r.status == 0, "\(r.stderr)")
        #expect(received.map { String(decoding: $0, as: UTF8.self) } == expected.stdout)
        var status = stat()
        #expect(stat(fifo, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO)
        let gpkg = try await CommandRunner.run(["select", "--db", db] + circle + ["--gpkg", fifo])
        expectRefused(gpkg, "is a FIFO; a GeoPackage is built by SQLite and needs a regular file")
    }

    // MARK: - Standard output

    @Test func aStandardOutputThatCannotBeWrittenIsAnError() async throws {
        let full = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        for arguments in [
            ["select", "--db", db] + circle, ["select", "--db", db] + circle + ["--format", "geojson"],
            ["area", "convert", polygon, "--out", "/dev/stdout", "--to", "wkt"],
            ["area", "convert", polygon, "--out", path("written.wkt")], ["area", "check", polygon],
            ["area", "fix", polygon, "--out", path("fixed.geojson")], ["action", "status", "--db", db],
            ["generate", "--count", "100", "--out", "/dev/stdout"],
        ] {
            let r = try await CommandRunner.run(arguments, standardOutput: full)
            #expect(r.status == 70, "\(arguments): \(r.stderr)")
            let named =
                r.stderr.contains("cannot write standard output: No space left on device")
                || r.stderr.contains("cannot write /dev/stdout: No space left on device")
            #expect(named, "\(arguments): \(r.stderr)")
            #expect(!r.stderr.contains("Fatal error"), "\(arguments): \(r.stderr)")
        }
        #expect(try type("/dev/full") == .typeCharacterSpecial)
    }

    @Test func devStdoutIsWrittenThroughTheDescriptorSoAppendingAppends() async throws {
        let log = path("log.txt")
        try "first line\n".write(toFile: log, atomically: true, encoding: .utf8)
        let inode = try FileManager.default.attributesOfItem(atPath: log)[.systemFileNumber] as? Int
        let fd = open(log, O_WRONLY | O_APPEND)
        #expect(fd >= 0)
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        let r = try await CommandRunner.run(
            ["area", "convert", polygon, "--out", "/dev/stdout", "--to", "wkt"], standardOutput: handle)
        #expect(r.status == 0, "\(r.stderr)")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.hasPrefix("first line\nPOLYGON ((5.1 52.08, 5.14 52.08"), "\(text)")
        #expect(text.contains("wrote /dev/stdout: wkt, 1 polygon, 4 vertices"))
        #expect(try FileManager.default.attributesOfItem(atPath: log)[.systemFileNumber] as? Int == inode)
    }

    // MARK: - The ledgers of the demo and the load test

    @Test func theDemoNeverDeletesADirectoryWhereItsLedgerGoes() async throws {
        let ledger = path("demo/demo-action.sqlite")
        try FileManager.default.createDirectory(atPath: ledger, withIntermediateDirectories: true)
        try "keep".write(toFile: ledger + "/keep.txt", atomically: true, encoding: .utf8)
        let r = try await CommandRunner.run(["demo", "--dir", path("demo"), "--count", "500"])
        expectRefused(r, "\(ledger) is not a file; the demo replaces its ledger there on every run")
        #expect(try String(contentsOfFile: ledger + "/keep.txt", encoding: .utf8) == "keep")
    }

    @Test func theLoadTestNeverReusesAnyOfItsLedgerFiles() async throws {
        let ledger = path("ledger.sqlite")
        try "keep".write(toFile: ledger + ".2", atomically: true, encoding: .utf8)
        let r = try await CommandRunner.run([
            "loadtest", "--db", db, "dispatch", "--scenario", "both", "--urgent", "1", "--mails", "1", "--ledger",
            ledger,
        ])
        expectRefused(r, "--ledger \(ledger): \(ledger).2 exists")
        #expect(!FileManager.default.fileExists(atPath: ledger + ".1"))
        #expect(try String(contentsOfFile: ledger + ".2", encoding: .utf8) == "keep")
    }
}
