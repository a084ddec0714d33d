import Foundation
import TestSupport
import Testing

@testable import FanOut
@testable import FanoutEngine
import Geo
@testable import GeoFormats
import Participants
import Selection
import ProviderAdapters
@testable import FanoutAreaTools
@testable import FanoutTesting
@testable import FanoutDesk
@testable import FanoutLab
import Synthetic

/// Numbers a user can type reach the library checked there too, not only by the command line:
/// values that trapped (a negative loop bound, an overflowing conversion) or ran for ever are
/// refused with the name of the argument.
@Suite struct UserNumberLimitsTests {
    @Test func aRingWidthOutsideOneMetreToOneHundredKilometresIsRefusedAndCannotTrapTheTracker() throws {
        let dir = try Fixtures.temporaryDirectory("ring-width")
        let ledger = try Ledger.open(at: dir.appendingPathComponent("l.sqlite").path)
        for width in [1e-300, 0, -5, .nan, 100_001] {
            #expect {
                _ = try ledger.summaries(ringWidthMeters: width)
            } throws: { ($0 as? DispatchError)?.code == .invalidRequest && "\($0)".contains("ringWidthMeters") }
        }
        #expect(try ledger.summaries(ringWidthMeters: 1).isEmpty)
        // The tracker keeps any width within range: 1e-300 m rings would overflow the ring index.
        var tracker = RingTracker(widthMeters: 1e-300)
        tracker.record(distanceMeters: 1500, reached: true, at: .seconds(1))
        #expect(tracker.report.map(\.innerMeters) == [1500])
    }

    @Test func theMonthScenarioRefusesNegativeOrHugeCounts() throws {
        for (urgent, mails) in [(-1, 5), (5, -1), (1_000_000, 1), (Int.max, Int.max)] {
            #expect(throws: AreaToolError.self) { try DispatchLoadTest.month(urgent: urgent, mails: mails, seed: 1) }
        }
        #expect(try DispatchLoadTest.month(urgent: 2, mails: 3, seed: 1).count == 5)
    }

    @Test func theDemoAndTheGeneratorRefuseCountsOutsideTheirRanges() throws {
        let dir = try Fixtures.temporaryDirectory("counts")
        for count in [0, -3, 20_000_001] {
            #expect(throws: AreaToolError.self) { _ = try Demo.prepare(in: dir, count: count) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)  // nothing built
        let csv = dir.appendingPathComponent("p.csv")
        #expect {
            try PopulationGenerator.writeCSV(
                count: PopulationGenerator.maxCount + 1, seed: 1, places: try PlaceTable.load(),
                countries: try .borders(), to: csv, progress: nil)
        } throws: { "\($0)".contains("count must be 0 to 100000000") }
        #expect(!FileManager.default.fileExists(atPath: csv.path))
    }
}
