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

/// Every number a user can type is checked with a message naming the option (exit 64).
///
/// Values that crashed (`--ring-width 1e-300`, `--concurrency-seconds 1e300`) or ran for ever
/// are among them. Area files are read no further than their size limit.
@Suite struct NumberOptionTests {
    @Test(arguments: [
        (
            ["action", "status", "--db", "none.sqlite", "--ring-width", "1e-300"],
            "--ring-width must be 1 to 100000 metres"
        ),
        (
            ["action", "status", "--db", "none.sqlite", "--ring-width", "200000"],
            "--ring-width must be 1 to 100000 metres"
        ),
        (
            ["action", "run", "--db", "none.sqlite", "--ledger-batch", "0"],
            "--ledger-batch must be 1...1,000,000, got 0"
        ),
        (
            ["action", "run", "--db", "none.sqlite", "--clock", "real", "--speed", "1e7"],
            "--speed must be a positive number"
        ),
        (["loadtest", "--db", "none.sqlite", "--repetitions", "0"], "--repetitions must be 1...1,000, got 0"),
        (["loadtest", "--db", "none.sqlite", "--repetitions", "1000000000"], "--repetitions must be 1...1,000"),
        (
            ["loadtest", "--db", "none.sqlite", "--concurrency-seconds", "1e300"],
            "--concurrency-seconds must be 0 (skip)"
        ),
        (["loadtest", "--db", "none.sqlite", "--concurrency-seconds=-1"], "--concurrency-seconds must be 0 (skip)"),
        (["loadtest", "dispatch", "--db", "none.sqlite", "--urgent=-1"], "--urgent and --mails must be 0 or more"),
        (["loadtest", "dispatch", "--db", "none.sqlite", "--mails", "2000000"], "together at most 1,000,000"),
        (["demo", "--count", "0"], "--count must be 1...20,000,000, got 0"),
        (["generate", "--count", "100000001", "--out", "x.csv"], "--count 100000001 is more than 100 million"),
    ])
    func outOfRangeNumbersAreRefusedNamingTheOption(arguments: [String], message: String) async throws {
        let dir = try Fixtures.temporaryDirectory("numbers")
        let r = try await CommandRunner.run(arguments, in: dir)
        #expect(r.status == 64, "\(arguments): \(r.status) \(r.stderr)")
        #expect(r.stderr.contains(message), "\(arguments): \(r.stderr)")
        #expect(!r.stderr.contains("Fatal error"))
    }

    @Test func anEndlessAreaFileIsRefusedAtItsSizeLimit() async throws {
        guard FileManager.default.fileExists(atPath: "/dev/zero") else { return }
        let r = try await CommandRunner.run(["area", "check", "/dev/zero"])
        #expect(r.status != 0)
        #expect(
            r.stderr.contains("/dev/zero: more than 67108864 bytes; area files are limited to 67108864 bytes"),
            "\(r.stderr)")
    }
}
